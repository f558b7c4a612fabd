"""Data: the 766 catalogue's roles, and published ranks moved from two counts onto the totals' rows."""

from django.db import migrations

# The 766 catalogue's codes → the roles the code asks for (a later catalogue sets its own roles).
ROLES_766 = {
    "1": "publicity",
    "2": "progress",
    "3": "online_service",
    "4": "online_payment",
    "5": "satisfaction",
    "6": "digitisation",
    "overdue.total": "overdue_total",
    "overdue.district": "overdue_district",
    "overdue.commune": "overdue_commune",
    "pakn.overdue": "pakn_overdue",
    "pakn.not_received": "pakn_not_received",
    "pakn.late": "pakn_late",
    "dossiers.late": "dossiers_late",
    "copies.electronic": "copies_electronic",
    "digitise.missing_inputs": "digitise_missing_inputs",
    "digitise.missing_results": "digitise_missing_results",
}
# The published rank used to be two operational counts; it is now a measure of the total's own row.
RANK_CODES = {"rank.published": "rank", "rank.published_of": "rank_of"}


def forwards(apps, schema_editor):
    """Give the 766 catalogue its roles and move published ranks onto the totals' rows."""
    _set_roles(apps)
    _move_ranks(apps)
    apps.get_model("indicators", "Indicator").objects.filter(code__in=RANK_CODES).delete()


def catalogue(apps) -> None:
    """This migration's part of the catalogue alone, for a database without figures (tests that reload the
    catalogue after a flush run it with today's models, where the current figures are a view)."""
    _set_roles(apps)
    apps.get_model("indicators", "Indicator").objects.filter(code__in=RANK_CODES).delete()


def _set_roles(apps) -> None:
    Indicator = apps.get_model("indicators", "Indicator")
    for code, role in ROLES_766.items():
        Indicator.objects.filter(framework__code="766-2022", code=code).update(role=role)


def _move_ranks(apps) -> None:
    Indicator = apps.get_model("indicators", "Indicator")
    for model_name, keys in (("Score", ("unit_id", "period_id")), ("ScoreRecord", ("unit_id", "revision_id"))):
        model = apps.get_model("indicators", model_name)
        for rank_indicator in Indicator.objects.filter(code__in=RANK_CODES):
            total = Indicator.objects.filter(framework_id=rank_indicator.framework_id, kind="total").first()
            field = RANK_CODES[rank_indicator.code]
            for row in model.objects.filter(indicator=rank_indicator).exclude(count=None):
                where = {k: getattr(row, k) for k in keys}
                target = model.objects.filter(indicator=total, **where).first()
                if target is None:
                    extra = {"period_id": row.period_id} if model_name == "Score" else {}
                    target = model(
                        indicator=total, unit_id=row.unit_id, revision_id=row.revision_id, **extra, change_text=""
                    )
                setattr(target, field, row.count)
                target.save()
            model.objects.filter(indicator=rank_indicator).delete()


class Migration(migrations.Migration):
    dependencies = [("indicators", "0004_roles_and_published_ranks")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
