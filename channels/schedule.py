"""Beat entries and queue routes for the channels app (merged by ludvika_social/celery.py)."""

BEAT_SCHEDULE = {
    "channels-polls-enqueue-due": {
        "task": "channels.tasks.polls_enqueue_due_task",
        "schedule": 60.0,
        "options": {"queue": "poll", "expires": 55},
    },
    "channels-outbox-sweep": {
        "task": "channels.tasks.outbox_sweep_task",
        "schedule": 60.0,
        "options": {"queue": "actions", "expires": 55},
    },
}

TASK_ROUTES = {
    "channels.tasks.polls_enqueue_due_task": {"queue": "poll"},
    "channels.tasks.channel_poll_task": {"queue": "poll"},
    "channels.tasks.attachment_download_task": {"queue": "poll"},
    "channels.tasks.thread_context_fetch_task": {"queue": "poll"},
    "channels.tasks.outbox_execute_task": {"queue": "actions"},
    "channels.tasks.outbox_sweep_task": {"queue": "actions"},
}
