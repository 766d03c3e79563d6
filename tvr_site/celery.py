"""The Celery app, configured from Django settings under the CELERY_ namespace."""

import os

from celery import Celery
from celery.signals import task_postrun, task_prerun
from django_structlog.celery.steps import DjangoStructLogInitStep

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tvr_site.settings.local")

app = Celery("tvr_site")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
# A task's log lines carry the request id of the request that enqueued it (and its own
# task id): django-structlog reads them from the task's headers.
app.steps["worker"].add(DjangoStructLogInitStep)


@task_prerun.connect
@task_postrun.connect
def _connections_as_for_a_request(sender=None, **_kwargs) -> None:
    """Keep a worker's database connection between tasks as Django keeps a web process's
    between requests: closed only when older than CONN_MAX_AGE or broken (and checked
    before reuse, CONN_HEALTH_CHECKS). Celery's own Django fixup closes it around every
    task unless CELERY_DB_REUSE_MAX is set (settings); a new PostgreSQL backend per task,
    with its caches cold, cost more than the task's own queries."""
    if getattr(getattr(sender, "request", None), "is_eager", False):
        return  # runs inside the caller's transaction
    from django.db import close_old_connections

    close_old_connections()
