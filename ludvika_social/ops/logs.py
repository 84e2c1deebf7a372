"""Structured logs: one JSON object per line, with the request id and the Celery task id.

``ContextFilter`` adds ``request_id``, ``task_id`` and ``task_name`` to every record;
``JsonFormatter`` writes the record as JSON. The message and any exception text are passed through
ludvika_social.logging.redact once more while formatting, so a personal identity number or a secret
in a traceback never reaches the output either (the RedactFilter cleans the message itself)."""

from __future__ import annotations

import datetime as dt
import json
import logging

from ludvika_social.logging import redact

from .context import request_id_var, task_id_var, task_name_var

# Attributes of every LogRecord; anything else on a record was passed with ``extra=`` and is kept.
_STANDARD = set(vars(logging.LogRecord("x", logging.INFO, "x", 0, "", None, None))) | {"message", "asctime"}
_CONTEXT = ("request_id", "task_id", "task_name")


class ContextFilter(logging.Filter):
    """Adds the current request id and task id (empty outside a request or task)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not getattr(record, "request_id", ""):
            record.request_id = request_id_var.get()
        if not getattr(record, "task_id", ""):
            record.task_id = task_id_var.get()
        if not getattr(record, "task_name", ""):
            record.task_name = task_name_var.get()
        return True


def _jsonable(value):
    if isinstance(value, str | int | float | bool) or value is None:
        return value
    return str(value)


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        payload = {
            "time": dt.datetime.fromtimestamp(record.created, tz=dt.UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": redact(record.getMessage()),
        }
        for key in _CONTEXT:
            value = getattr(record, key, "")
            if value:
                payload[key] = value
        for key, value in vars(record).items():
            if key not in _STANDARD and key not in _CONTEXT and key not in payload and not key.startswith("_"):
                payload[key] = redact(str(value)) if isinstance(value, str) else _jsonable(value)
        if record.exc_info:
            payload["exception"] = redact(self.formatException(record.exc_info))
        elif record.exc_text:
            payload["exception"] = redact(record.exc_text)
        if record.stack_info:
            payload["stack"] = redact(self.formatStack(record.stack_info))
        return json.dumps(payload, ensure_ascii=False)


class PlainFormatter(logging.Formatter):
    """The development format, with the ids when there are any; exception text is redacted too."""

    def format(self, record: logging.LogRecord) -> str:
        ids = " ".join(f"{k}={getattr(record, k)}" for k in ("request_id", "task_id") if getattr(record, k, ""))
        record.ids = f" [{ids}]" if ids else ""
        return redact(super().format(record))


def logging_config(*, json_logs: bool, level: str) -> dict:
    """The LOGGING dict for settings: JSON or plain text, always redacted and with the ids."""
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {
            "redact": {"()": "ludvika_social.logging.RedactFilter"},
            "context": {"()": "ludvika_social.ops.logs.ContextFilter"},
        },
        "formatters": {
            "plain": {"()": "ludvika_social.ops.logs.PlainFormatter",
                      "format": "%(asctime)s %(levelname)s %(name)s%(ids)s %(message)s"},
            "json": {"()": "ludvika_social.ops.logs.JsonFormatter"},
        },
        "handlers": {
            "console": {"class": "logging.StreamHandler", "formatter": "json" if json_logs else "plain",
                        "filters": ["context", "redact"]},
        },
        "root": {"handlers": ["console"], "level": level},
        "loggers": {
            "django.db.backends": {"level": "WARNING"},
            # Celery installs its own handlers unless told not to (CELERY_WORKER_HIJACK_ROOT_LOGGER).
            "celery": {"level": level},
        },
    }
