"""The /metrics text: django-prometheus's request and database metrics of this process (or
of every gunicorn worker, in prometheus-client's multiprocess mode) and the loop's, read
from the database (ops.metrics.LoopCollector)."""

import os

from prometheus_client import REGISTRY, CollectorRegistry, generate_latest, multiprocess

from .metrics import LoopCollector

_loop_registry = CollectorRegistry(auto_describe=False)
_loop_registry.register(LoopCollector())


def metrics_text() -> bytes:
    if "PROMETHEUS_MULTIPROC_DIR" in os.environ:
        # Several gunicorn workers: their metrics are added up from the shared directory.
        process_registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(process_registry)
    else:
        process_registry = REGISTRY
    return generate_latest(process_registry) + generate_latest(_loop_registry)
