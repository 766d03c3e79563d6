"""The desk a feedback request is on, kept on the request itself: the candidate's owner
for the candidate's request, the position's recruiter for the client's (both read from the
interview's desk copies). Added empty, filled, then required; and the dashboard's desk
indexes on it."""

import django.db.models.deletion
from django.db import migrations, models
from django.db.models import OuterRef, Subquery


def fill(apps, schema_editor):
    FeedbackRequest = apps.get_model("feedback", "FeedbackRequest")
    Interview = apps.get_model("candidates", "Interview")
    for party, desk in (("candidate", "candidate_owner_id"), ("client", "position_recruiter_id")):
        FeedbackRequest.objects.filter(party=party).update(
            desk=Subquery(Interview.objects.filter(pk=OuterRef("interview_id")).values(desk)[:1])
        )


def desk(*, null: bool):
    return models.ForeignKey(
        db_index=False,
        editable=False,
        null=null,
        on_delete=django.db.models.deletion.PROTECT,
        related_name="+",
        to="candidates.recruiter",
    )


class Migration(migrations.Migration):
    dependencies = [
        ("candidates", "0007_everyones_spread_index"),
        ("feedback", "0008_drop_awaited_index_replaced_by_pending"),
    ]

    operations = [
        migrations.AddField("feedbackrequest", "desk", desk(null=True)),
        migrations.RunPython(fill, migrations.RunPython.noop),
        migrations.AlterField("feedbackrequest", "desk", desk(null=False)),
        migrations.AddIndex(
            model_name="feedbackrequest",
            index=models.Index(
                condition=models.Q(("status", "pending")),
                fields=["desk", "due_at", "id"],
                name="feedback_request_desk_pend_idx",
            ),
        ),
        migrations.AddIndex(
            model_name="feedbackrequest",
            index=models.Index(
                condition=models.Q(("party", "client"), ("status__in", ["overdue", "pending"])),
                fields=["desk", "due_at", "id"],
                name="feedback_request_desk_cli_idx",
            ),
        ),
    ]
