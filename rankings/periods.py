"""Period keys the rankings speak: a month "2024-08", a quarter "2024-Q3", a year "2024"."""

import datetime
import re
from calendar import monthrange
from dataclasses import dataclass

from django.utils.translation import gettext as _

_MONTH = re.compile(r"^(\d{4})-(\d{1,2})$")
_QUARTER = re.compile(r"^(\d{4})-[Qq]([1-4])$")
_YEAR = re.compile(r"^(\d{4})$")


class PeriodKeyError(ValueError):
    """The text is not a month, quarter or year the portal understands."""


@dataclass(frozen=True)
class PeriodSpan:
    """A month, quarter or year: its canonical key and the months it covers."""

    key: str
    kind: str  # "month", "quarter" or "year"
    months: tuple[tuple[int, int], ...]

    @property
    def first_day(self) -> datetime.date:
        year, month = self.months[0]
        return datetime.date(year, month, 1)

    @property
    def last_day(self) -> datetime.date:
        year, month = self.months[-1]
        return datetime.date(year, month, monthrange(year, month)[1])

    @property
    def is_month(self) -> bool:
        return self.kind == "month"

    def previous(self) -> "PeriodSpan":
        """The period of the same kind just before: the month, quarter or year that changes are measured against."""
        year, month = self.months[0]
        if self.kind == "month":
            return period_span(f"{year - 1}-12" if month == 1 else f"{year}-{month - 1:02d}")
        if self.kind == "quarter":
            quarter = (month - 1) // 3 + 1
            return period_span(f"{year - 1}-Q4" if quarter == 1 else f"{year}-Q{quarter - 1}")
        return period_span(str(year - 1))

    def following(self) -> "PeriodSpan":
        """The period of the same kind just after: the one whose changes are measured against this one."""
        year, month = self.months[-1]
        if self.kind == "month":
            return period_span(f"{year + 1}-01" if month == 12 else f"{year}-{month + 1:02d}")
        if self.kind == "quarter":
            quarter = (month - 1) // 3 + 1
            return period_span(f"{year + 1}-Q1" if quarter == 4 else f"{year}-Q{quarter + 1}")
        return period_span(str(year + 1))

    def containing(self) -> list["PeriodSpan"]:
        """For a month: the month, its quarter and its year (the views an import of the month changes)."""
        year, month = self.months[0]
        return [self, period_span(f"{year}-Q{(month - 1) // 3 + 1}"), period_span(str(year))]

    @property
    def label(self) -> str:
        year, month = self.months[0]
        if self.kind == "month":
            return _("tháng %(month)s/%(year)s") % {"month": month, "year": year}
        if self.kind == "quarter":
            return _("quý %(quarter)s/%(year)s") % {"quarter": (month - 1) // 3 + 1, "year": year}
        return _("năm %(year)s") % {"year": year}


def period_span(text: str) -> PeriodSpan:
    """Parse "2024-08", "2024-Q3" or "2024"; raise PeriodKeyError with a Vietnamese message otherwise."""
    raw = (text or "").strip()
    if match := _MONTH.match(raw):
        year, month = int(match[1]), int(match[2])
        if not 1 <= month <= 12:
            raise PeriodKeyError(_("Kỳ “%(text)s” không hợp lệ: tháng phải từ 1 đến 12.") % {"text": raw})
        span = PeriodSpan(f"{year:04d}-{month:02d}", "month", ((year, month),))
    elif match := _QUARTER.match(raw):
        year, quarter = int(match[1]), int(match[2])
        months = tuple((year, m) for m in range(3 * quarter - 2, 3 * quarter + 1))
        span = PeriodSpan(f"{year:04d}-Q{quarter}", "quarter", months)
    elif match := _YEAR.match(raw):
        year = int(match[1])
        span = PeriodSpan(f"{year:04d}", "year", tuple((year, m) for m in range(1, 13)))
    else:
        raise PeriodKeyError(
            _("Kỳ “%(text)s” không hợp lệ: ghi theo dạng NĂM-THÁNG (2024-08), NĂM-QUÝ (2024-Q3) hoặc NĂM (2024).")
            % {"text": raw}
        )
    if not 2022 <= span.months[0][0] <= 2100:
        raise PeriodKeyError(_("Kỳ “%(text)s” nằm ngoài thời gian áp dụng Bộ chỉ số (từ năm 2022).") % {"text": raw})
    return span
