from django.apps import AppConfig
from django.db.models.signals import post_migrate


class FeedbackConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "feedback"

    def ready(self):
        from candidates.signals import desks_changed

        from .roles import sync_after_migrate
        from .services.desks import follow_desks

        # Sent for this app once its permissions exist (and those of `candidates`, which
        # comes before it in INSTALLED_APPS): keep the Recruiter group exact.
        post_migrate.connect(
            sync_after_migrate, sender=self, dispatch_uid="feedback.roles.recruiter_group"
        )
        # A desk changed in candidates: the feedback requests' copies follow, in the same
        # transaction (candidates imports no other app, so it signals instead of calling).
        desks_changed.connect(follow_desks, dispatch_uid="feedback.services.desks.follow_desks")
