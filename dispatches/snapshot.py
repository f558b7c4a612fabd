"""The typed snapshot a dispatch quotes: dataclasses the wording and the PDF template read by attribute.

A final dispatch stores its snapshot as JSON (`Dispatch.frozen_data`); `to_json` and `from_json` turn
one into the other without loss (decimals travel as strings, so "6.60" stays "6.60").
"""

import dataclasses
import datetime
import types
import typing
from dataclasses import dataclass, field
from decimal import Decimal

from indicators.models import IndicatorRole

SCHEMA = 2  # the shape of `to_json`; a stored snapshot of another shape is refused, never misread

# Operational counts a dispatch lists by subordinate unit (appendices and requirements), by catalogue role.
OVERDUE_ROLES = [IndicatorRole.OVERDUE_TOTAL, IndicatorRole.OVERDUE_DISTRICT, IndicatorRole.OVERDUE_COMMUNE]
PAKN_ROLES = [IndicatorRole.PAKN_NOT_RECEIVED, IndicatorRole.PAKN_LATE]
DIGITISE_ROLES = [IndicatorRole.DIGITISE_MISSING_INPUTS, IndicatorRole.DIGITISE_MISSING_RESULTS]
COUNT_ROLES = [*OVERDUE_ROLES, *PAKN_ROLES, *DIGITISE_ROLES]


@dataclass(frozen=True)
class Figure:
    """One indicator's figure for one unit and month, as published."""

    points: Decimal | None = None
    rate: Decimal | None = None
    count: int | None = None
    change_text: str = ""
    change: Decimal | None = None


@dataclass(frozen=True)
class UnitName:
    code: str
    name: str
    short_name: str
    kind: str
    level: str


@dataclass(frozen=True)
class Issuer:
    """The letterhead and signer, from the unit's issuer profile."""

    parent_authority: str
    issuing_body: str
    symbol: str
    place: str
    signer_authority: str
    signer_role: str
    signer_name: str


@dataclass(frozen=True)
class Month:
    year: int
    month: int

    @property
    def text(self) -> str:
        """ "8/2024", as the dispatches write a month."""
        return f"{self.month}/{self.year}"


@dataclass(frozen=True)
class Line:
    """A group or criterion of the issuing unit, with its change since the month before."""

    code: str
    role: str
    name: str
    short_name: str
    max_points: Decimal | None
    measure: str
    count_unit: str
    direction: str
    parent: str | None
    figure: Figure
    change_points: Decimal | None = None
    change_rate: Decimal | None = None


@dataclass(frozen=True)
class Rank:
    rank: int
    of: int
    published: bool
    change: int | None = None


@dataclass(frozen=True)
class Column:
    """A group shown beside the ranking, by points or (where no unit has points) by rate."""

    code: str
    name: str
    measure: str


@dataclass(frozen=True)
class RankedUnit:
    """A subordinate unit's row of the stored peer ranking, with its group figures."""

    unit: UnitName
    total: Decimal | None
    total_change: Decimal | None
    rank: int | None
    rank_of: int | None
    rank_change: int | None
    band: str
    groups: dict[str, Decimal | None] = field(default_factory=dict)
    progress_rate: Decimal | None = None
    rank_label: str = ""  # as the appendix prints it (rankings.ranks.rank_fraction)


@dataclass(frozen=True)
class CountRow:
    """A unit's operational counts (overdue dossiers, overdue feedback, undigitised dossiers) by role."""

    unit: UnitName
    counts: dict[str, int | None] = field(default_factory=dict)

    def get(self, role: str) -> int | None:
        return self.counts.get(role)

    def sum(self, roles: list[str]) -> int:
        return sum(self.counts.get(role) or 0 for role in roles)


@dataclass(frozen=True)
class UpstreamRef:
    """An upstream document of the month the dispatch cites ("Công văn số 303/VPUB-… ngày 05/9/2024 của …")."""

    kind: str
    number: str
    date: datetime.date
    issuer: str
    subject: str


@dataclass(frozen=True)
class DispatchData:
    """Everything a dispatch quotes for its unit and month."""

    unit: UnitName
    peer_word: str
    subordinate_word: str
    issuer: Issuer
    period: Month
    previous_period: Month
    issue_year: int
    data_as_of: datetime.datetime | None
    revision_ids: list[int]
    uses_demo: bool
    total: Figure | None
    total_change: Decimal | None
    rank: Rank | None
    band: str
    groups: list[Line]
    criteria: list[Line]
    copies_electronic: int | None
    columns: list[Column]
    subordinates: list[RankedUnit]
    departments: list[RankedUnit]
    overdue: list[CountRow]
    pakn: list[CountRow]
    digitise: list[CountRow]
    upstream: list[UpstreamRef]
    ranking_note: str = ""  # when ranks are left out of the appendix (rankings.ranks.appendix_note)

    def to_json(self) -> dict:
        return {"schema": SCHEMA, **_dump(self)}

    @classmethod
    def from_json(cls, data: dict) -> "DispatchData":
        if not isinstance(data, dict) or data.get("schema") != SCHEMA:
            raise ValueError("Số liệu đã chốt của công văn ở dạng cũ: hãy mở lại dự thảo rồi chốt lại.")
        return _load(cls, {k: v for k, v in data.items() if k != "schema"})


def _dump(value):
    if dataclasses.is_dataclass(value):
        return {f.name: _dump(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime.datetime | datetime.date):
        return value.isoformat()
    if isinstance(value, list):
        return [_dump(v) for v in value]
    if isinstance(value, dict):
        return {k: _dump(v) for k, v in value.items()}
    return value


def _load(kind, value):
    """Rebuild a value of type `kind` (a dataclass, list[…], dict[str, …], X | None or a scalar) from JSON."""
    if value is None:
        return None
    origin = typing.get_origin(kind)
    if origin in (typing.Union, types.UnionType):
        (inner,) = [a for a in typing.get_args(kind) if a is not type(None)]
        return _load(inner, value)
    if origin is list:
        return [_load(typing.get_args(kind)[0], v) for v in value]
    if origin is dict:
        return {k: _load(typing.get_args(kind)[1], v) for k, v in value.items()}
    if dataclasses.is_dataclass(kind):
        hints = typing.get_type_hints(kind)
        return kind(
            **{f.name: _load(hints[f.name], value[f.name]) for f in dataclasses.fields(kind) if f.name in value}
        )
    if kind is Decimal:
        return Decimal(value)
    if kind is datetime.datetime:
        return datetime.datetime.fromisoformat(value)
    if kind is datetime.date:
        return datetime.date.fromisoformat(value)
    return kind(value)
