"""The desk a row is on, kept on the applications and interviews the dashboard reads:
the candidate's owner (applications, interviews) and the position's recruiter
(interviews). Added empty, filled from the candidates and positions, then required."""

import django.db.models.deletion
from django.db import migrations, models
from django.db.models import OuterRef, Subquery


def fill(apps, schema_editor):
    Application = apps.get_model("candidates", "Application")
    Candidate = apps.get_model("candidates", "Candidate")
    Interview = apps.get_model("candidates", "Interview")
    Position = apps.get_model("candidates", "Position")
    Application.objects.update(
        candidate_owner=Subquery(
            Candidate.objects.filter(pk=OuterRef("candidate_id")).values("owner_id")[:1]
        )
    )
    Interview.objects.update(
        candidate_owner=Subquery(
            Application.objects.filter(pk=OuterRef("application_id")).values(
                "candidate_owner_id"
            )[:1]
        ),
        position_recruiter=Subquery(
            Position.objects.filter(applications=OuterRef("application_id")).values(
                "recruiter_id"
            )[:1]
        ),
    )


def recruiter(*, null: bool):
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
        ("candidates", "0005_dashboard_spread_index"),
    ]

    operations = [
        migrations.AddField("application", "candidate_owner", recruiter(null=True)),
        migrations.AddField("interview", "candidate_owner", recruiter(null=True)),
        migrations.AddField("interview", "position_recruiter", recruiter(null=True)),
        migrations.RunPython(fill, migrations.RunPython.noop),
        migrations.AlterField("application", "candidate_owner", recruiter(null=False)),
        migrations.AlterField("interview", "candidate_owner", recruiter(null=False)),
        migrations.AlterField("interview", "position_recruiter", recruiter(null=False)),
        # The interest spread by desk: one range of the owner's applications in process
        # (the old index went through the candidates, one probe per candidate).
        migrations.RemoveIndex("application", "application_in_process_idx"),
        migrations.AddIndex(
            model_name="application",
            index=models.Index(
                condition=models.Q(("stage__in", ["hired", "rejected", "withdrawn"]), _negated=True),
                fields=["candidate_owner", "interest_level"],
                name="application_desk_spread_idx",
            ),
        ),
        # A desk's response-time chart: its interviews of the window, one range.
        migrations.AddIndex(
            model_name="interview",
            index=models.Index(
                fields=["candidate_owner", "ends_at"],
                include=["id"],
                name="interview_desk_ends_idx",
            ),
        ),
    ]
