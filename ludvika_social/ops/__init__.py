"""Operations: request ids, structured logs, Celery task ids in logs, /healthz and /metrics."""
