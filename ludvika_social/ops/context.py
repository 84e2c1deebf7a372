"""The ids that tie log lines together: the HTTP request's id and the Celery task's id.

Context variables, so each thread of a threaded gunicorn worker or a thread-pool Celery worker has
its own value."""

from __future__ import annotations

import contextvars
import re
import uuid

request_id_var: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="")
task_id_var: contextvars.ContextVar[str] = contextvars.ContextVar("task_id", default="")
task_name_var: contextvars.ContextVar[str] = contextvars.ContextVar("task_name", default="")

# An incoming X-Request-ID is honoured only if it is a short token of safe characters: it ends up in
# logs and in audit rows, so no spaces, quotes, newlines or markup.
_SAFE_ID = re.compile(r"[A-Za-z0-9._:-]{8,64}")


def safe_request_id(value: str | None) -> str | None:
    """``value`` if it is a safe token, else None."""
    if value and _SAFE_ID.fullmatch(value):
        return value
    return None


def new_request_id() -> str:
    return uuid.uuid4().hex


def current_request_id() -> str:
    return request_id_var.get()
