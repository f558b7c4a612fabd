"""Period keys of stored results: a month "2024-08", a quarter "2024-Q3" or a year "2024"."""

import datetime
import re
from calendar import monthrange
from dataclasses import dataclass

from django.utils.translation import gettext as _

_KEY = re.compile(r"^(?P<year>\d{4})(?:-(?:(?P<month>\d{2})|Q(?P<quarter>[1-4])))?$")


@dataclass(frozen=True)
class PeriodKey:
    """A parsed period key; `months` lists the (year, month) pairs it covers."""

    key: str
    kind: str  # "month", "quarter" or "year"
    year: int
    number: int | None = None  # the month or the quarter

    @property
    def months(self) -> list[tuple[int, int]]:
        if self.kind == "month":
            return [(self.year, self.number)]
        if self.kind == "quarter":
            first = (self.number - 1) * 3 + 1
            return [(self.year, m) for m in range(first, first + 3)]
        return [(self.year, m) for m in range(1, 13)]

    @property
    def first_day(self) -> datetime.date:
        year, month = self.months[0]
        return datetime.date(year, month, 1)

    @property
    def last_day(self) -> datetime.date:
        year, month = self.months[-1]
        return datetime.date(year, month, monthrange(year, month)[1])

    @property
    def label(self) -> str:
        if self.kind == "month":
            return _("tháng %(month)d/%(year)d") % {"month": self.number, "year": self.year}
        if self.kind == "quarter":
            return _("quý %(quarter)d/%(year)d") % {"quarter": self.number, "year": self.year}
        return _("năm %(year)d") % {"year": self.year}

    @property
    def short_label(self) -> str:
        if self.kind == "month":
            return f"{self.number}/{self.year}"
        if self.kind == "quarter":
            return f"Q{self.number}/{self.year}"
        return str(self.year)

    @property
    def sort_key(self) -> tuple:
        return (self.year, self.months[-1][1], {"month": 0, "quarter": 1, "year": 2}[self.kind])


def period_key_parse(text: str | None) -> PeriodKey | None:
    """ "2024-08" / "2024-Q3" / "2024" → PeriodKey; anything else → None."""
    match = _KEY.match((text or "").strip())
    if not match:
        return None
    year = int(match["year"])
    if match["month"]:
        month = int(match["month"])
        if not 1 <= month <= 12:
            return None
        return PeriodKey(key=f"{year:04d}-{month:02d}", kind="month", year=year, number=month)
    if match["quarter"]:
        return PeriodKey(key=f"{year:04d}-Q{match['quarter']}", kind="quarter", year=year, number=int(match["quarter"]))
    return PeriodKey(key=f"{year:04d}", kind="year", year=year)


def month_key(year: int, month: int) -> str:
    return f"{year:04d}-{month:02d}"
