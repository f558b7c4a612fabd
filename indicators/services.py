"""Writes of score data. Every change of a month's figures goes through `revision_apply`."""

import datetime
import hashlib
from dataclasses import dataclass
from decimal import Decimal

from django.db import connection, transaction
from django.utils import timezone

from accounts.services import audit_record
from units.models import AdministrativeUnit

from .models import MEASURES, Framework, ImportRevision, Indicator, Period, Publication, Score, ScoreRecord


@dataclass(frozen=True)
class Value:
    """One figure to write: which unit and indicator, and the measures it carries."""

    unit_id: int
    indicator_id: int
    points: Decimal | None = None
    rate: Decimal | None = None
    count: int | None = None
    change_text: str = ""
    change: Decimal | None = None  # the change since the previous month, as published
    rank: int | None = None  # the rank among peers, as published ("13" of "13/30")
    rank_of: int | None = None  # how many were ranked, as published ("30" of "13/30")
    rank_change: int | None = None  # as published; positive = moved up


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
    audit_action: str | None = "import",
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
    if connection.vendor == "postgresql":
        _write_postgresql(revision=revision, period=period, values=values)
    else:
        _write_orm(revision=revision, period=period, values=values, unit_ids=unit_ids)
    if audit_action:
        audit_record(
            user=user,
            action=audit_action,
            unit=scope,
            period=period,
            summary=f"{revision}: {len(unit_ids)} đơn vị, {len(values)} giá trị, từ {file_name}",
            after={"revision": revision.number, "file_sha256": file_sha256, "data_as_of": data_as_of.isoformat()},
        )
    from rankings.services import rankings_enqueue_for_month  # rankings read indicators: import late

    rankings_enqueue_for_month(period=period)  # the month, its quarter and year; sent once this commits
    return revision


def _write_orm(*, revision: ImportRevision, period: Period, values: list[Value], unit_ids: list[int]) -> None:
    """The portable write (SQLite, the embedded default): history records, then the month's current scores."""
    ScoreRecord.objects.bulk_create(
        [
            ScoreRecord(revision=revision, **{f: getattr(v, f) for f in ("unit_id", "indicator_id", *MEASURES)})
            for v in values
        ],
        batch_size=5000,
    )
    Score.objects.filter(period=period, unit_id__in=unit_ids).delete()
    Score.objects.bulk_create(
        [
            Score(
                revision=revision, period=period, **{f: getattr(v, f) for f in ("unit_id", "indicator_id", *MEASURES)}
            )
            for v in values
        ],
        batch_size=5000,
    )


def _write_postgresql(*, revision: ImportRevision, period: Period, values: list[Value]) -> None:
    """Stage the figures once with COPY, then write both tables with set-based SQL.

    A national month is 100k figures. Current scores that already exist are updated in place
    (INSERT … ON CONFLICT) rather than deleted and inserted again: only their revision changes
    among the foreign keys, so the database checks one key per row instead of three. The database still checks every
    constraint; a bad row aborts the whole transaction.
    """
    score = connection.ops.quote_name(Score._meta.db_table)
    record = connection.ops.quote_name(ScoreRecord._meta.db_table)
    columns = ", ".join(MEASURES)
    incoming = ", ".join(f"i.{m}" for m in MEASURES)
    with connection.cursor() as cursor:
        # Several revisions can be applied in one transaction (the demo, a revert): reuse the table.
        cursor.execute(
            "CREATE TEMP TABLE IF NOT EXISTS revision_incoming (unit_id bigint NOT NULL, indicator_id bigint NOT NULL, "
            "points numeric(6, 2), rate numeric(7, 3), count bigint, change_text varchar(60) NOT NULL, "
            "change numeric(15, 3), rank integer, rank_of integer, rank_change integer, "
            # The key makes every join below an index lookup whatever the planner believes about
            # the just-written scores (without it, a stale estimate once turned the DELETE into a
            # nested loop of seq scans: minutes for a national month imported twice).
            "PRIMARY KEY (unit_id, indicator_id)) ON COMMIT DROP"
        )
        cursor.execute("TRUNCATE revision_incoming")
        with cursor.cursor.copy(f"COPY revision_incoming (unit_id, indicator_id, {columns}) FROM STDIN") as copy:
            for v in values:
                copy.write_row((v.unit_id, v.indicator_id, *(getattr(v, m) for m in MEASURES)))
        cursor.execute("ANALYZE revision_incoming")
        cursor.execute(
            f"INSERT INTO {record} (revision_id, unit_id, indicator_id, {columns}) "
            f"SELECT %s, unit_id, indicator_id, {columns} FROM revision_incoming",
            [revision.pk],
        )
        cursor.execute(
            f"DELETE FROM {score} s WHERE s.period_id = %s "
            "AND s.unit_id IN (SELECT DISTINCT unit_id FROM revision_incoming) "
            "AND NOT EXISTS (SELECT 1 FROM revision_incoming i WHERE i.unit_id = s.unit_id AND i.indicator_id = s.indicator_id)",
            [period.pk],
        )
        # One pass that inserts the new figures and updates the existing ones in place, each row by
        # the unique (unit, period, indicator) index. The UPDATE-then-INSERT … NOT EXISTS it replaces
        # planned the anti-join as a scan of the scores per row when the table's statistics said
        # "empty" (a first import after VACUUM): that scan reads the rows the statement has inserted
        # so far, quadratic, 200 s for a national month.
        cursor.execute(
            f"INSERT INTO {score} AS s (revision_id, period_id, unit_id, indicator_id, {columns}) "
            f"SELECT %s, %s, i.unit_id, i.indicator_id, {incoming} FROM revision_incoming i "
            "ON CONFLICT (unit_id, period_id, indicator_id) DO UPDATE SET revision_id = EXCLUDED.revision_id, "
            + ", ".join(f"{m} = EXCLUDED.{m}" for m in MEASURES),
            [revision.pk, period.pk],
        )


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
    audit_record(
        user=user,
        action="publish",
        unit=scope,
        period=period,
        summary=f"Công bố kết quả tháng {period} của {scope} (lần {publication.version})",
        after={"version": publication.version},
    )
    return publication


@transaction.atomic
def publication_unpublish(*, period: Period, scope: AdministrativeUnit, user, reason: str) -> Publication:
    """Withdraw a month's results for `scope` from the public pages; the reason is required and recorded."""
    reason = reason.strip()
    if not reason:
        raise ValueError("Cần ghi lý do gỡ công bố.")
    publication = Publication.objects.select_for_update().get(period=period, scope=scope)
    publication.is_published = False
    publication.unpublish_reason = reason
    publication.save()
    audit_record(
        user=user,
        action="unpublish",
        unit=scope,
        period=period,
        summary=f"Gỡ công bố kết quả tháng {period} của {scope}: {reason}",
        before={"version": publication.version, "is_published": True},
        after={"is_published": False},
    )
    return publication
