"""Revisions are kept, compared figure by figure, and a month can be reverted to an earlier one."""

from decimal import Decimal

import pytest
from django.db.models import Q
from django.utils import timezone

from indicators.models import CurrentRevision, ImportRevision, Score, ScoreRecord
from indicators.revisions import revision_compare, revision_revert
from indicators.selectors import framework_for
from indicators.services import Value, indicators_by_code, period_get, revision_apply
from units.models import AdministrativeUnit

pytestmark = pytest.mark.django_db


@pytest.fixture
def month(unit_tree):
    district = AdministrativeUnit.objects.get(tree="legacy", code="332")
    communes = list(district.children.order_by("code")[:3])
    codes = indicators_by_code(framework=framework_for())
    return district, communes, codes, period_get(year=2024, month=10)


def apply(month, figures: dict[int, str], name: str) -> ImportRevision:
    district, communes, codes, period = month
    values = [
        Value(unit_id=communes[i].pk, indicator_id=codes["total"].pk, points=Decimal(p)) for i, p in figures.items()
    ]
    return revision_apply(
        period=period, scope=district, values=values, file_name=name, file_sha256="", data_as_of=timezone.now()
    )


def totals(month) -> dict[int, Decimal]:
    _district, communes, codes, period = month
    rows = Score.objects.filter(period=period, indicator=codes["total"]).values_list("unit_id", "points")
    return {[c.pk for c in communes].index(u): p for u, p in rows}


def test_compare_lists_added_removed_and_changed_figures(month):
    first = apply(month, {0: "80", 1: "81"}, "a.xlsx")
    second = apply(month, {0: "80", 1: "85.5", 2: "70"}, "b.xlsx")

    diffs = revision_compare(old=first, new=second)

    assert {(d.unit_id, d.kind) for d in diffs} == {(month[1][1].pk, "changed"), (month[1][2].pk, "added")}
    changed = next(d for d in diffs if d.kind == "changed")
    assert changed.before["points"] == Decimal("81") and changed.after["points"] == Decimal("85.5")
    assert {d.kind for d in revision_compare(old=second, new=first)} == {"changed", "removed"}


def test_revert_makes_the_old_figures_current_as_a_new_revision_and_keeps_history(month):
    first = apply(month, {0: "80", 1: "81"}, "a.xlsx")
    second = apply(month, {0: "90", 1: "91", 2: "70"}, "b.xlsx")
    records = ScoreRecord.objects.count()

    third = revision_revert(revision=first)

    assert totals(month) == {0: Decimal("80"), 1: Decimal("81")}  # unit 2 came only with the reverted import
    assert third.number == 3 and third.reverted_to == first
    assert ScoreRecord.objects.count() == records + 2  # nothing deleted from history
    states = dict(ImportRevision.objects.filter(scope=month[0], period=month[3]).values_list("number", "state"))
    assert states == {1: "superseded", 2: "reverted", 3: "applied"}
    assert revision_compare(old=first, new=third) == []
    assert second.records.count() == 3


def test_revert_of_a_revert_restores_the_later_figures(month):
    apply(month, {0: "80"}, "a.xlsx")
    second = apply(month, {0: "90"}, "b.xlsx")
    revision_revert(revision=ImportRevision.objects.get(number=1, scope=month[0], period=month[3]))

    revision_revert(revision=second)

    assert totals(month) == {0: Decimal("90")}
    assert ImportRevision.objects.filter(scope=month[0], period=month[3]).count() == 4  # history only grows


@pytest.mark.postgres
def test_the_database_holds_a_units_current_revision_to_the_revisions_month(month):
    """A composite key (revision, period) on PostgreSQL: a unit's figures for a month come from a revision of that
    month, whatever writes the pointer."""
    from django.db import IntegrityError, connection, transaction

    revision = apply(month, {0: "88.03"}, "a.xlsx")
    pointer = CurrentRevision.objects.get(revision=revision)
    other_month = period_get(year=2024, month=11)
    with pytest.raises(IntegrityError), transaction.atomic():
        CurrentRevision.objects.filter(pk=pointer.pk).update(period=other_month)
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    with pytest.raises(IntegrityError), transaction.atomic():
        CurrentRevision.objects.filter(pk=pointer.pk).update(revision_id=revision.pk + 1000)
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    score = Score.objects.get(revision=revision)
    assert (score.period_id, score.revision_id, score.points) == (revision.period_id, revision.pk, Decimal("88.03"))


