"""Run the sweep once, or in a loop: an alternative to Celery beat (cron, a sidecar), and
safe beside it or beside other loops, since every step is a compare-and-set."""

import logging
import time

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import DatabaseError, connections

from feedback import services

logger = logging.getLogger(__name__)


class Command(BaseCommand):
    help = "Do what is due now (asks, reminders, deadlines, lost messages); --loop to repeat."

    def add_arguments(self, parser):
        parser.add_argument("--loop", action="store_true", help="Repeat until stopped.")
        parser.add_argument(
            "--interval",
            type=float,
            default=settings.SWEEP_INTERVAL_SECONDS,
            help="Seconds between sweeps with --loop.",
        )

    def handle(self, *args, loop: bool, interval: float, **options):
        if loop:
            self.stdout.write(f"sweeping every {interval:g} s")
        while True:
            try:
                result = services.sweep_run()
            except DatabaseError as exc:
                if not loop:
                    raise
                # The database went away (restart, failover): drop the broken connection
                # and try again next round; nothing was half-done (each batch is atomic).
                logger.warning("sweep failed, retrying: %s", exc)
                connections.close_all()
            else:
                if not loop or result.acted:
                    self.stdout.write(
                        f"asked {result.asked}, reminded {result.reminded}, "
                        f"overdue {result.overdue}, redispatched {result.redispatched}"
                    )
            if not loop:
                return
            time.sleep(interval)
