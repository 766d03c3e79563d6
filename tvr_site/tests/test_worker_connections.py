"""A worker keeps its database connection between tasks as a web process does between
requests, instead of opening a new one (a new PostgreSQL backend) for every task."""

import time

import pytest
from celery.fixups.django import DjangoWorkerFixup
from celery.signals import task_postrun, task_prerun
from django.db import connection

from feedback.tasks import deliver_messages
from tvr_site.celery import app

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def open_connection():
    connection.ensure_connection()
    yield connection
    connection.close()


def run_task_signals():
    for signal in (task_prerun, task_postrun):
        signal.send(sender=deliver_messages, task_id="t", task=deliver_messages, args=(), kwargs={})


def test_a_young_connection_outlives_the_task(open_connection):
    open_connection.close_at = time.monotonic() + 60
    before = open_connection.connection
    run_task_signals()
    assert open_connection.connection is before


def test_a_connection_older_than_its_max_age_is_closed_after_the_task(open_connection):
    open_connection.close_at = time.monotonic() - 1
    run_task_signals()
    assert open_connection.connection is None


def test_celerys_django_fixup_leaves_the_connection_to_us(open_connection):
    """The fixup that runs in every worker closes the connection around each task unless
    told how many tasks it may serve."""
    fixup = DjangoWorkerFixup(app)
    open_connection.close_at = time.monotonic() + 60
    before = open_connection.connection
    for _ in range(10):
        fixup.on_task_prerun(sender=deliver_messages)
        fixup.on_task_postrun(sender=deliver_messages)
    assert open_connection.connection is before
