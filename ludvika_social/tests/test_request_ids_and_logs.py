"""Request ids, task ids and JSON logs; nothing secret or a personal identity number in the output."""

from __future__ import annotations

import io
import json
import logging
import subprocess
import sys

import pytest
from celery import shared_task
from cryptography.fernet import Fernet
from django.urls import reverse

from ludvika_social.logging import RedactFilter
from ludvika_social.ops import celery_hooks
from ludvika_social.ops.context import request_id_var, safe_request_id, task_id_var
from ludvika_social.ops.logs import ContextFilter, JsonFormatter, PlainFormatter


def _json_logger(name: str) -> tuple[logging.Logger, io.StringIO]:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    handler.addFilter(ContextFilter())
    handler.addFilter(RedactFilter())
    logger = logging.getLogger(name)
    logger.handlers = [handler]
    logger.propagate = False
    logger.setLevel(logging.INFO)
    return logger, stream


def _lines(stream: io.StringIO) -> list[dict]:
    return [json.loads(line) for line in stream.getvalue().splitlines()]


@pytest.mark.django_db
def test_every_response_carries_a_request_id(client):
    response = client.get(reverse("healthz"))
    assert len(response["X-Request-ID"]) == 32


@pytest.mark.django_db
def test_a_safe_incoming_request_id_is_kept(client):
    response = client.get(reverse("healthz"), HTTP_X_REQUEST_ID="proxy-4f1c2a9e.17")
    assert response["X-Request-ID"] == "proxy-4f1c2a9e.17"


@pytest.mark.django_db
@pytest.mark.parametrize("incoming", ["short", "a b c d e f g h", "<script>alert(1)</script>", "x" * 65,
                                      "id\nInjected: yes", "19121212-1212 "])
def test_an_unsafe_incoming_request_id_is_replaced(client, incoming):
    response = client.get(reverse("healthz"), HTTP_X_REQUEST_ID=incoming)
    assert response["X-Request-ID"] != incoming and len(response["X-Request-ID"]) == 32


def test_safe_request_id_accepts_only_short_plain_tokens():
    assert safe_request_id("abc-123_4.5:6") == "abc-123_4.5:6"
    assert safe_request_id("") is None and safe_request_id(None) is None and safe_request_id("ä" * 10) is None


@pytest.mark.django_db
def test_request_log_lines_carry_the_request_id(client, settings, caplog):
    settings.LOG_REQUESTS = True
    with caplog.at_level(logging.INFO, logger="ludvika_social.request"):
        response = client.get(reverse("healthz") + "?token=hemligt", HTTP_X_REQUEST_ID="req-0123456789")
    record = next(r for r in caplog.records if r.name == "ludvika_social.request")
    assert record.request_id == "req-0123456789" == response["X-Request-ID"]
    assert record.view == "healthz" and record.status == 200
    assert "hemligt" not in record.getMessage()


def test_json_lines_have_the_ids_and_no_personal_identity_numbers_or_secrets():
    logger, stream = _json_logger("test.ops.json")
    token_r, token_t = request_id_var.set("req-abcdef12"), task_id_var.set("task-1234")
    try:
        logger.info("svar till %s med access_token=%s", "19121212-1212", "EAAB-secret-value", extra={"channel": 7})
    finally:
        request_id_var.reset(token_r)
        task_id_var.reset(token_t)
    [line] = _lines(stream)
    assert line["request_id"] == "req-abcdef12" and line["task_id"] == "task-1234"
    assert line["level"] == "INFO" and line["logger"] == "test.ops.json" and line["channel"] == 7
    assert "19121212-1212" not in stream.getvalue() and "EAAB-secret-value" not in stream.getvalue()
    assert "[personnummer]" in line["message"] and "access_token=[dolt]" in line["message"]


def test_exception_text_and_extras_are_redacted_in_json():
    logger, stream = _json_logger("test.ops.exc")
    try:
        raise ValueError("bad password=hunter2hunter2 for 201212121212")
    except ValueError:
        logger.exception("failed", extra={"note": "person 19121212-1212"})
    [line] = _lines(stream)
    output = stream.getvalue()
    assert "hunter2hunter2" not in output and "201212121212" not in output and "19121212-1212" not in output
    assert "ValueError" in line["exception"] and line["note"] == "person [personnummer]"


def test_plain_text_format_carries_the_ids_and_is_redacted():
    record = logging.LogRecord("x", logging.WARNING, __file__, 1, "pnr %s", ("19121212-1212",), None)
    ContextFilter().filter(record)
    formatter = PlainFormatter("%(levelname)s%(ids)s %(message)s")
    token = request_id_var.set("req-plain-001")
    try:
        record.request_id = ""
        ContextFilter().filter(record)
        text = formatter.format(record)
    finally:
        request_id_var.reset(token)
    assert text == "WARNING [request_id=req-plain-001] pnr [personnummer]"


@shared_task(name="ludvika_social.tests.report_ids_task")
def report_ids_task() -> dict:
    return {"task_id": task_id_var.get(), "request_id": request_id_var.get()}


def test_a_running_task_has_its_task_id_in_the_log_context_and_it_is_cleared_after():
    result = report_ids_task.apply(task_id="task-abc-123", headers={"request_id": "req-from-web-01"})
    assert result.get() == {"task_id": "task-abc-123", "request_id": "req-from-web-01"}
    assert task_id_var.get() == "" and request_id_var.get() == ""


def test_the_request_id_travels_with_a_task_published_during_a_request():
    headers: dict = {}
    token = request_id_var.set("req-publish-01")
    try:
        celery_hooks._before_publish(headers=headers)
    finally:
        request_id_var.reset(token)
    assert headers == {"request_id": "req-publish-01"}
    outside: dict = {}
    celery_hooks._before_publish(headers=outside)
    assert outside == {}


def test_production_settings_log_json_and_development_plain_text(tmp_path):
    code = ("import django, logging, sys; django.setup(); from django.conf import settings; "
            "print(settings.LOGGING['handlers']['console']['formatter'], settings.LOG_REQUESTS)")
    env = {"SECRET_KEY": "s" * 60, "ALLOWED_HOSTS": "example.org", "PATH": "/usr/bin:/bin",
           "CREDENTIALS_KEY": Fernet.generate_key().decode()}  # production refuses the published test key
    prod = subprocess.run([sys.executable, "-c", code], env={**env, "DJANGO_SETTINGS_MODULE": "ludvika_social.settings.production"},
                          capture_output=True, text=True, check=True, timeout=60)
    dev = subprocess.run([sys.executable, "-c", code], env={**env, "DJANGO_SETTINGS_MODULE": "ludvika_social.settings"},
                         capture_output=True, text=True, check=True, timeout=60)
    assert prod.stdout.split() == ["json", "True"]
    assert dev.stdout.split() == ["plain", "False"]
