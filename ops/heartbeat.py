"""Workers' heartbeats: each Celery worker writes its row (WorkerHeartbeat) every
HEARTBEAT_SECONDS from a thread of its own, and deletes it on a clean shutdown.

A thread rather than Celery's own heartbeat events: those go over the broker and are seen
only by a process listening to events; a row by the database's clock is seen by every web
host, and a stalled database write stalls only this thread, never the worker's consumer.
"""

import logging
import threading
from contextlib import suppress

from celery.signals import worker_ready, worker_shutdown
from django.conf import settings
from django.db import DatabaseError, close_old_connections, connection

from core import clock

from .models import WorkerHeartbeat

logger = logging.getLogger(__name__)

_stop = threading.Event()


def worker_heartbeat_beat(*, hostname: str) -> None:
    """Say that the worker `hostname` is alive now (by the loop's clock)."""
    if not WorkerHeartbeat.objects.filter(hostname=hostname).update(seen_at=clock.now_in_sql()):
        WorkerHeartbeat.objects.update_or_create(
            hostname=hostname, defaults={"seen_at": clock.now()}
        )


def worker_heartbeat_forget(*, hostname: str) -> None:
    WorkerHeartbeat.objects.filter(hostname=hostname).delete()


def _beat_until_stopped(hostname: str) -> None:
    while True:
        try:
            close_old_connections()
            worker_heartbeat_beat(hostname=hostname)
        except DatabaseError:
            # The database is away: the worker is missed for a while, and says so again
            # as soon as it can.
            logger.warning("could not record the worker's heartbeat; retrying")
            connection.close()
        if _stop.wait(settings.HEARTBEAT_SECONDS):
            return


@worker_ready.connect
def _start_beating(sender=None, **_kwargs) -> None:
    hostname = getattr(sender, "hostname", None)
    if not hostname:
        return
    _stop.clear()
    threading.Thread(
        target=_beat_until_stopped, args=(hostname,), name="tvr-heartbeat", daemon=True
    ).start()


@worker_shutdown.connect
def _stop_beating(sender=None, **_kwargs) -> None:
    _stop.set()
    hostname = getattr(sender, "hostname", None)
    if hostname:
        # If the database is away, the row drops out of "seen lately" by itself.
        with suppress(DatabaseError):
            worker_heartbeat_forget(hostname=hostname)
