"""Which unit a row names: by code, or by name among the scope's units valid in the month.

Names are compared by the rules of `units.names`: folded (case and diacritics ignored), without
"UBND", level words and their abbreviations ("TT", "P.", "TX"); remembered aliases count; small
typos are caught with difflib. Every match says how it was made, so the preview can show it and the user can judge.
"""

import difflib
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from indicators.models import Period
from units.models import AdministrativeUnit, Level, UnitAlias
from units.names import department_kind, fold, name_key, says_kind, split_level

BY_CODE, BY_NAME, BY_KEY, BY_ALIAS, BY_TYPO, BY_CHOICE, TO_CREATE = (
    "code",
    "name",
    "key",
    "alias",
    "typo",
    "choice",
    "create",
)
TYPO_CUTOFF = 0.8


@dataclass
class Resolution:
    """The outcome of resolving one name or code."""

    text: str
    unit: AdministrativeUnit | None = None
    method: str = ""
    candidates: list[AdministrativeUnit] = field(default_factory=list)
    problem: str = ""  # "", "unknown", "ambiguous", "invalid_in_month", "outside_scope"

    @property
    def ok(self) -> bool:
        return self.unit is not None or self.method == TO_CREATE

    def how(self) -> str:
        return {
            BY_CODE: _("theo mã"),
            BY_NAME: _("trùng tên"),
            BY_KEY: _("trùng tên (bỏ “UBND”, cấp, dấu)"),
            BY_ALIAS: _("theo tên gọi khác đã xác nhận"),
            BY_TYPO: _("gần đúng (có thể sai chính tả)"),
            BY_CHOICE: _("người nhập chọn"),
            TO_CREATE: _("sẽ tạo đơn vị mới"),
        }.get(self.method, "")


class UnitResolver:
    """Resolves names and codes among one scope's children valid in one month; loads them once."""

    def __init__(self, *, scope: AdministrativeUnit, period: Period, choices: dict | None = None):
        self.scope = scope
        self.period = period
        self.choices = choices or {}
        children = list(AdministrativeUnit.objects.filter(parent=scope))
        self.valid = [u for u in children if u.is_valid_in(period)]
        self.invalid = [u for u in children if not u.is_valid_in(period)]
        valid_ids = {u.pk for u in self.valid}
        self.by_id = {u.pk: u for u in self.valid}
        self.by_code: dict[str, list] = {}
        self.by_fold: dict[str, list] = {}
        self.by_key: dict[str, list] = {}
        for unit in self.valid:
            self.by_code.setdefault(unit.code, []).append(unit)
            self.by_fold.setdefault(unit.search_name or fold(unit.name), []).append(unit)
            self.by_key.setdefault(unit.match_key or name_key(unit.name), []).append(unit)
        self.by_alias: dict[str, list] = {}
        # The aliases of the scope's units (not a list of 4.100 ids for a national file), of the valid ones.
        for unit_id, key in UnitAlias.objects.filter(unit__parent=scope).values_list("unit_id", "match_key"):
            if unit_id in valid_ids:
                self.by_alias.setdefault(key, []).append(self.by_id[unit_id])
        self.invalid_by_key = {}
        for unit in self.invalid:
            self.invalid_by_key.setdefault(unit.match_key or name_key(unit.name), unit)
            self.invalid_by_key.setdefault(unit.code, unit)

    def resolve_code(self, code: str) -> Resolution:
        code = str(code).strip()
        if code.endswith(".0"):  # a code typed as a number in Excel
            code = code[:-2]
        found = self.by_code.get(code, [])
        if len(found) == 1:
            return Resolution(text=code, unit=found[0], method=BY_CODE)
        if code in self.invalid_by_key:
            return Resolution(text=code, problem="invalid_in_month", candidates=[self.invalid_by_key[code]])
        elsewhere = list(
            AdministrativeUnit.objects.filter(code=code).valid_in(self.period).select_related("parent")[:3]
        )
        if elsewhere:
            return Resolution(text=code, problem="outside_scope", candidates=elsewhere)
        return Resolution(text=code, problem="unknown")

    def resolve_name(self, text: str) -> Resolution:
        raw = str(text).strip()
        choice = self.choices.get(raw)
        if choice == TO_CREATE:
            return Resolution(text=raw, method=TO_CREATE)
        if choice and str(choice).isdigit() and int(choice) in self.by_id:
            return Resolution(text=raw, unit=self.by_id[int(choice)], method=BY_CHOICE)
        if fold(raw).removeprefix("ubnd ") == fold(self.scope.name) or raw == self.scope.code:
            # A row for the scope itself, written with its level word ("Huyện Tiên Lữ"), carries its own figures.
            return Resolution(text=raw, unit=self.scope, method=BY_NAME)
        if raw in self.by_code and len(self.by_code[raw]) == 1:
            return Resolution(text=raw, unit=self.by_code[raw][0], method=BY_CODE)
        found = self.by_fold.get(fold(raw), [])
        if len(found) == 1:
            return Resolution(text=raw, unit=found[0], method=BY_NAME)
        key = name_key(raw)
        found = found or self.by_key.get(key, [])
        if len(found) == 1:
            return Resolution(text=raw, unit=found[0], method=BY_KEY)
        if len(found) > 1:
            return self._narrow(raw, found)
        found = self.by_alias.get(key, [])
        if len(set(found)) == 1:
            return Resolution(text=raw, unit=found[0], method=BY_ALIAS)
        if key in self.invalid_by_key:
            return Resolution(text=raw, problem="invalid_in_month", candidates=[self.invalid_by_key[key]])
        close = difflib.get_close_matches(key, list(self.by_key), n=3, cutoff=TYPO_CUTOFF)
        if len(close) == 1 and len(self.by_key[close[0]]) == 1:
            return Resolution(text=raw, unit=self.by_key[close[0]][0], method=BY_TYPO)
        if close:
            units = [u for k in close for u in self.by_key[k]]
            return Resolution(text=raw, problem="ambiguous", candidates=units)
        return Resolution(text=raw, problem="unknown")

    def _narrow(self, raw: str, found: list) -> Resolution:
        """Several units share the key ("Xã Tân Hưng" and "Phường Tân Hưng"): the level word decides."""
        same_kind = [u for u in found if says_kind(raw, u.kind)]
        if len(same_kind) == 1:
            return Resolution(text=raw, unit=same_kind[0], method=BY_KEY)
        return Resolution(text=raw, problem="ambiguous", candidates=found)


