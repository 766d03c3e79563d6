"""The loop's clock: the database server's, so that every host reads the same one.

Web processes, sweeps and workers on several hosts write the loop's times (when a message
may go, when a claim was taken, when a task was handed out) and compare them with "now".
Their own clocks differ by whatever NTP leaves, and a worker a fraction of a second
behind the host that queued a message would find it "not yet due" and leave it to the
re-dispatch a minute later. The database's clock is the one clock they all share.

`LOOP_CLOCK = "local"` reads this process's clock instead: SQLite is in the process
anyway, and tests that move time with time-machine cannot move the database's.
"""

from datetime import datetime

from django.conf import settings
from django.db import connection
from django.db.models.functions import Now
from django.utils import timezone


def uses_database() -> bool:
    return settings.LOOP_CLOCK == "database" and connection.vendor == "postgresql"


def now() -> datetime:
    """The current time by the loop's clock (one round trip to the database)."""
    if not uses_database():
        return timezone.now()
    with connection.cursor() as cursor:
        # clock_timestamp(), not now(): inside a transaction now() is when it began.
        cursor.execute("SELECT clock_timestamp()")
        return cursor.fetchone()[0]


def now_in_sql() -> Now | datetime:
    """The loop's current time for a write or a condition that should cost no round trip
    of its own: the database's clock as an expression (read once per statement)."""
    return Now() if uses_database() else timezone.now()
