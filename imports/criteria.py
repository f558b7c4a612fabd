"""Tables whose rows are criteria of one unit ("STT | Tiêu chí | Tỷ trọng | So với tháng trước"),
as the summary appendices of the dispatches print them (Phụ lục 1 of the Hà Nội dispatch).

A row's label is matched to the catalogue by name: exactly (case, diacritics and punctuation
ignored, common abbreviations expanded), else by containment within the group the table is
in at that point; an indicator matched once is not matched again ("Quá hạn" under group 2 is
2.3 once 2.1 "Tổng số hồ sơ quá hạn đang xử lý" has been taken).
"""

import difflib
import re

from indicators.models import Indicator, IndicatorKind
from units.names import fold

_ABBREVIATIONS = [
    (r"\bdvc\b", "dich vu cong truc tuyen"),
    (r"\bpakn\b", "phan anh kien nghi"),
    (r"\bcsdl\b", "co so du lieu"),
]


def _norm(text: str) -> str:
    folded = fold(text)
    for pattern, full in _ABBREVIATIONS:
        folded = re.sub(pattern, full, folded)
    return re.sub(r"\s+", " ", folded).strip()


def _names(indicator: Indicator) -> list[str]:
    return [
        n
        for n in {_norm(indicator.name), _norm(indicator.short_name), *map(_norm, indicator.header_hints.splitlines())}
        if n
    ]


class CriterionMatcher:
    """Matches row labels to indicators in table order, remembering the current group."""

    def __init__(self, indicators: dict[str, Indicator]):
        self.indicators = sorted(indicators.values(), key=lambda i: i.order)
        self.names = {i.pk: _names(i) for i in self.indicators}
        self.used: set[int] = set()
        self.group: Indicator | None = None

    def match(self, label: str) -> Indicator | None:
        text = _norm(label)
        if not text:
            return None
        found = self._exact(text) or self._contained(text)
        if found is not None:
            self.used.add(found.pk)
            if found.kind in (IndicatorKind.GROUP, IndicatorKind.TOTAL):
                self.group = found if found.kind == IndicatorKind.GROUP else None
        return found

    def _free(self):
        return [i for i in self.indicators if i.pk not in self.used]

    def _exact(self, text: str) -> Indicator | None:
        hits = [i for i in self._free() if text in self.names[i.pk]]
        if len(hits) > 1 and self.group is not None:
            hits = [i for i in hits if i.parent_id == self.group.pk] or hits
        return hits[0] if len(hits) == 1 else None

    def _contained(self, text: str) -> Indicator | None:
        pattern = re.compile(r"(^|\s)" + re.escape(text) + r"($|\s)")
        candidates = [i for i in self._free() if any(pattern.search(n) for n in self.names[i.pk])]
        if self.group is not None:
            in_group = [i for i in candidates if i.parent_id == self.group.pk]
            candidates = in_group or candidates
        if not candidates:
            return None
        if len(candidates) == 1:
            return candidates[0]
        # Several names contain the label: the closest whole name wins if it is clearly closest.
        scored = sorted(
            ((max(difflib.SequenceMatcher(None, text, n).ratio() for n in self.names[i.pk]), i) for i in candidates),
            key=lambda pair: -pair[0],
        )
        return scored[0][1] if scored[0][0] - scored[1][0] >= 0.05 else None