def describe_problem(res: Resolution, *, scope: AdministrativeUnit, period: Period) -> str:
    """The Vietnamese message for an unresolved name or code."""
    names = "; ".join(_("%(name)s (mã %(code)s)") % {"name": u.name, "code": u.code} for u in res.candidates)
    if res.problem == "ambiguous":
        return _("“%(text)s” có thể là: %(names)s. Hãy chọn đơn vị.") % {"text": res.text, "names": names}
    if res.problem == "invalid_in_month":
        return _("“%(text)s” (%(names)s) không có hiệu lực trong tháng %(period)s.") % {
            "text": res.text,
            "names": names,
            "period": period,
        }
    if res.problem == "outside_scope":
        return _("“%(text)s” là đơn vị ngoài phạm vi %(scope)s: %(names)s.") % {
            "text": res.text,
            "scope": scope.name,
            "names": names,
        }
    return _(
        "Không tìm thấy đơn vị “%(text)s” trong %(scope)s (tháng %(period)s); chọn đơn vị hoặc tạo đơn vị mới."
    ) % {"text": res.text, "scope": scope.name, "period": period}


def new_unit_fields(*, text: str, scope: AdministrativeUnit, siblings: list[AdministrativeUnit]) -> dict:
    """Name, kind and level of a unit to create from how the file wrote it ("UBND xã Hải Triều")."""
    level_word, rest = split_level(text.strip())
    cleaned = f"{level_word.label} {rest}" if level_word else rest or text.strip()
    if scope.level == Level.PROVINCE and department_kind(cleaned):
        # A province's departments are named as printed ("Sở Tư pháp") and rank as their own peer group.
        return dict(name=cleaned, short_name=cleaned, kind=department_kind(cleaned), level=Level.DEPARTMENT)
    kind, short = (level_word.label, rest) if level_word else ("", cleaned)
    levels = [u.level for u in siblings]
    level = max(set(levels), key=levels.count) if levels else ("district" if scope.level == "province" else "commune")
    if not kind:
        kinds_seen = [u.kind for u in siblings]
        kind = max(set(kinds_seen), key=kinds_seen.count) if kinds_seen else "Xã"
    return dict(name=f"{kind} {short}", short_name=short, kind=kind, level=level)
