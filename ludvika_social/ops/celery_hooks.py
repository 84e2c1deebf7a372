"""Celery signal hooks: the running task's id and name go into the logging context, and the id of
the request that enqueued a task travels with it in a message header (``request_id``)."""

from __future__ import annotations

from celery import signals

from .context import request_id_var, safe_request_id, task_id_var, task_name_var

_tokens: dict[str, tuple] = {}


def _before_publish(headers=None, **kwargs) -> None:
    rid = request_id_var.get()
    if rid and isinstance(headers, dict) and "request_id" not in headers:
        headers["request_id"] = rid


def _prerun(task_id=None, task=None, **kwargs) -> None:
    rid = ""
    if task is not None:
        # A worker merges custom message headers into the request; an eager apply() keeps them in .headers.
        rid = getattr(task.request, "request_id", None) or (getattr(task.request, "headers", None) or {}).get(
            "request_id", "")
    _tokens[task_id] = (
        task_id_var.set(task_id or ""),
        task_name_var.set(getattr(task, "name", "") or ""),
        request_id_var.set(safe_request_id(rid) or "" if isinstance(rid, str) else ""),
    )


def _postrun(task_id=None, **kwargs) -> None:
    tokens = _tokens.pop(task_id, None)
    if tokens is None:
        return
    for var, token in zip((task_id_var, task_name_var, request_id_var), tokens, strict=True):
        try:
            var.reset(token)
        except ValueError:
            # Reset from another context (should not happen): fall back to clearing the value.
            var.set("")


def connect() -> None:
    signals.before_task_publish.connect(_before_publish, weak=False, dispatch_uid="ops-before-publish")
    signals.task_prerun.connect(_prerun, weak=False, dispatch_uid="ops-task-prerun")
    signals.task_postrun.connect(_postrun, weak=False, dispatch_uid="ops-task-postrun")
