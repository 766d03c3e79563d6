"""The readiness checks that django-health-check does not ship: Celery's broker (whatever
transport CELERY_BROKER_URL names) and the loop itself."""

import dataclasses
from datetime import timedelta

from asgiref.sync import sync_to_async
from celery import current_app
from health_check.base import HealthCheck
from health_check.exceptions import ServiceUnavailable

from . import selectors


@dataclasses.dataclass
class Broker(HealthCheck):
    """Open (and close) a connection to Celery's broker: Redis, RabbitMQ, whichever the
    settings name, through the same transport the workers use."""

    timeout = timedelta(seconds=3)

    def run(self) -> None:
        connection = current_app.connection_for_write()
        try:
            connection.connect()
        except Exception as exc:  # noqa: BLE001 - every transport fails in its own way
            raise ServiceUnavailable("the broker does not answer") from exc
        finally:
            connection.release()


@dataclasses.dataclass
class Loop(HealthCheck):
    """The loop runs: a sweep finished lately, and no due message waits past its
    re-dispatch (ops.selectors.LoopStatus.problems)."""

    async def run(self) -> None:
        # On the request's own thread and database connection (thread_sensitive).
        status = await sync_to_async(selectors.loop_status)()
        if status.problems:
            raise ServiceUnavailable("; ".join(status.problems))
