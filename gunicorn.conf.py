"""gunicorn settings for the web process (Procfile, compose.yaml): `gunicorn -c gunicorn.conf.py
ludvika_social.wsgi`. Every value can be changed through the environment.

Request metrics: each worker writes its samples to PROMETHEUS_MULTIPROC_DIR, which is emptied when
gunicorn starts and from which a dead worker's live gauges are removed, so /metrics reports the
requests of all workers whichever one answers the scrape (prometheus-client multiprocess mode).
"""

import multiprocessing
import os
import shutil
from pathlib import Path

_base = Path(__file__).resolve().parent

bind = os.environ.get("GUNICORN_BIND", f"0.0.0.0:{os.environ.get('PORT', '8000')}")
workers = int(os.environ.get("WEB_CONCURRENCY", min(2 * multiprocessing.cpu_count() + 1, 9)))
worker_class = "gthread"
threads = int(os.environ.get("GUNICORN_THREADS", "4"))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "60"))
graceful_timeout = int(os.environ.get("GUNICORN_GRACEFUL_TIMEOUT", "30"))
keepalive = 5
# Worker recycling is off by default: a recycled worker drops its keep-alive connections, and the
# load benchmark showed clients without retry (scripts, monitoring) getting connection errors then
# (docs/operations.md §9). Set GUNICORN_MAX_REQUESTS (e.g. 5000) only if memory grows without bound.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "0"))
max_requests_jitter = int(os.environ.get("GUNICORN_MAX_REQUESTS_JITTER", "500"))
# TLS ends at the proxy in front; only its address may set X-Forwarded-Proto.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
# The application logs each request itself, as JSON with its request id (LOG_REQUESTS).
accesslog = os.environ.get("GUNICORN_ACCESSLOG") or None
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOGLEVEL", "info")

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ludvika_social.settings.production")
os.environ.setdefault("PROMETHEUS_MULTIPROC_DIR", str(_base / "var" / "prometheus"))


def on_starting(server):
    folder = Path(os.environ["PROMETHEUS_MULTIPROC_DIR"])
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True, exist_ok=True)


def child_exit(server, worker):
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)
