from django.apps import AppConfig


class CoreConfig(AppConfig):
    """What every app may use and that knows no domain: bulk SQL, the loop's clock,
    caching, formatting, and the admin's input checks, filters, paginators and action page."""

    name = "core"
    verbose_name = "Core"
