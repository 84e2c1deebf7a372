"""Queue routes for moderation (merged by ludvika_social/celery.py). Screening is CPU-bound: default."""

BEAT_SCHEDULE: dict = {}

TASK_ROUTES = {
    "moderation.tasks.versions_screen_task": {"queue": "default"},
    "moderation.tasks.channel_rescreen_task": {"queue": "default"},
}
