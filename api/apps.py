from django.apps import AppConfig


class ApiConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "api"
    verbose_name = "API"

    def ready(self):
        from django.db.models.signals import post_migrate

        from feedback import roles

        from . import schema  # noqa: F401 - registers the key's security scheme

        # Recruiters make and revoke (change) their integrations' keys; nobody edits one.
        roles.recruiter_permissions_add("api", {"apikey": ("view", "add", "change")})
        post_migrate.connect(
            roles.sync_after_migrate, sender=self, dispatch_uid="api.recruiter_group"
        )
