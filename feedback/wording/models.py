"""The agency's own wording of a message: a part left blank is the shipped file's."""

from django.conf import settings
from django.db import models

from .catalog import KEY_CHOICES


class MessageWording(models.Model):
    key = models.CharField(max_length=48, unique=True, choices=KEY_CHOICES)
    subject = models.TextField(blank=True, help_text="Blank: the shipped subject.")
    body_text = models.TextField(blank=True, help_text="Blank: the shipped text.")
    body_html = models.TextField(blank=True, help_text="Blank: the shipped HTML.")
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        app_label = "feedback"
        ordering = ["key"]
        verbose_name = "message wording"
        verbose_name_plural = "message wording"

    def __str__(self):
        return self.get_key_display()
