"""Fixtures of the publication tests: the demo (Tiên Lữ's months, Mỹ Hào, Hà Nội), units by name, and a
correction applied as an import applies it."""

import datetime
from decimal import Decimal

import pytest

from indicators.selectors import framework_for, total_indicator
from indicators.services import Value, period_get, revision_apply
from units.models import AdministrativeUnit

AS_OF = datetime.datetime(2024, 9, 20, 12, tzinfo=datetime.UTC)


@pytest.fixture
def units(demo):
    get = AdministrativeUnit.objects.get
    return {
        "tien_lu": get(tree="legacy", code="332"),
        "thu_sy": get(tree="legacy", code="12367"),
        "vuong": get(tree="legacy", code="12337"),
        "hung_yen": get(tree="legacy", code="33"),
        "my_hao": get(tree="legacy", code="328"),
        "ha_noi": get(tree="legacy", code="01"),
    }


@pytest.fixture
def august():
    return period_get(year=2024, month=8)


def correct(*, unit, points: str, period=None, scope=None, user=None):
    """A staff correction of one unit's total, through the one write path of every import."""
    period = period or period_get(year=2024, month=8)
    total = total_indicator(framework=framework_for())
    return revision_apply(
        period=period,
        scope=scope or unit.parent,
        values=[Value(unit_id=unit.pk, indicator_id=total.pk, points=Decimal(points))],
        file_name="sua-t8.xlsx",
        file_sha256="ab",
        data_as_of=AS_OF,
        user=user,
    )