def test_current_figures_are_read_from_the_history_not_written_twice(month):
    """Each figure is stored once, as its revision's record; the current figures are those records, through one
    pointer per unit and month. A revert moves the pointers back, and writes the old figures as a new revision."""
    _district, communes, _codes, period = month
    first = apply(month, {0: "80", 1: "70"}, "a.xlsx")
    second = apply(month, {0: "90"}, "b.xlsx")
    assert ScoreRecord.objects.filter(revision__in=[first, second]).count() == 3
    assert sorted(Score.objects.filter(period=period).values_list("id", flat=True)) == sorted(
        ScoreRecord.objects.filter(Q(revision=second) | Q(revision=first, unit=communes[1])).values_list(
            "id", flat=True
        )
    )
    assert dict(CurrentRevision.objects.filter(period=period).values_list("unit_id", "revision_id")) == {
        communes[0].pk: second.pk,
        communes[1].pk: first.pk,
    }
    reverted = revision_revert(revision=first)
    assert dict(CurrentRevision.objects.filter(period=period).values_list("unit_id", "revision_id")) == {
        communes[0].pk: reverted.pk,
        communes[1].pk: reverted.pk,
    }
    assert totals(month) == {0: Decimal("80"), 1: Decimal("70")}


def test_a_correction_replaces_all_of_its_units_figures_for_the_month_and_leaves_other_units_alone(month):
    """A figure the corrected file no longer carries does not linger; units the file does not name keep theirs."""
    district, communes, codes, period = month
    group = next(code for code, i in codes.items() if i.kind == "group")

    def figures(unit):
        return dict(
            Score.objects.filter(unit=unit, period=period).values_list("indicator__code", "points").order_by("pk")
        )

    first = [
        Value(unit_id=communes[0].pk, indicator_id=codes["total"].pk, points=Decimal("80")),
        Value(unit_id=communes[0].pk, indicator_id=codes[group].pk, points=Decimal("15")),
        Value(unit_id=communes[1].pk, indicator_id=codes["total"].pk, points=Decimal("70")),
    ]
    revision_apply(
        period=period, scope=district, values=first, file_name="a", file_sha256="", data_as_of=timezone.now()
    )
    corrected = [Value(unit_id=communes[0].pk, indicator_id=codes["total"].pk, points=Decimal("81"))]
    second = revision_apply(
        period=period, scope=district, values=corrected, file_name="b", file_sha256="", data_as_of=timezone.now()
    )

    assert figures(communes[0]) == {"total": Decimal("81.00")}
    assert figures(communes[1]) == {"total": Decimal("70.00")}
    assert Score.objects.get(unit=communes[0], period=period).revision == second
    assert ScoreRecord.objects.filter(revision__scope=district, revision__period=period).count() == 4  # history kept


def test_a_value_is_a_history_record_row_in_its_column_order():
    """The PostgreSQL write streams each `Value` as it is, after the revision and its month: its fields must be the record's
    columns (every measure a figure carries, none missing), or figures would land in the wrong column."""
    from indicators.models import MEASURES

    columns = {f.attname for f in ScoreRecord._meta.concrete_fields} - {"id", "revision_id", "period_id"}
    assert Value._fields == ("unit_id", "indicator_id", *MEASURES)
    assert set(Value._fields) == columns


def test_the_admin_shows_current_figures_and_history_but_edits_neither(month, admin_client):
    """Figures change only by an import or a revert, which record a revision and an audit event; the admin lists
    the current figures (the view) and the history records and offers no way to add, change or delete them."""
    revision = apply(month, {0: "88.03"}, "a.xlsx")
    score = Score.objects.get(revision=revision)
    listing = admin_client.get("/admin/indicators/score/")
    assert listing.status_code == 200 and "88,03" in listing.content.decode()
    assert admin_client.get("/admin/indicators/score/add/").status_code == 403
    assert admin_client.post(f"/admin/indicators/score/{score.pk}/delete/", {"post": "yes"}).status_code == 403
    assert admin_client.post(f"/admin/indicators/scorerecord/{score.pk}/change/", {"points": "99"}).status_code == 403
    assert admin_client.get("/admin/indicators/scorerecord/add/").status_code == 403
    assert ScoreRecord.objects.get(pk=score.pk).points == Decimal("88.03")
