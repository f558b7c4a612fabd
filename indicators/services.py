"""Writes of score data. Every change of a month's figures goes through `revision_apply`."""

import datetime
import hashlib
from decimal import Decimal
from typing import NamedTuple

from django.db import connection, transaction

from accounts.services import audit_record
from units.models import AdministrativeUnit

from .models import CurrentRevision, Framework, ImportRevision, Indicator, Period, ScoreRecord
from .periods import month_period_span


class Value(NamedTuple):
    """One figure to write: which unit and indicator, and the measures it carries.

    A tuple in the order of a history record's columns (`unit_id`, `indicator_id`, then `MEASURES`):
    a national month is 100k of these, built and written as they are."""

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

    One transaction: the revision, its history records and the pointers that make them current land
    together or not at all. Units in `values` have all their current figures for the month replaced
    by the revision's, so an indicator dropped from a corrected file does not linger.
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
    _write_records(revision=revision, values=values)
    _make_current(revision=revision)
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


def _write_records(*, revision: ImportRevision, values: list[Value]) -> None:
    """The revision's figures, written once: its history records, which the current figures are read
    from (`Score`). PostgreSQL takes them by COPY; elsewhere (SQLite, the embedded default) in bulk
    INSERTs. Every constraint is checked either way, and a refused row aborts the transaction.

    A national month is 100k figures, and most of the write is the database checking each row's
    keys ((revision, month), unit, indicator): the one table written per figure is this one.
    """
    keys = (revision.pk, revision.period_id)
    if connection.vendor != "postgresql":
        ScoreRecord.objects.bulk_create(
            [ScoreRecord(revision_id=keys[0], period_id=keys[1], **v._asdict()) for v in values], batch_size=5000
        )
        return
    record = connection.ops.quote_name(ScoreRecord._meta.db_table)
    columns = ", ".join(("revision_id", "period_id", *Value._fields))
    with connection.cursor() as cursor:
        # psycopg's COPY is under Django's cursor: a refused row must still raise Django's DatabaseError.
        with connection.wrap_database_errors, cursor.cursor.copy(f"COPY {record} ({columns}) FROM STDIN") as copy:
            for v in values:
                copy.write_row(keys + v)


def _make_current(*, revision: ImportRevision) -> None:
    """Point each unit of the revision at it for the month: the unit's figures are now the revision's,
    and only those (an indicator the revision does not carry is no longer current).

    One statement from the records just written, in SQL that PostgreSQL and SQLite both run: the
    pointers are built by the database (a national month is 4,100 of them) instead of one object
    each in Python.
    """
    current = connection.ops.quote_name(CurrentRevision._meta.db_table)
    record = connection.ops.quote_name(ScoreRecord._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            # The units in the order of the records' (revision, unit, indicator) key: no sort.
            f"INSERT INTO {current} (period_id, unit_id, revision_id) "
            f"SELECT DISTINCT %s, unit_id, %s FROM {record} WHERE revision_id = %s "
            "ON CONFLICT (period_id, unit_id) DO UPDATE SET revision_id = excluded.revision_id",
            [revision.period_id, revision.pk, revision.pk],
        )
