"""Column targets: what a header means ("unit", "unit_code", an indicator code with an optional measure).

A target is text so it can be typed on the command line and stored in a preset:
`unit`, `unit_code`, `total`, `2`, `2.1`, and with a measure where the column does not carry
the indicator's primary one: `2:rate`, `2:points`, `total:change`, `1.2:count`; the source's own
rank and its changes: `total:rank` ("13" or "13/30"), `total:rank_of`, `total:rank_change`.
"""

import re
from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext as _

from indicators.models import Indicator, IndicatorKind, Measure
from units.names import fold

from .numbers import CHANGE, COUNT, COUNT_RATE, POINTS, RANK, RANK_CHANGE, RANK_OF, RATE

UNIT, UNIT_CODE, IGNORE = "unit", "unit_code", ""
# Targets of a criteria table (rows are criteria of one unit): the label, its figure, its change.
LABEL, VALUE, CHANGE_COLUMN = "criterion", "value", "change"
ROW_KINDS = (UNIT, UNIT_CODE, LABEL, VALUE, CHANGE_COLUMN)
MEASURE_SUFFIXES = {
    "points": POINTS,
    "rate": RATE,
    "count": COUNT,
    "change": CHANGE,
    "count_rate": COUNT_RATE,
    "rank": RANK,
    "rank_of": RANK_OF,
    "rank_change": RANK_CHANGE,
}
# Measures the source publishes about a figure rather than the figure itself (never range-checked).
PUBLISHED_EXTRAS = (CHANGE, RANK, RANK_OF, RANK_CHANGE)
PRIMARY = {Measure.POINTS: POINTS, Measure.PERCENT: RATE, Measure.COUNT: COUNT, Measure.COUNT_PERCENT: COUNT_RATE}

_UNIT_HINTS = ["ten co quan don vi", "ten don vi", "ten co quan", "don vi", "co quan", "ten xa", "ten huyen", "ten"]
_CODE_HINTS = ["ma don vi", "ma dvhc", "ma so", "ma"]
_LABEL_HINTS = ["tieu chi", "chi tieu", "noi dung", "chi so", "ten chi so", "ten tieu chi"]
_IGNORE_HINTS = ["stt", "tt", "so tt", "so thu tu", "ghi chu", "xep loai"]
_CHANGE_WORDS = ["tang hoac giam", "tang giam", "so voi thang", "thay doi", "chenh lech"]
_RANK_WORDS = ["xep hang", "thu hang"]  # and a header that starts with "hạng"
_RANK_OF_HINTS = ["tren tong so", "so don vi duoc xep hang", "so don vi xep hang", "tong so don vi"]
_RATE_WORDS = ["ty le", "%"]


class MappingError(ValueError):
    """A target that names nothing, or a mapping that cannot work; the message is Vietnamese."""


@dataclass(frozen=True)
class Target:
    kind: str  # "unit", "unit_code" or "indicator"
    indicator: Indicator | None = None
    measure: str = ""

    @property
    def text(self) -> str:
        if self.indicator is None:
            return self.kind
        primary = PRIMARY[self.indicator.measure]
        return self.indicator.code if self.measure == primary else f"{self.indicator.code}:{self.measure}"

    def label(self) -> str:
        if self.kind == UNIT:
            return _("Tên đơn vị")
        if self.kind == UNIT_CODE:
            return _("Mã đơn vị")
        if self.kind == LABEL:
            return _("Tên tiêu chí (bảng theo tiêu chí)")
        if self.kind == VALUE:
            return _("Kết quả của tiêu chí")
        if self.kind == CHANGE_COLUMN:
            return _("So với tháng trước (bảng theo tiêu chí)")
        names = {
            POINTS: _("điểm"),
            RATE: _("tỷ lệ %"),
            COUNT: _("số lượng"),
            COUNT_RATE: _("số lượng (tỷ lệ %)"),
            CHANGE: _("so với tháng trước"),
            RANK: _("hạng (theo công bố, ví dụ 13/30)"),
            RANK_OF: _("số đơn vị được xếp hạng (theo công bố)"),
            RANK_CHANGE: _("thay đổi hạng (theo công bố)"),
        }
        return f"{self.indicator.code} {self.indicator.name} — {names[self.measure]}"


def parse_target(text: str, indicators: dict[str, Indicator]) -> Target | None:
    """ "2:rate" → Target; "" or "-" → None (ignore the column). Raises MappingError for unknown codes."""
    text = (text or "").strip()
    if text in ("", "-", "ignore", "bo qua"):
        return None
    if text in ROW_KINDS:
        return Target(kind=text)
    code, _sep, suffix = text.partition(":")
    indicator = indicators.get(code.strip())
    if indicator is None:
        raise MappingError(
            _("Đích “%(target)s” không có trong bộ chỉ số (dùng unit, unit_code, total, 1…6, mã tiêu chí như 2.1).")
            % {"target": text}
        )
    if suffix:
        measure = MEASURE_SUFFIXES.get(suffix.strip())
        if measure is None:
            raise MappingError(
                _("Đơn vị đo “%(suffix)s” không hợp lệ (dùng points, rate, count, change).") % {"suffix": suffix}
            )
    else:
        measure = PRIMARY[indicator.measure]
    return Target(kind="indicator", indicator=indicator, measure=measure)


