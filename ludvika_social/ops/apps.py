from django.apps import AppConfig


class OpsConfig(AppConfig):
    name = "ludvika_social.ops"
    label = "ops"
    verbose_name = "Drift"

    def ready(self) -> None:
        # Celery signal hooks: the task id of the running task goes into every log record.
        from . import celery_hooks

        celery_hooks.connect()
