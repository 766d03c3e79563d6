from django.apps import AppConfig
from django.db.models.signals import post_migrate


class PrivacyConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "privacy"
    verbose_name = "Privacy"

    def ready(self):
        from feedback.roles import sync_after_migrate
        from feedback.signals import sms_consent_stated

        from .services import consent_record_from_text

        # STOP and START by text are consent statements like any other.
        sms_consent_stated.connect(consent_record_from_text, dispatch_uid="privacy.sms_consent")

        # The Recruiter group names this app's permissions (export), which exist only
        # once this app's post_migrate has created them: sync the group again then.
        post_migrate.connect(
            sync_after_migrate, sender=self, dispatch_uid="privacy.recruiter_group"
        )
