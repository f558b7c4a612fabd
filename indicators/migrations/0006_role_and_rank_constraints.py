from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("indicators", "0005_roles_of_766_and_ranks_on_totals")]

    operations = [
        migrations.AddConstraint(
            model_name="indicator",
            constraint=models.UniqueConstraint(
                condition=models.Q(("role", ""), _negated=True),
                fields=("framework", "role"),
                name="indicator_role_unique_in_framework",
            ),
        ),
        migrations.AddConstraint(
            model_name="score",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("points__isnull", False),
                    ("rate__isnull", False),
                    ("count__isnull", False),
                    ("rank__isnull", False),
                    ("change__isnull", False),
                    _connector="OR",
                ),
                name="score_has_a_value",
            ),
        ),
        migrations.AddConstraint(
            model_name="score",
            constraint=models.CheckConstraint(
                condition=models.Q(("rank__isnull", True), ("rank__gte", 1), _connector="OR"),
                name="score_rank_positive",
            ),
        ),
        migrations.AddConstraint(
            model_name="score",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("rank__isnull", True),
                    ("rank_of__isnull", True),
                    ("rank__lte", models.F("rank_of")),
                    _connector="OR",
                ),
                name="score_rank_within_ranked",
            ),
        ),
        migrations.AddConstraint(
            model_name="scorerecord",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("points__isnull", False),
                    ("rate__isnull", False),
                    ("count__isnull", False),
                    ("rank__isnull", False),
                    ("change__isnull", False),
                    _connector="OR",
                ),
                name="record_has_a_value",
            ),
        ),
        migrations.AddConstraint(
            model_name="scorerecord",
            constraint=models.CheckConstraint(
                condition=models.Q(("rank__isnull", True), ("rank__gte", 1), _connector="OR"),
                name="record_rank_positive",
            ),
        ),
        migrations.AddConstraint(
            model_name="scorerecord",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("rank__isnull", True),
                    ("rank_of__isnull", True),
                    ("rank__lte", models.F("rank_of")),
                    _connector="OR",
                ),
                name="record_rank_within_ranked",
            ),
        ),
    ]
