"""The production process layout and the Celery reliability settings, checked from the files
themselves (Docker cannot run here, so compose.yaml is parsed rather than started)."""

from __future__ import annotations

import runpy
from pathlib import Path

import yaml
from django.conf import settings

from ludvika_social.celery import app

ROOT = Path(settings.BASE_DIR)


def _procfile() -> dict[str, str]:
    lines = (ROOT / "Procfile").read_text().splitlines()
    return dict(line.split(": ", 1) for line in lines if line.strip() and not line.startswith("#"))


def test_procfile_runs_web_worker_poller_and_beat():
    procs = _procfile()
    assert set(procs) == {"web", "worker", "poller", "beat"}
    assert procs["web"].startswith("gunicorn -c gunicorn.conf.py ludvika_social.wsgi")
    assert "--queues default,actions" in procs["worker"] and "--prefetch-multiplier 1" in procs["worker"]
    assert "--queues poll" in procs["poller"] and "--pool threads" in procs["poller"]
    assert procs["beat"].startswith("celery -A ludvika_social beat")


def test_compose_has_every_service_and_the_same_commands_as_the_procfile():
    compose = yaml.safe_load((ROOT / "compose.yaml").read_text())
    services = compose["services"]
    assert {"db", "redis", "migrate", "web", "worker", "poller", "beat"} <= set(services)
    assert services["db"]["image"].startswith("postgres:15")
    assert "--appendonly" in services["redis"]["command"]
    procs = _procfile()
    for name in ("web", "worker", "poller", "beat"):
        command = " ".join(services[name]["command"])
        assert command.split()[:2] == procs[name].split()[:2], name
        assert services[name]["environment"]["DJANGO_SETTINGS_MODULE"] == "ludvika_social.settings.production"
        assert services[name]["environment"]["DATABASE_URL"].startswith("postgres://")
        assert services[name]["environment"]["REDIS_URL"].startswith("redis://")
    assert "default,actions" in services["worker"]["command"]
    assert "poll" in services["poller"]["command"] and "threads" in services["poller"]["command"]
    assert services["web"]["environment"]["PROMETHEUS_MULTIPROC_DIR"]
    assert (ROOT / "Dockerfile").is_file()


def test_gunicorn_config_loads_with_sane_values(monkeypatch, tmp_path):
    # The config sets these with setdefault; set them here so they are restored after the test.
    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", str(tmp_path))
    monkeypatch.setenv("DJANGO_SETTINGS_MODULE", "ludvika_social.settings.test")
    monkeypatch.setenv("PORT", "8123")
    monkeypatch.setenv("WEB_CONCURRENCY", "3")
    config = runpy.run_path(str(ROOT / "gunicorn.conf.py"))
    assert config["bind"] == "0.0.0.0:8123" and config["workers"] == 3
    assert config["worker_class"] == "gthread" and config["timeout"] >= 30
    assert callable(config["child_exit"]) and callable(config["on_starting"])


def test_celery_acknowledges_late_and_requeues_on_worker_loss():
    conf = app.conf
    assert conf.task_acks_late is True
    assert conf.task_reject_on_worker_lost is True
    assert conf.worker_prefetch_multiplier == 1
    assert conf.broker_connection_max_retries is None
    assert conf.worker_hijack_root_logger is False


def test_visibility_timeout_exceeds_the_longest_task_and_countdown():
    from channels.tasks import attachment_download_task, channel_poll_task, thread_context_fetch_task

    visibility = 2 * 60 * 60  # the Redis setting in base.py (CELERY_VISIBILITY_TIMEOUT default)
    assert visibility > settings.CELERY_TASK_TIME_LIMIT > settings.CELERY_TASK_SOFT_TIME_LIMIT
    longest_countdown = max(
        float(getattr(settings, "CHANNELS_OUTBOX_BACKOFF_CAP_SECONDS", 900)),
        channel_poll_task.retry_backoff_max, thread_context_fetch_task.retry_backoff_max, 600,
    )
    assert visibility > longest_countdown
    assert attachment_download_task.max_retries is not None


def test_redis_broker_gets_the_visibility_timeout(monkeypatch):
    import subprocess
    import sys

    code = ("import django; django.setup(); from django.conf import settings; "
            "print(settings.CELERY_BROKER_TRANSPORT_OPTIONS['visibility_timeout'])")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60,
                         env={"PATH": "/usr/bin:/bin", "DJANGO_SETTINGS_MODULE": "ludvika_social.settings",
                              "REDIS_URL": "redis://127.0.0.1:6379/15"}, cwd=ROOT)
    assert int(out.stdout) == 7200


def test_polling_and_actions_have_their_own_queues():
    routes = app.conf.task_routes
    assert routes["channels.tasks.channel_poll_task"]["queue"] == "poll"
    assert routes["channels.tasks.polls_enqueue_due_task"]["queue"] == "poll"
    assert routes["channels.tasks.outbox_execute_task"]["queue"] == "actions"
    assert routes["channels.tasks.outbox_sweep_task"]["queue"] == "actions"


def test_every_retrying_task_has_a_bound_on_its_retries():
    app.loader.import_default_modules()
    for name, task in app.tasks.items():
        if name.startswith(("channels.", "moderation.", "archive.", "registry.")) and getattr(task, "autoretry_for", ()):
            assert task.max_retries is not None, name
            assert getattr(task, "retry_jitter", False), name
