"""Revisions are kept, compared figure by figure, and a month can be reverted to an earlier one."""

from decimal import Decimal

import pytest
from django.utils import timezone

from indicators.models import ImportRevision, Score, ScoreRecord
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
def test_the_database_holds_a_score_to_its_revisions_month(month):
    """A score is held to its revision's month on PostgreSQL (through the record it copies): stricter than two single keys."""
    from django.db import IntegrityError, connection, transaction

    revision = apply(month, {0: "88.03"}, "a.xlsx")
    score = Score.objects.get(revision=revision)
    other_month = period_get(year=2024, month=11)
    with pytest.raises(IntegrityError), transaction.atomic():
        Score.objects.filter(pk=score.pk).update(period=other_month)
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    with pytest.raises(IntegrityError), transaction.atomic():
        Score.objects.filter(pk=score.pk).update(revision_id=revision.pk + 1000)
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    score.refresh_from_db()
    assert (score.period_id, score.revision_id) == (revision.period_id, revision.pk)


@pytest.mark.postgres
def test_the_database_holds_a_current_score_to_the_record_it_copies(month):
    """A current score has one key, (revision, period, unit, indicator) → its revision's record: a
    figure, unit or indicator that its revision did not write is refused, and so is a record whose
    month is not its revision's."""
    from django.db import IntegrityError, connection, transaction

    revision = apply(month, {0: "88.03"}, "a.xlsx")
    score = Score.objects.select_related("indicator").get(revision=revision)
    other_unit = AdministrativeUnit.objects.exclude(pk=score.unit_id).filter(parent=month[0]).first()
    other_indicator = score.indicator.framework.indicators.exclude(pk=score.indicator_id).first()

    def refused(**change):
        with pytest.raises(IntegrityError), transaction.atomic():
            Score.objects.filter(pk=score.pk).update(**change)
            with connection.cursor() as cursor:
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")

    refused(unit=other_unit)
    refused(indicator=other_indicator)
    refused(unit_id=10**9)
    with pytest.raises(IntegrityError), transaction.atomic():
        ScoreRecord.objects.filter(revision=revision).update(period=period_get(year=2024, month=11))
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    assert ScoreRecord.objects.filter(revision=revision, period=revision.period).count() == 1
