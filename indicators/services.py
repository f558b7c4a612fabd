"""Writes of score data. Every change of a month's figures goes through `revision_apply`."""

import datetime
import hashlib
from dataclasses import dataclass
from decimal import Decimal

from django.db import connection, transaction
from django.utils import timezone

from units.models import AdministrativeUnit

from .models import Framework, ImportRevision, Indicator, Period, Publication, Score, ScoreRecord


@dataclass(frozen=True)
class Value:
    """One figure to write: which unit and indicator, and the measures it carries."""

    unit_id: int
    indicator_id: int
    points: Decimal | None = None
    rate: Decimal | None = None
    count: int | None = None
    change_text: str = ""


def period_get(*, year: int, month: int) -> Period:
    period, _ = Period.objects.get_or_create(year=year, month=month)
    return period


def period_parse(text: str) -> Period:
    """ "2024-08" → the Period of August 2024 (created if new). Raises ValueError with a Vietnamese message."""
    try:
        year_s, month_s = text.strip().split("-")
        year, month = int(year_s), int(month_s)
        datetime.date(year, month, 1)
    except ValueError:
        raise ValueError(f"Kỳ “{text}” không hợp lệ: ghi theo dạng NĂM-THÁNG, ví dụ 2024-08.") from None
    if not 2022 <= year <= 2100:
        raise ValueError(f"Kỳ “{text}” nằm ngoài thời gian áp dụng Bộ chỉ số (từ năm 2022).")
    return period_get(year=year, month=month)


def indicators_by_code(*, framework: Framework) -> dict[str, Indicator]:
    return {i.code: i for i in Indicator.objects.filter(framework=framework)}


def file_hash(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@transaction.atomic
def revision_apply(
    *,
    period: Period,
    scope: AdministrativeUnit,
    values: list[Value],
    file_name: str,
    file_sha256: str,
    data_as_of: datetime.datetime,
    user=None,
    source: str = "",
    is_demo: bool = False,
) -> ImportRevision:
    """Record `values` as a new revision of `period` for `scope` and make them the current figures.

    One transaction: the revision, its history records and the current scores land together or
    not at all. Units in `values` have all their current figures for the month replaced by the
    revision's, so an indicator dropped from a corrected file does not linger.
    """
    # Lock the scope's revisions for this month so that two imports cannot take the same number.
    previous = list(
        ImportRevision.objects.select_for_update().filter(period=period, scope=scope).order_by("-number")[:1]
    )
    number = previous[0].number + 1 if previous else 1
    unit_ids = sorted({v.unit_id for v in values})
    revision = ImportRevision.objects.create(
        period=period,
        scope=scope,
        number=number,
        file_name=file_name,
        file_sha256=file_sha256,
        data_as_of=data_as_of,
        created_by=user,
        unit_count=len(unit_ids),
        value_count=len(values),
        source=source,
        is_demo=is_demo,
    )
    ImportRevision.objects.filter(period=period, scope=scope, state=ImportRevision.State.APPLIED).exclude(
        pk=revision.pk
    ).update(state=ImportRevision.State.SUPERSEDED)
    measures = ("points", "rate", "count", "change_text")
    _insert_rows(
        ScoreRecord,
        ["revision_id", "unit_id", "indicator_id", *measures],
        ((revision.pk, v.unit_id, v.indicator_id, v.points, v.rate, v.count, v.change_text) for v in values),
    )
    Score.objects.filter(period=period, unit_id__in=unit_ids).delete()
    _insert_rows(
        Score,
        ["revision_id", "period_id", "unit_id", "indicator_id", *measures],
        ((revision.pk, period.pk, v.unit_id, v.indicator_id, v.points, v.rate, v.count, v.change_text) for v in values),
    )
    return revision


def _insert_rows(model, columns: list[str], rows) -> None:
    """Insert many rows: COPY on PostgreSQL (a national month is 100k figures), bulk_create elsewhere.

    The database still checks every constraint; a bad row aborts the whole transaction.
    """
    if connection.vendor == "postgresql":
        table = connection.ops.quote_name(model._meta.db_table)
        names = ", ".join(connection.ops.quote_name(c) for c in columns)
        with connection.cursor() as cursor, cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        return
    model.objects.bulk_create([model(**dict(zip(columns, row, strict=True))) for row in rows], batch_size=5000)


@transaction.atomic
def publication_publish(*, period: Period, scope: AdministrativeUnit, user=None) -> Publication:
    """Make a month's results for `scope` and its subtree public (again, after a correction: version + 1)."""
    publication, _ = Publication.objects.select_for_update().get_or_create(period=period, scope=scope)
    now = timezone.now()
    publication.is_published = True
    publication.first_published_at = publication.first_published_at or now
    publication.published_at = now
    publication.published_by = user
    publication.version += 1
    publication.unpublish_reason = ""
    publication.save()
    return publication
