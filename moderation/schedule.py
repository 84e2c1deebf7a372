"""Beat entries and queue routes for moderation (merged by ludvika_social/celery.py).
Screening is CPU-bound: default. Reconciling outbox outcomes and the reminders are light: default."""

BEAT_SCHEDULE: dict = {
    "moderation-actions-reconcile": {"task": "moderation.tasks.actions_reconcile_task", "schedule": 20.0},
    "moderation-reminders": {"task": "moderation.tasks.reminders_task", "schedule": 15 * 60.0},
}

TASK_ROUTES = {
    "moderation.tasks.versions_screen_task": {"queue": "default"},
    "moderation.tasks.channel_rescreen_task": {"queue": "default"},
    "moderation.tasks.actions_reconcile_task": {"queue": "default"},
    "moderation.tasks.reminders_task": {"queue": "default"},
}
