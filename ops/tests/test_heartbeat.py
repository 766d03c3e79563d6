"""Workers' heartbeats: a row per worker, by the loop's clock; seen for a minute."""

import datetime as dt

import pytest

from ops import selectors
from ops.heartbeat import worker_heartbeat_beat, worker_heartbeat_forget
from ops.models import WorkerHeartbeat

pytestmark = pytest.mark.django_db


def test_a_worker_is_seen_for_a_minute_after_its_last_heartbeat(clock):
    worker_heartbeat_beat(hostname="worker@host-a")
    clock.shift(dt.timedelta(seconds=30))
    worker_heartbeat_beat(hostname="worker@host-b")
    assert selectors.loop_status().workers_seen == ["worker@host-a", "worker@host-b"]

    clock.shift(dt.timedelta(seconds=31))
    assert selectors.loop_status().workers_seen == ["worker@host-b"]

    worker_heartbeat_beat(hostname="worker@host-a")  # it came back
    assert selectors.loop_status().workers_seen == ["worker@host-a", "worker@host-b"]
    assert WorkerHeartbeat.objects.count() == 2


def test_a_worker_that_shuts_down_cleanly_is_no_longer_seen(clock):
    worker_heartbeat_beat(hostname="worker@host-a")
    worker_heartbeat_forget(hostname="worker@host-a")
    assert selectors.loop_status().workers_seen == []
