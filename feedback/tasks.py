"""Thin Celery wrappers: take ids, call a service. The database says what is due."""

from celery import shared_task

from . import services
from .services import outbox


@shared_task(ignore_result=True)
def sweep() -> dict:
    return services.sweep_run().counts()


# The outbox dispatches a few messages to a task, by this name (services/outbox.py); each
# is claimed and sent on its own. acks_late (settings): a worker killed mid-task leaves the
# task to be delivered again; the service's claim makes a repeated delivery harmless.
@shared_task(name=outbox.DELIVER_MESSAGES_TASK, ignore_result=True)
def deliver_messages(message_ids: list[int]) -> list[str]:
    return services.outbox_deliver(message_ids=message_ids)


# Every minute (settings.CELERY_BEAT_SCHEDULE): no dashboard view waits for its charts.
@shared_task(ignore_result=True)
def refresh_dashboard_charts() -> int:
    return services.dashboard_charts_refresh()
