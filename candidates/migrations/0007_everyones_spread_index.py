from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("candidates", "0006_desk_copies"),
    ]

    operations = [
        # Everyone's interest spread: applications in process in interest_level order, so
        # the counts stream from the index alone.
        migrations.AddIndex(
            model_name="application",
            index=models.Index(
                condition=models.Q(("stage__in", ["hired", "rejected", "withdrawn"]), _negated=True),
                fields=["interest_level"],
                name="application_spread_idx",
            ),
        ),
    ]
