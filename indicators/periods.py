"""The one owner of period keys: a month "2024-08", a quarter "2024-Q3", a year "2024".

Every page, the API, the commands and the import read a period the visitor typed through `period_span`,
so one text gets one answer everywhere. Reading a key never writes: the `Period` row of a month is created
only by `indicators.services.period_get`, which GET requests never call.

The rules, once:
- a month is NĂM-THÁNG with one or two digits for the month ("2024-8" is "2024-08"), a quarter NĂM-QUÝ
  with Q or q ("2024-q3" is "2024-Q3"), a year four digits; surrounding blanks are ignored;
- the year lies from 2022 (the first year of Decision 766/QĐ-TTg's index) to 2100, the range the `Period`
  table accepts;
- anything else raises `PeriodKeyError` with a Vietnamese message saying which form is expected.
"""

import datetime
import re
from calendar import monthrange
from dataclasses import dataclass
from functools import cached_property

from django.utils.translation import gettext as _

FIRST_YEAR, LAST_YEAR = 2022, 2100

_MONTH = re.compile(r"^(\d{4})-(\d{1,2})$")
_QUARTER = re.compile(r"^(\d{4})-[Qq]([1-4])$")
_YEAR = re.compile(r"^(\d{4})$")

MONTH, QUARTER, YEAR = "month", "quarter", "year"
_KIND_ORDER = {MONTH: 0, QUARTER: 1, YEAR: 2}


class PeriodKeyError(ValueError):
    """The text is not a month, quarter or year the portal understands."""


@dataclass(frozen=True)
class PeriodSpan:
    """A month, quarter or year: its canonical key and the months it covers.

    `number` is the month (1–12) of a month, the quarter (1–4) of a quarter, None for a year.
    """

    key: str
    kind: str  # MONTH, QUARTER or YEAR
    year: int
    number: int | None = None

    @property
    def months(self) -> tuple[tuple[int, int], ...]:
        """The (year, month) pairs the span covers, in order."""
        if self.kind == MONTH:
            return ((self.year, self.number),)
        if self.kind == QUARTER:
            first = 3 * self.number - 2
            return tuple((self.year, m) for m in range(first, first + 3))
        return tuple((self.year, m) for m in range(1, 13))

    @property
    def quarter(self) -> int | None:
        """The quarter a month or quarter falls in; None for a year."""
        if self.kind == MONTH:
            return (self.number - 1) // 3 + 1
        return self.number if self.kind == QUARTER else None

    @property
    def is_month(self) -> bool:
        return self.kind == MONTH

    # Cached: the validity rule reads both days once per unit, for thousands of units per ranking.
    @cached_property
    def first_day(self) -> datetime.date:
        year, month = self.months[0]
        return datetime.date(year, month, 1)

    @cached_property
    def last_day(self) -> datetime.date:
        year, month = self.months[-1]
        return datetime.date(year, month, monthrange(year, month)[1])

    @property
    def label(self) -> str:
        """ "tháng 8/2024", "quý 3/2024", "năm 2024"."""
        if self.kind == MONTH:
            return _("tháng %(month)s/%(year)s") % {"month": self.number, "year": self.year}
        if self.kind == QUARTER:
            return _("quý %(quarter)s/%(year)s") % {"quarter": self.number, "year": self.year}
        return _("năm %(year)s") % {"year": self.year}

    @property
    def short_label(self) -> str:
        """ "8/2024", "Q3/2024", "2024": for table headers and axes."""
        if self.kind == MONTH:
            return f"{self.number}/{self.year}"
        if self.kind == QUARTER:
            return f"Q{self.number}/{self.year}"
        return str(self.year)

    @property
    def sort_key(self) -> tuple:
        """Chronological by the last month covered; at the same month a month before its quarter before its year."""
        return (self.year, self.months[-1][1], _KIND_ORDER[self.kind])

    def previous(self) -> "PeriodSpan":
        """The period of the same kind just before: the month, quarter or year that changes are measured against."""
        if self.kind == YEAR:
            return year_span(self.year - 1)
        count = 12 if self.kind == MONTH else 4
        year, number = (self.year - 1, count) if self.number == 1 else (self.year, self.number - 1)
        return month_span(year, number) if self.kind == MONTH else quarter_span(year, number)

    def following(self) -> "PeriodSpan":
        """The period of the same kind just after: the one whose changes are measured against this one."""
        if self.kind == YEAR:
            return year_span(self.year + 1)
        count = 12 if self.kind == MONTH else 4
        year, number = (self.year + 1, 1) if self.number == count else (self.year, self.number + 1)
        return month_span(year, number) if self.kind == MONTH else quarter_span(year, number)

    def containing(self) -> list["PeriodSpan"]:
        """For a month: the month, its quarter and its year (the views an import of the month changes)."""
        return [self, quarter_span(self.year, self.quarter), year_span(self.year)]


def month_key(year: int, month: int) -> str:
    return f"{year:04d}-{month:02d}"


def month_span(year: int, month: int) -> PeriodSpan:
    return PeriodSpan(month_key(year, month), MONTH, year, month)


def quarter_span(year: int, quarter: int) -> PeriodSpan:
    return PeriodSpan(f"{year:04d}-Q{quarter}", QUARTER, year, quarter)


def year_span(year: int) -> PeriodSpan:
    return PeriodSpan(f"{year:04d}", YEAR, year)


def period_span(text: str | None) -> PeriodSpan:
    """Parse "2024-08" (or "2024-8"), "2024-Q3" (or "2024-q3") or "2024"; raise PeriodKeyError otherwise."""
    raw = (text or "").strip()
    if match := _MONTH.match(raw):
        year, month = int(match[1]), int(match[2])
        if not 1 <= month <= 12:
            raise PeriodKeyError(_("Kỳ “%(text)s” không hợp lệ: tháng phải từ 1 đến 12.") % {"text": raw})
        span = month_span(year, month)
    elif match := _QUARTER.match(raw):
        span = quarter_span(int(match[1]), int(match[2]))
    elif match := _YEAR.match(raw):
        span = year_span(int(match[1]))
    else:
        raise PeriodKeyError(
            _("Kỳ “%(text)s” không hợp lệ: ghi theo dạng NĂM-THÁNG (2024-08), NĂM-QUÝ (2024-Q3) hoặc NĂM (2024).")
            % {"text": raw}
        )
    if not FIRST_YEAR <= span.year <= LAST_YEAR:
        raise PeriodKeyError(_("Kỳ “%(text)s” nằm ngoài thời gian áp dụng Bộ chỉ số (từ năm 2022).") % {"text": raw})
    return span


def month_period_span(text: str | None) -> PeriodSpan:
    """Like `period_span`, for the places that need one month (an import, a dispatch): a quarter or a year is refused."""
    span = period_span(text)
    if not span.is_month:
        raise PeriodKeyError(
            _("Kỳ “%(text)s” không hợp lệ: cần một tháng, ghi theo dạng NĂM-THÁNG, ví dụ 2024-08.")
            % {"text": (text or "").strip()}
        )
    return span


def period_span_or_none(text: str | None) -> PeriodSpan | None:
    """`period_span`, with None for text that is not a period (stored keys, optional parameters)."""
    try:
        return period_span(text)
    except PeriodKeyError:
        return None
