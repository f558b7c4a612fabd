"""One key per current score: (revision, period, unit, indicator) → the history record it was copied
from, whose own keys hold the unit, the indicator and the revision of that month. A national
month's import checked six keys per figure (three per record, three per score); it now checks four.

The records learn their month (filled from their revision), and on PostgreSQL the record's
revision and month become one key, (revision, period) → ImportRevision (id, period), like the
score's of migration 0003, which this one replaces. SQLite cannot add a constraint to an existing
table: there these keys are Django's rules only.
"""

import django.db.models.deletion
from django.db import migrations, models
from django.db.models import OuterRef, Subquery

RECORD_KEY = (
    "ALTER TABLE indicators_scorerecord ADD CONSTRAINT record_revision_of_period "
    "FOREIGN KEY (revision_id, period_id) REFERENCES indicators_importrevision (id, period_id) "
    "DEFERRABLE INITIALLY DEFERRED"
)
SCORE_KEY = (
    "ALTER TABLE indicators_score ADD CONSTRAINT score_is_a_record "
    "FOREIGN KEY (revision_id, period_id, unit_id, indicator_id) "
    "REFERENCES indicators_scorerecord (revision_id, period_id, unit_id, indicator_id) "
    "DEFERRABLE INITIALLY DEFERRED"
)
OLD_SCORE_KEY = (
    "ALTER TABLE indicators_score ADD CONSTRAINT score_revision_of_period "
    "FOREIGN KEY (revision_id, period_id) REFERENCES indicators_importrevision (id, period_id) "
    "DEFERRABLE INITIALLY DEFERRED"
)


def _on_postgresql(*statements):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            for sql in statements:
                schema_editor.execute(sql)

    return run


def records_learn_their_month(apps, schema_editor):
    ScoreRecord = apps.get_model("indicators", "ScoreRecord")
    ImportRevision = apps.get_model("indicators", "ImportRevision")
    ScoreRecord.objects.update(
        period=Subquery(ImportRevision.objects.filter(pk=OuterRef("revision_id")).values("period_id")[:1])
    )


class Migration(migrations.Migration):
    dependencies = [
        ("indicators", "0007_delete_publication"),
        ("units", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(
            _on_postgresql("ALTER TABLE indicators_score DROP CONSTRAINT score_revision_of_period"),
            _on_postgresql(
                "ALTER TABLE indicators_score DROP CONSTRAINT score_is_a_record",
                "ALTER TABLE indicators_scorerecord DROP CONSTRAINT record_revision_of_period",
                OLD_SCORE_KEY,
            ),
        ),
        migrations.RemoveConstraint(model_name="scorerecord", name="record_unique_per_revision"),
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
        migrations.RunPython(records_learn_their_month, migrations.RunPython.noop),
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
            model_name="score",
            name="indicator",
            field=models.ForeignKey(
                db_constraint=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="scores",
                to="indicators.indicator",
            ),
        ),
        migrations.AlterField(
            model_name="score",
            name="unit",
            field=models.ForeignKey(
                db_constraint=False,
                db_index=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="scores",
                to="units.administrativeunit",
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
        migrations.AddConstraint(
            model_name="scorerecord",
            constraint=models.UniqueConstraint(
                fields=("revision", "period", "unit", "indicator"), name="record_unique_per_revision"
            ),
        ),
        migrations.RunPython(_on_postgresql(RECORD_KEY, SCORE_KEY), migrations.RunPython.noop),
    ]
