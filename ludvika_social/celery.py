"""The Celery application. Tasks live in each app's tasks.py and are found by autodiscovery.

Each app may have a ``schedule.py`` with plain dicts ``BEAT_SCHEDULE`` and ``TASK_ROUTES``; they
are merged here so beat and the queue routing are declared next to the tasks they concern.
Queues: ``default`` (CPU-bound work such as screening), ``poll`` (I/O-bound polling, a thread pool),
``actions`` (platform actions from the outbox).

Like wsgi.py, the workers and beat use the production settings unless DJANGO_SETTINGS_MODULE names
others (development opts in, as demo.env does).
"""

import importlib
import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ludvika_social.settings.production")

APPS_WITH_SCHEDULES = ("registry", "channels", "moderation", "archive")

app = Celery("ludvika_social")
app.config_from_object("django.conf:settings", namespace="CELERY")

beat_schedule: dict = {}
task_routes: dict = {}
for _name in APPS_WITH_SCHEDULES:
    try:
        _module = importlib.import_module(f"{_name}.schedule")
    except ModuleNotFoundError as exc:
        if exc.name != f"{_name}.schedule":
            raise
        continue
    beat_schedule.update(getattr(_module, "BEAT_SCHEDULE", {}))
    task_routes.update(getattr(_module, "TASK_ROUTES", {}))
app.conf.beat_schedule = beat_schedule
app.conf.task_routes = task_routes
app.autodiscover_tasks()
