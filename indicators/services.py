"""Writes of score data. Every change of a month's figures goes through `revision_apply`."""

import datetime
import hashlib
from dataclasses import dataclass
from decimal import Decimal

from django.db import connection, transaction

from accounts.services import audit_record
from units.models import AdministrativeUnit

from .models import MEASURES, Framework, ImportRevision, Indicator, Period, Score, ScoreRecord
from .periods import month_period_span


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
    """The `Period` row of a month, created if new: a write, for imports, publishing and commands, never a GET
    (reads use `indicators.selectors.period_find`)."""
    period, _created = Period.objects.get_or_create(year=year, month=month)
    return period


def period_parse(text: str) -> Period:
    """ "2024-08" → the Period of August 2024, created if new (a write, like `period_get`).

    The text is read by the one period rule (`indicators.periods`); a quarter or a year is refused. Raises
    PeriodKeyError (a ValueError) with a Vietnamese message."""
    span = month_period_span(text)
    return period_get(year=span.year, month=span.number)


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
    from publishing.services import pending_change_note  # both read indicators: import late
    from rankings.services import rankings_enqueue_for_month

    rankings_enqueue_for_month(period=period)  # the month, its quarter and year; sent once this commits
    pending_change_note(revision=revision, user=user)  # a published month's figures wait for a leader
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
    """COPY the figures once, into the revision's history records, then make them current with
    set-based SQL that reads them back by the records' revision: one INSERT … ON CONFLICT (new
    figures inserted, existing ones updated in place, where only the revision changes among the
    keys: one check instead of three), then a DELETE of the older figures the revision's units no
    longer carry.

    A national month is 100k figures, and most of the write is the database checking keys. Every
    constraint is still checked; a bad row aborts the whole transaction. No statement anti-joins
    rows being written: planned while the statistics say the revision has no records, that is a
    scan per row (200 s for a national month, twice).

    The current scores keep keys to small tables that a month does not grow (units, indicators,
    revisions). A key from each score to its record would check one key instead of three, but the
    database caches the plan of that check per connection: made while the history table was
    small (a district's month before a national one), it scans the table for every score, minutes
    for a national month. Measured and left out.
    """
    score = connection.ops.quote_name(Score._meta.db_table)
    record = connection.ops.quote_name(ScoreRecord._meta.db_table)
    columns = ", ".join(MEASURES)
    with connection.cursor() as cursor:
        # psycopg's COPY is under Django's cursor: a refused row must still raise Django's DatabaseError.
        with (
            connection.wrap_database_errors,
            cursor.cursor.copy(f"COPY {record} (revision_id, unit_id, indicator_id, {columns}) FROM STDIN") as copy,
        ):
            for v in values:
                copy.write_row((revision.pk, v.unit_id, v.indicator_id, *(getattr(v, m) for m in MEASURES)))
        cursor.execute(
            f"INSERT INTO {score} AS s (revision_id, period_id, unit_id, indicator_id, {columns}) "
            f"SELECT r.revision_id, %s, r.unit_id, r.indicator_id, {columns} FROM {record} r WHERE r.revision_id = %s "
            "ON CONFLICT (unit_id, period_id, indicator_id) DO UPDATE SET revision_id = EXCLUDED.revision_id, "
            + ", ".join(f"{m} = EXCLUDED.{m}" for m in MEASURES),
            [period.pk, revision.pk],
        )
        # Figures a unit of the revision had this month and the revision no longer carries: after the
        # upsert, exactly its units' scores of an older revision. (No anti-join against the records:
        # planned while the statistics say the revision has one record, that is a scan per row.)
        cursor.execute(
            f"DELETE FROM {score} s WHERE s.period_id = %s AND s.revision_id <> %s "
            f"AND s.unit_id IN (SELECT r.unit_id FROM {record} r WHERE r.revision_id = %s)",
            [period.pk, revision.pk, revision.pk],
        )