def all_targets(indicators: dict[str, Indicator]) -> list[tuple[str, str]]:
    """Every choice offered in the mapping form: (target text, label)."""
    choices = [(kind, Target(kind=kind).label()) for kind in ROW_KINDS]
    for indicator in sorted(indicators.values(), key=lambda i: i.order):
        primary = PRIMARY[indicator.measure]
        measures = [primary]
        if indicator.measure == Measure.POINTS:
            measures.append(RATE)
        measures.append(CHANGE)
        if indicator.kind in (IndicatorKind.TOTAL, IndicatorKind.GROUP):
            measures += [RANK, RANK_OF, RANK_CHANGE]
        for measure in measures:
            target = Target(kind="indicator", indicator=indicator, measure=measure)
            choices.append((target.text, target.label()))
    return choices


def _contains(text: str, hint: str) -> bool:
    return re.search(r"(^|\s)" + re.escape(hint) + r"($|\s)", text) is not None


def _numbers(column: list) -> list[Decimal]:
    out = []
    for value in column[:200]:
        if isinstance(value, int | float) and not isinstance(value, bool):
            out.append(Decimal(str(value)))
        elif isinstance(value, str):
            cleaned = value.strip().rstrip("%").replace(",", ".")
            try:
                out.append(Decimal(cleaned))
            except Exception:
                continue
    return out


# Over the complexity bound (C901) on purpose: one ordered list of header rules (the importer's own names first, then
# the catalogue's); split, the order would be harder to read.
def suggest(header: str, column: list, indicators: dict[str, Indicator]) -> str:  # noqa: C901
    """The likely target of a column from its header text and, where the header is unclear, its numbers."""
    text = fold(header)
    if not text:
        return IGNORE
    if text in _IGNORE_HINTS:
        return IGNORE
    if text in _LABEL_HINTS:
        return LABEL
    if any(_contains(text, h) for h in _CODE_HINTS[:3]) or text == "ma":
        return UNIT_CODE
    if any(text.startswith(h) or text == h for h in _UNIT_HINTS):
        return UNIT
    total = next((i for i in indicators.values() if i.kind == IndicatorKind.TOTAL), None)
    best: tuple[int, Indicator] | None = None
    for indicator in indicators.values():
        hints = [indicator.name, indicator.short_name, *indicator.header_hints.splitlines()]
        for hint in hints:
            folded = fold(hint)
            if folded and _contains(text, folded) and (best is None or len(folded) > best[0]):
                best = (len(folded), indicator)
        if indicator.kind != IndicatorKind.TOTAL and re.fullmatch(re.escape(indicator.code), text):
            best = (1000, indicator)
    ranks = any(_contains(text, w) for w in _RANK_WORDS[:2]) or text == "hang" or text.startswith("hang ")
    changes = any(w in text for w in _CHANGE_WORDS)
    if best is None or (ranks and best[1].kind not in (IndicatorKind.TOTAL, IndicatorKind.GROUP)):
        # "Xếp hạng", "Tăng, giảm so với tháng trước": with no indicator named, the source's
        # rank and change are the total's ("Trên tổng số" is how many it ranked).
        if total is None:
            return IGNORE
        if any(text == h or text.startswith(h + " ") for h in _RANK_OF_HINTS):
            return Target(kind="indicator", indicator=total, measure=RANK_OF).text
        if ranks:
            measure = RANK_CHANGE if changes else RANK
            return Target(kind="indicator", indicator=total, measure=measure).text
        if changes:
            return Target(kind="indicator", indicator=total, measure=CHANGE).text
        return IGNORE
    indicator = best[1]
    primary = PRIMARY[indicator.measure]
    if ranks:
        return Target(kind="indicator", indicator=indicator, measure=RANK_CHANGE if changes else RANK).text
    if changes:
        return Target(kind="indicator", indicator=indicator, measure=CHANGE).text
    if indicator.measure == Measure.POINTS:
        numbers = _numbers(column)
        says_rate = any(w in text for w in _RATE_WORDS) or any(isinstance(v, str) and "%" in v for v in column[:50])
        # A group column whose numbers exceed the group's maximum but not 100 holds its rate
        # (the Tiên Lữ appendix prints "Tiến độ giải quyết hồ sơ" as 100, 99,64, 92,54).
        too_big = indicator.max_points is not None and numbers and max(numbers) > indicator.max_points
        if says_rate or (too_big and max(numbers) <= 100 and "diem" not in text):
            return Target(kind="indicator", indicator=indicator, measure=RATE).text
    return Target(kind="indicator", indicator=indicator, measure=primary).text


def preset_key(header: str) -> str:
    return fold(header)
