"""What the web needs to know about processes it cannot see: the workers."""

from django.db import models


class WorkerHeartbeat(models.Model):
    """A Celery worker that is alive says so here every few seconds (ops/heartbeat.py), by
    the loop's clock: the web, on any host, counts the workers seen lately from this table
    without asking the broker."""

    hostname = models.CharField(max_length=255, unique=True)  # the worker's node name
    seen_at = models.DateTimeField()

    class Meta:
        ordering = ["hostname"]

    def __str__(self):
        return f"{self.hostname} seen {self.seen_at}"
