"""gunicorn's settings for the web process: `gunicorn -c deploy/gunicorn.conf.py
tvr_site.wsgi` (deploy/systemd/tvr-web.service, Procfile). docs/deployment.md explains it.

Every value can be changed from the environment without editing this file.
"""

import multiprocessing
import os
import shutil
import sys
from pathlib import Path

# The project's root, so that `tvr_site` imports however gunicorn was started.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tvr_site.logs import logging_config  # noqa: E402

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
# Sync workers: each request holds a worker, none waits on a slow peer (mail goes
# through the outbox and the workers, never from a request).
workers = int(os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count() * 2 + 1))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = 30
keepalive = 5
# A worker is replaced now and then, so that no slow leak grows for weeks.
max_requests = 2000
max_requests_jitter = 200
# The balancer or proxy in front: the only address whose X-Forwarded-* headers count.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")

# Logs: the application logs every request itself (with its request id, without link
# tokens or query strings), so no access log here; gunicorn's own lines take the
# application's format (LOG_FORMAT) on stdout.
accesslog = None
logconfig_dict = logging_config(
    log_format=os.environ.get("LOG_FORMAT", "text"), level=os.environ.get("LOG_LEVEL", "INFO")
) | {
    "loggers": {
        "gunicorn.error": {"handlers": ["stdout"], "level": "INFO", "propagate": False},
        "gunicorn.access": {"handlers": [], "level": "INFO", "propagate": False},
    }
}

# /metrics with several workers: prometheus-client's multiprocess mode adds up every
# worker's request and database counters from files in this directory.
_metrics_dir = os.environ.get("PROMETHEUS_MULTIPROC_DIR")


def on_starting(server):
    if _metrics_dir:
        # Counters of an earlier run would be added to this one's.
        shutil.rmtree(_metrics_dir, ignore_errors=True)
        os.makedirs(_metrics_dir, exist_ok=True)


def child_exit(server, worker):
    if _metrics_dir:
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)
