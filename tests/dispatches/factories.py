"""Test data for dispatches, built through the real services: figures by `revision_apply`, rankings by
`rankings_compute` (the code the Celery task runs), departments as units of level department."""

import datetime
import random
from decimal import Decimal
from zoneinfo import ZoneInfo

from indicators.models import Period
from indicators.selectors import framework_for
from indicators.services import Value, indicators_by_code, period_get, revision_apply
from publishing.selectors import is_public
from publishing.services import publication_publish
from rankings.services import rankings_compute
from units.models import AdministrativeUnit, Level, Tree

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
D = Decimal
GROUP_MAX = {"1": 18, "2": 20, "3": 12, "4": 10, "5": 18, "6": 22}
# Hà Nội's departments as its overdue-dossier appendix prints them, with the dossiers each had overdue.
HA_NOI_DEPARTMENTS = [("Sở Tư pháp", 11212), ("Sở Tài nguyên và Môi trường", 4573), ("Sở Giao thông vận tải", 1767)]


def legacy(code: str) -> AdministrativeUnit:
    return AdministrativeUnit.objects.get(tree=Tree.LEGACY, code=code)


def apply_figures(*, period: Period, scope: AdministrativeUnit, figures: dict, name: str = "test.xlsx", demo=False):
    """Write figures {unit: {indicator code: {measure: value}}} as one revision of the month."""
    codes = indicators_by_code(framework=framework_for())
    values = [
        Value(unit_id=unit.pk, indicator_id=codes[code].pk, **measures)
        for unit, by_code in figures.items()
        for code, measures in by_code.items()
    ]
    return revision_apply(
        period=period,
        scope=scope,
        values=values,
        file_name=name,
        file_sha256="",
        data_as_of=datetime.datetime(period.year + (period.month == 12), period.month % 12 + 1, 6, 9, 0, tzinfo=TZ),
        is_demo=demo,
    )


def rank_months(*keys: str) -> None:
    for key in keys:
        rankings_compute(period_key=key)


def publish_months(scope: AdministrativeUnit, *keys: str) -> None:
    """A leader's publication of each month for the scope (a final dispatch quotes published figures)."""
    for key in keys:
        year, month = (int(part) for part in key.split("-"))
        publication_publish(period=period_get(year=year, month=month), scope=scope)


def published_month(unit: AdministrativeUnit, period: Period) -> None:
    """Publish the unit's month unless a publication already covers it."""
    if not is_public(period=period, unit=unit):
        publication_publish(period=period, scope=unit)


def ha_noi_departments() -> list[AdministrativeUnit]:
    ha_noi = legacy("01")
    return [
        AdministrativeUnit.objects.get_or_create(
            tree=Tree.CUSTOM,
            code=f"01-SO-{n}",
            defaults=dict(name=name, short_name=name, kind="Sở", level=Level.DEPARTMENT, parent=ha_noi),
        )[0]
        for n, (name, _count) in enumerate(HA_NOI_DEPARTMENTS, start=1)
    ]


def ha_noi_december(*, departments: bool = True) -> AdministrativeUnit:
    """Hà Nội 12/2024 (the demo's real city figures) with its 30 districts ranked: synthetic totals that span
    every band, six group figures each (a landscape appendix), overdue dossiers; and its departments."""
    ha_noi = legacy("01")
    december = period_get(year=2024, month=12)
    rng = random.Random(193)
    districts = list(AdministrativeUnit.objects.filter(parent=ha_noi, level=Level.DISTRICT).valid_on(december.last_day))
    figures = {}
    for n, district in enumerate(sorted(districts, key=lambda u: u.code)):
        total = D(str(round(55 + n * 1.3 + rng.uniform(0, 1), 2)))
        by_code = {"total": {"points": total}}
        for group, top in GROUP_MAX.items():
            by_code[group] = {"points": (total / 100 * top).quantize(D("0.01"))}
        by_code["overdue.total"] = {"count": 370 - n * 10}
        by_code["overdue.district"] = {"count": 300 - n * 8}
        by_code["overdue.commune"] = {"count": 70 - n * 2}
        figures[district] = by_code
    if departments:
        for n, (unit, (_name, overdue)) in enumerate(zip(ha_noi_departments(), HA_NOI_DEPARTMENTS, strict=True)):
            figures[unit] = {"total": {"points": D("80.5") - n}, "overdue.total": {"count": overdue}}
    apply_figures(period=december, scope=ha_noi, figures=figures, name="ha-noi-quan-huyen-2024-12.xlsx")
    rank_months("2024-12")
    return ha_noi


def rank_children(*, parent: AdministrativeUnit, year: int, month: int) -> None:
    """The month ranked by the ranking service and published for `parent` by its leader: what a final
    dispatch of `parent` needs."""
    key = f"{year:04d}-{month:02d}"
    rank_months(key)
    published_month(parent, period_get(year=year, month=month))
