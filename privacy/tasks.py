"""Thin Celery wrappers around privacy's services."""

from celery import shared_task

from . import services


@shared_task(ignore_result=True)
def apply_retention_rule() -> int:
    return services.retention_apply()
