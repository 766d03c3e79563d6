from django.apps import AppConfig
from django.db.models.signals import post_migrate


class PrivacyConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "privacy"
    verbose_name = "Privacy"

    def ready(self):
        from feedback.roles import sync_after_migrate

        # The Recruiter group names this app's permissions (export), which exist only
        # once this app's post_migrate has created them: sync the group again then.
        post_migrate.connect(
            sync_after_migrate, sender=self, dispatch_uid="privacy.recruiter_group"
        )
