"""Ranking results and publications for tests, made by the real services (never a copy of their rules):
`rankings_compute` for the working rankings, `publication_publish` for what the public sees."""

from indicators.services import period_get
from publishing.services import publication_publish
from rankings.models import RankingResult
from rankings.services import rankings_compute
from units.models import AdministrativeUnit


def rankings_build(*, year: int, month: int) -> list[RankingResult]:
    """The month's working rankings, computed as the ranking task does."""
    key = f"{year:04d}-{month:02d}"
    rankings_compute(period_key=key)
    return list(RankingResult.objects.filter(period_key=key, public=False))


def quarter_build(*, year: int, quarter: int) -> list[RankingResult]:
    key = f"{year:04d}-Q{quarter}"
    rankings_compute(period_key=key)
    return list(RankingResult.objects.filter(period_key=key, public=False))


def publish(*, year: int, month: int, scope: AdministrativeUnit, user=None):
    """A leader's publication of the month for the scope (the public rankings are computed with it)."""
    return publication_publish(period=period_get(year=year, month=month), scope=scope, user=user)


def tien_lu() -> AdministrativeUnit:
    return AdministrativeUnit.objects.get(tree="legacy", code="332")
