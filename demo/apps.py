from django.apps import AppConfig


class DemoConfig(AppConfig):
    """seed_demo and demo_links: the demo story, built through the real services."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "demo"
