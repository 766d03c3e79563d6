"""The position a feedback request is for, kept on the request (a copy of its interview's
application's position): added empty, filled, then required; the client pages' index on
it, and the client list's overdue index carrying it."""

import django.db.models.deletion
from django.db import migrations, models
from django.db.models import OuterRef, Subquery


def fill(apps, schema_editor):
    FeedbackRequest = apps.get_model("feedback", "FeedbackRequest")
    Interview = apps.get_model("candidates", "Interview")
    FeedbackRequest.objects.update(
        position=Subquery(
            Interview.objects.filter(pk=OuterRef("interview_id")).values(
                "application__position_id"
            )[:1]
        )
    )


def position(*, null: bool):
    return models.ForeignKey(
        db_index=False,
        editable=False,
        null=null,
        on_delete=django.db.models.deletion.CASCADE,
        related_name="+",
        to="candidates.position",
    )


class Migration(migrations.Migration):
    dependencies = [
        ("candidates", "0007_everyones_spread_index"),
        ("feedback", "0009_desk_on_requests"),
    ]

    operations = [
        migrations.AddField("feedbackrequest", "position", position(null=True)),
        migrations.RunPython(fill, migrations.RunPython.noop),
        migrations.AlterField("feedbackrequest", "position", position(null=False)),
        migrations.RemoveIndex("feedbackrequest", "feedback_request_client_idx"),
        migrations.AddIndex(
            model_name="feedbackrequest",
            index=models.Index(
                condition=models.Q(("party", "client"), ("status__in", ["overdue", "pending"])),
                fields=["due_at", "id"],
                include=["position", "status"],
                name="feedback_request_client_idx",
            ),
        ),
        migrations.AddIndex(
            model_name="feedbackrequest",
            index=models.Index(
                condition=models.Q(
                    ("party", "client"), ("status__in", ["scheduled", "pending", "overdue"])
                ),
                fields=["position", "due_at", "id"],
                include=["status", "interview"],
                name="feedback_request_pos_open_idx",
            ),
        ),
    ]
