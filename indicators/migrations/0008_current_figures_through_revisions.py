# The current figures stop being a second copy of the history: a unit's current revision for a month
# is one row of CurrentRevision, and `indicators_score` becomes a view that reads the records of that
# revision. An import then writes each figure once (see indicators.models.Score). The records carry
# their revision's month, so that a month's figures are read from one index.

import django.db.models.deletion
from django.db import migrations, models

# Figures that only the current table held (none are expected: every write path wrote the records
# too) are kept as records of their revision before the table goes.
KEEP_FIGURES = """
INSERT INTO indicators_scorerecord (revision_id, period_id, unit_id, indicator_id, points, rate, count, change_text,
                                    change, rank, rank_of, rank_change)
SELECT s.revision_id, s.period_id, s.unit_id, s.indicator_id, s.points, s.rate, s.count, s.change_text,
       s.change, s.rank, s.rank_of, s.rank_change
FROM indicators_score s
WHERE NOT EXISTS (SELECT 1 FROM indicators_scorerecord r
                  WHERE r.revision_id = s.revision_id AND r.unit_id = s.unit_id AND r.indicator_id = s.indicator_id)
"""
POINT = """
INSERT INTO indicators_currentrevision (period_id, unit_id, revision_id)
SELECT period_id, unit_id, MAX(revision_id) FROM indicators_score GROUP BY period_id, unit_id
"""
VIEW = """
CREATE VIEW indicators_score AS
SELECT r.id, r.revision_id, c.period_id, r.unit_id, r.indicator_id, r.points, r.rate, r.count,
       r.change_text, r.change, r.rank, r.rank_of, r.rank_change
FROM indicators_currentrevision c
JOIN indicators_scorerecord r ON r.period_id = c.period_id AND r.revision_id = c.revision_id AND r.unit_id = c.unit_id
"""

RECORD_MONTHS = (
    "UPDATE indicators_scorerecord SET period_id = "
    "(SELECT v.period_id FROM indicators_importrevision v WHERE v.id = indicators_scorerecord.revision_id)"
)

# A record's and a pointer's month is their revision's (the ImportRevision (id, period) unique constraint is the
# target); for the records this one key replaces the key to the revision. PostgreSQL only: SQLite cannot add a
# constraint to an existing table.
ADD_KEYS = [
    f"ALTER TABLE indicators_{table} ADD CONSTRAINT {table}_revision_of_period "
    "FOREIGN KEY (revision_id, period_id) REFERENCES indicators_importrevision (id, period_id) "
    "DEFERRABLE INITIALLY DEFERRED"
    for table in ("scorerecord", "currentrevision")
]


def record_months(apps, schema_editor):
    schema_editor.execute(RECORD_MONTHS)


def to_view(apps, schema_editor):
    schema_editor.execute(KEEP_FIGURES)
    schema_editor.execute(POINT)
    schema_editor.execute("DROP TABLE indicators_score")
    schema_editor.execute(VIEW)
    if schema_editor.connection.vendor == "postgresql":
        for sql in ADD_KEYS:
            schema_editor.execute(sql)


SCORE_CONSTRAINTS = [
    "score_unique_unit_period_indicator",
    "score_points_positive",
    "score_rate_range",
    "score_count_positive",
    "score_has_a_value",
    "score_rank_positive",
    "score_rank_within_ranked",
]


class Migration(migrations.Migration):
    dependencies = [
        ("indicators", "0007_delete_publication"),
        ("units", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="scorerecord",
            name="period",
            field=models.ForeignKey(
                db_constraint=False,
                db_index=False,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="indicators.period",
            ),
        ),
        migrations.RunPython(record_months, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="scorerecord",
            name="period",
            field=models.ForeignKey(
                db_constraint=False,
                db_index=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="indicators.period",
            ),
        ),
        migrations.AlterField(
            model_name="scorerecord",
            name="indicator",
            field=models.ForeignKey(
                db_index=False, on_delete=django.db.models.deletion.PROTECT, related_name="+", to="indicators.indicator"
            ),
        ),
        migrations.AlterField(
            model_name="scorerecord",
            name="revision",
            field=models.ForeignKey(
                db_constraint=False,
                db_index=False,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="records",
                to="indicators.importrevision",
            ),
        ),
        migrations.AddIndex(
            model_name="scorerecord",
            index=models.Index(fields=["indicator", "period"], name="record_indicator_period"),
        ),
        migrations.CreateModel(
            name="CurrentRevision",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                (
                    "period",
                    models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="indicators.period",
                    ),
                ),
                (
                    "revision",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="current_units",
                        to="indicators.importrevision",
                    ),
                ),
                (
                    "unit",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT, related_name="+", to="units.administrativeunit"
                    ),
                ),
            ],
            options={
                "verbose_name": "lần nhập hiện hành của đơn vị",
                "verbose_name_plural": "lần nhập hiện hành của đơn vị",
                "constraints": [
                    models.UniqueConstraint(fields=("period", "unit"), name="current_revision_unique_unit_month")
                ],
            },
        ),
        migrations.SeparateDatabaseAndState(
            # One way: the figures are kept, but turning the view back into a table is not written.
            database_operations=[migrations.RunPython(to_view)],
            state_operations=[
                migrations.RemoveIndex(model_name="score", name="indicators__period__9dd023_idx"),
                *(migrations.RemoveConstraint(model_name="score", name=name) for name in SCORE_CONSTRAINTS),
                migrations.AlterField(
                    model_name="score",
                    name="period",
                    field=models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT, related_name="scores", to="indicators.period"
                    ),
                ),
                migrations.AlterField(
                    model_name="score",
                    name="revision",
                    field=models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="current_scores",
                        to="indicators.importrevision",
                    ),
                ),
                migrations.AlterField(
                    model_name="score",
                    name="unit",
                    field=models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="scores",
                        to="units.administrativeunit",
                    ),
                ),
                migrations.AlterModelTable(name="score", table="indicators_score"),
                migrations.AlterModelOptions(
                    name="score",
                    options={"managed": False, "verbose_name": "số liệu", "verbose_name_plural": "số liệu"},
                ),
            ],
        ),
    ]
