from django.apps import AppConfig


class OpsConfig(AppConfig):
    """Running it: health checks, metrics and the workers' heartbeats."""

    name = "ops"
    verbose_name = "Operations"

    def ready(self) -> None:
        # A worker that loads the project starts writing its heartbeat (ops/heartbeat.py).
        from . import heartbeat  # noqa: F401
