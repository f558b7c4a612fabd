"""Reads of the unit tree: finding a unit by what a person typed, and a unit's surroundings."""

import datetime

from django.db.models import Q
from django.utils.translation import gettext as _

from . import collation
from .collation import by_name
from .models import AdministrativeUnit
from .names import fold, name_key, split_level


def subtree_q(root_ids, prefix: str = "") -> Q:
    """Units at or under the roots (`prefix` reaches them through a relation: "unit__"): the tree is at
    most three levels under any unit (province → district → commune)."""
    ids = list(root_ids)
    return (
        Q(**{f"{prefix}pk__in": ids})
        | Q(**{f"{prefix}parent_id__in": ids})
        | Q(**{f"{prefix}parent__parent_id__in": ids})
        | Q(**{f"{prefix}parent__parent__parent_id__in": ids})
    )


def subtree_ids(unit: AdministrativeUnit) -> list[int]:
    """The ids of the unit and every unit under it."""
    return list(AdministrativeUnit.objects.filter(subtree_q([unit.pk])).values_list("pk", flat=True))


class UnitNotFound(Exception):
    """No unit matches the text."""


class AmbiguousUnit(Exception):
    """More than one unit matches the text; `candidates` lists them."""

    def __init__(self, text: str, candidates: list[AdministrativeUnit]):
        self.text = text
        self.candidates = candidates
        names = "; ".join(
            _("%(name)s (mã %(code)s, %(parent)s)")
            % {"name": u.name, "code": u.code, "parent": u.parent.name if u.parent else _("cấp trung ương")}
            for u in candidates
        )
        super().__init__(
            _("“%(text)s” khớp với nhiều đơn vị: %(names)s. Hãy ghi rõ mã đơn vị.") % {"text": text, "names": names}
        )


def unit_lookup(
    *, text: str, on: datetime.date | None = None, within: AdministrativeUnit | None = None
) -> AdministrativeUnit:
    """The one unit that `text` (a code or a name) names, among the units valid on `on` (today if None).

    Codes are matched exactly; names ignore case, diacritics, "UBND" and level words.
    A name that several units share resolves to the one at the highest level if there is just
    one there ("Mê Linh" is the district); otherwise it is an error listing them.
    """
    text = text.strip()
    if not text:
        raise UnitNotFound(_("Chưa nhập tên hoặc mã đơn vị."))
    day = on or datetime.date.today()
    units = AdministrativeUnit.objects.valid_on(day).select_related("parent")
    if within is not None:
        units = units.filter(parent=within)
    by_code = list(units.filter(code=text))
    if len(by_code) == 1:
        return by_code[0]
    folded = fold(text)
    exact = list(units.filter(search_name=folded))
    if len(exact) == 1:
        return exact[0]
    key = name_key(text)
    candidates = exact or list(units.filter(Q(match_key=key) | Q(aliases__match_key=key)).distinct())
    level, _rest = split_level(text)
    if level is not None:  # "Huyện Tiên Lữ" (or "H. Tiên Lữ") never means a commune called Tiên Lữ
        candidates = [u for u in candidates if fold(u.kind) == level.folded]
    if len(candidates) == 1:
        return candidates[0]
    # "Mê Linh" means the district, not the communes of the same name: a single candidate at
    # the highest level wins; several at that level are ambiguous.
    top = min((_level_order(u)[0] for u in candidates), default=None)
    highest = [u for u in candidates if _level_order(u)[0] == top]
    if len(highest) == 1:
        return highest[0]
    if candidates:
        raise AmbiguousUnit(text, sorted(candidates, key=_level_order))
    raise UnitNotFound(
        _("Không tìm thấy đơn vị “%(text)s” có hiệu lực ngày %(day)s.") % {"text": text, "day": f"{day:%d/%m/%Y}"}
    )


def _level_order(unit: AdministrativeUnit) -> tuple:
    order = {"province": 0, "department": 1, "district": 2, "commune": 3}
    return (order.get(unit.level, 9), collation.name_key(unit.name))


def unit_search(*, q: str, limit: int = 20):
    """Units whose name contains `q`, diacritics-insensitive, current units first."""
    folded = fold(q)
    if not folded:
        return AdministrativeUnit.objects.none()
    return (
        AdministrativeUnit.objects.filter(search_name__contains=folded)
        .select_related("parent")
        .order_by("valid_to", "level", by_name())[:limit]
    )
