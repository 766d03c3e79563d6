"""Helpers shared by the system tests."""

import os
from pathlib import Path
from urllib.parse import quote

import pytest


def skip_or_fail(reason: str) -> None:
    """A missing prerequisite skips the test, unless REQUIRE_E2E=1 makes it a failure."""
    if os.environ.get("REQUIRE_E2E") == "1":
        pytest.fail(f"{reason} (REQUIRE_E2E=1: this must not be skipped)", pytrace=False)
    pytest.skip(reason)


def drop_run_queues(broker_url: str) -> None:
    """Delete this run's Celery queues (and their bindings) from a Redis or an AMQP
    broker; nothing to do when the broker cannot be reached."""
    from django.conf import settings

    queue = settings.CELERY_TASK_DEFAULT_QUEUE
    if not queue.startswith("tvr-test-"):
        return
    names = (queue, settings.SWEEP_QUEUE)
    if broker_url.startswith("redis://"):
        import redis

        # kombu's Redis transport: one list per priority step, and the exchange's bindings.
        keys = [
            key
            for name in names
            for key in (
                name,
                *(f"{name}\x06\x16{step}" for step in (3, 6, 9)),
                f"_kombu.binding.{name}",
                f"_kombu.binding_permanent.{name}",
            )
        ]
        try:
            client = redis.Redis.from_url(broker_url, socket_connect_timeout=1, socket_timeout=2)
            client.delete(*keys)
        except redis.RedisError:
            pass  # no broker reachable: then nothing was left there either
        return
    from kombu import Connection

    conn = Connection(broker_url, connect_timeout=2)
    try:
        with conn:
            channel = conn.default_channel
            for name in names:
                channel.queue_delete(name)
                channel.exchange_delete(name)
    except (OSError, *conn.connection_errors, *conn.channel_errors):
        pass  # no broker reachable: then nothing was left there either


def database_url_for_subprocesses() -> str:
    """The test database pytest-django created, as a URL the subprocesses can open."""
    from django.db import connection

    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return "sqlite:///" + str(Path(db["NAME"]).resolve())
    if connection.vendor == "postgresql":
        auth = quote(db["USER"] or "", safe="")
        if db.get("PASSWORD"):
            auth += ":" + quote(db["PASSWORD"], safe="")
        host = db["HOST"] or "localhost"
        host = quote(host, safe="") if host.startswith("/") else host
        port = f":{db['PORT']}" if db["PORT"] else ""
        return f"postgres://{auth}@{host}{port}/{quote(db['NAME'], safe='')}"
    pytest.fail(f"no URL form for a {connection.vendor} test database", pytrace=False)
