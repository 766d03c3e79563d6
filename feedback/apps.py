from django.apps import AppConfig
from django.db.models.signals import post_migrate


class FeedbackConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "feedback"

    def ready(self):
        from .roles import sync_after_migrate

        # Sent for this app once its permissions exist (and those of `candidates`, which
        # comes before it in INSTALLED_APPS): keep the Recruiter group exact.
        post_migrate.connect(
            sync_after_migrate, sender=self, dispatch_uid="feedback.roles.recruiter_group"
        )
