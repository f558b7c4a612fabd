"""The tests' shared data: a change put back by COPY leaves the database exactly as the build did."""

import pytest
from django.db import transaction

from indicators.models import Period
from units.models import AdministrativeUnit, Level, UnitSuccession

from .shared_data import _fingerprints, shared_data

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]


def test_a_change_put_back_is_the_built_state_row_for_row_and_new_rows_get_new_ids(unit_tree):
    commune = AdministrativeUnit.objects.filter(tree="legacy", level=Level.COMMUNE).order_by("pk").first()
    succession = UnitSuccession.objects.order_by("pk").first()
    builds = []

    def build():  # adds, rewrites and removes rows, as the demo and the services do
        builds.append(1)
        Period.objects.create(year=2031, month=1)
        Period.objects.create(year=2031, month=2)
        AdministrativeUnit.objects.filter(pk=commune.pk).update(name="Xã Đổi Tên")
        UnitSuccession.objects.filter(pk=succession.pk).delete()

    before = _fingerprints()
    point = transaction.savepoint()
    shared_data("check", build)
    built, periods = _fingerprints(), list(Period.objects.filter(year=2031).values().order_by("month"))
    assert builds == [1] and built != before
    transaction.savepoint_rollback(point)
    assert _fingerprints() == before

    shared_data("check", build)  # the same starting state: put back, not built again

    assert builds == [1]
    assert _fingerprints() == built
    assert list(Period.objects.filter(year=2031).values().order_by("month")) == periods
    assert AdministrativeUnit.objects.get(pk=commune.pk).name == "Xã Đổi Tên"
    assert not UnitSuccession.objects.filter(pk=succession.pk).exists()
    assert Period.objects.create(year=2031, month=3).pk > max(p["id"] for p in periods)


def test_a_change_is_not_put_back_onto_another_state(unit_tree):
    builds = []

    def build():
        builds.append(1)
        Period.objects.create(year=2032, month=1)

    point = transaction.savepoint()
    shared_data("other", build)
    transaction.savepoint_rollback(point)
    Period.objects.create(year=2032, month=6)  # the database is no longer as it was before the build

    shared_data("other", build)

    assert builds == [1, 1]
    assert set(Period.objects.filter(year=2032).values_list("month", flat=True)) == {1, 6}
