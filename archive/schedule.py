"""Beat entries and queue routes for the archive (merged by ludvika_social/celery.py)."""

from celery.schedules import crontab

BEAT_SCHEDULE = {
    "archive-gallring-daily": {
        "task": "archive.tasks.gallring_run_task",
        "schedule": crontab(hour=2, minute=30),
        "options": {"queue": "default", "expires": 6 * 60 * 60},
    },
    "archive-exports-purge-daily": {
        "task": "archive.tasks.exports_purge_task",
        "schedule": crontab(hour=2, minute=15),
        "options": {"queue": "default", "expires": 6 * 60 * 60},
    },
    "archive-request-deadlines": {
        "task": "archive.tasks.request_deadline_reminders_task",
        "schedule": 30 * 60.0,
        "options": {"queue": "default", "expires": 25 * 60},
    },
    "archive-verify-daily": {
        "task": "archive.tasks.archive_verify_task",
        "schedule": crontab(hour=3, minute=30),
        "options": {"queue": "default", "expires": 6 * 60 * 60},
    },
}

TASK_ROUTES = {
    "archive.tasks.gallring_run_task": {"queue": "default"},
    "archive.tasks.archive_verify_task": {"queue": "default"},
    "archive.tasks.exports_purge_task": {"queue": "default"},
    "archive.tasks.request_deadline_reminders_task": {"queue": "default"},
}
