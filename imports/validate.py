"""Checking every cell of a mapped table before anything is written, and comparing with the current data.

The outcome is a `Preview`: per row its unit, figures, status (new / changed / unchanged / error)
and the issues found, each located by sheet, row and column; and the values ready to apply.
"""

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.db.backends.base.operations import BaseDatabaseOperations
from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from indicators.formatting import format_number
from indicators.models import MEASURES, Indicator, IndicatorKind, IndicatorRole, Period, Score
from indicators.services import Value
from rankings.models import RankingResult
from rankings.ranks import CHANGE_ROUNDING
from rankings.services import competition_ranks
from units.collation import name_key
from units.models import AdministrativeUnit
from units.names import fold

from .criteria import CriterionMatcher
from .mapping import (
    CHANGE_COLUMN,
    LABEL,
    PRIMARY,
    PUBLISHED_EXTRAS,
    UNIT,
    UNIT_CODE,
    VALUE,
    MappingError,
    Target,
    parse_target,
    suggest,
)
from .models import UnitAbsence
from .numbers import CHANGE, COUNT, COUNT_RATE, POINTS, RATE, NumberError, parse_cell
from .parsing import FormulaWithoutValue, Table
from .resolve import TO_CREATE, Resolution, UnitResolver, describe_problem, new_unit_fields

NEW, CHANGED, UNCHANGED, ERROR = "new", "changed", "unchanged", "error"
# Rows of a table that sum or average the others rather than name a unit (folded).
SUMMARY_ROWS = {
    "tong",
    "tong cong",
    "tong so",
    "cong",
    "toan huyen",
    "toan tinh",
    "toan thanh pho",
    "toan thi xa",
    "binh quan",
    "trung binh",
    "trung binh chung",
}
_DIGIT = re.compile(r"\d").search
STATUS_LABELS = {
    NEW: gettext_lazy("Mới"),
    CHANGED: gettext_lazy("Thay đổi"),
    UNCHANGED: gettext_lazy("Không đổi"),
    ERROR: gettext_lazy("Lỗi"),
}
TWO_PLACES, THREE_PLACES = Decimal("0.01"), Decimal("0.001")
# Published totals are rounded: a gap up to this much between the total and the groups' sum is rounding.
SUM_TOLERANCE = Decimal("0.1")


def jump_limit() -> Decimal:
    return Decimal(str(getattr(settings, "IMPORT_JUMP_WARNING_POINTS", 15)))


@dataclass
class Issue:
    """An error (blocks the import) or a warning (does not), located in the file."""

    message: str
    row: int | None = None
    column: str = ""
    sheet: str = ""
    is_error: bool = True

    def where(self) -> str:
        parts = []
        if self.sheet:
            parts.append(_("trang “%(sheet)s”") % {"sheet": self.sheet})
        if self.row:
            parts.append(_("dòng %(row)s") % {"row": self.row})
        if self.column:
            parts.append(_("cột “%(column)s”") % {"column": self.column})
        return ", ".join(parts)

    def __str__(self) -> str:
        where = self.where()
        return f"{where[:1].upper()}{where[1:]}: {self.message}" if where else self.message

    def as_dict(self) -> dict:
        return {"sheet": self.sheet, "row": self.row, "column": self.column, "message": self.message}


@dataclass
class Change:
    """One figure that applying would change; rendered only when shown (a national file has 100k)."""

    indicator: Indicator
    old: dict | None
    new: dict | None

    @property
    def before(self) -> str:
        return _show(self.old)

    @property
    def after(self) -> str:
        return _show(self.new) if self.new is not None else _("(bỏ — tệp không có)")


@dataclass
class RowResult:
    """One data row of the file and what importing it would do."""

    row: int
    unit_text: str
    resolution: Resolution | None
    figures: dict[int, dict] = field(default_factory=dict)  # indicator id → measures
    issues: list[Issue] = field(default_factory=list)
    changed: list[Change] = field(default_factory=list)  # against the unit's current figures
    status: str = NEW
    catalogue: dict[int, Indicator] | None = field(default=None, repr=False)  # by id, for a new row's changes

    @property
    def changes(self) -> list[Change]:
        """What applying the row would change. A row new to the month brings each of its figures; those
        are listed when shown (the preview shows 500 rows of a national file's 4,100)."""
        if self.status == NEW and self.catalogue is not None:
            return [Change(self.catalogue[i], None, m) for i, m in self.figures.items()]
        return self.changed

    @property
    def errors(self) -> list[Issue]:
        return [i for i in self.issues if i.is_error]

    @property
    def warnings(self) -> list[Issue]:
        return [i for i in self.issues if not i.is_error]

    @property
    def unit(self) -> AdministrativeUnit | None:
        return self.resolution.unit if self.resolution else None

    def status_label(self) -> str:
        return str(STATUS_LABELS[self.status])


@dataclass
class Preview:
    """Everything the user sees before applying, and the values that applying would write."""

    table: Table
    period: Period
    scope: AdministrativeUnit
    columns: list[tuple[str, Target | None]]
    rows: list[RowResult]
    file_issues: list[Issue]
    create_missing: bool = False
    # Units of the scope valid in the month, at the levels the file covers, that no row names; and
    # those of them a leader already recorded as having no figures this month.
    missing: list[AdministrativeUnit] = field(default_factory=list)
    absent_ids: set[int] = field(default_factory=set)

    @property
    def errors(self) -> list[Issue]:
        return [i for i in self.file_issues if i.is_error] + [i for r in self.rows for i in r.errors]

    @property
    def warnings(self) -> list[Issue]:
        return [i for i in self.file_issues if not i.is_error] + [i for r in self.rows for i in r.warnings]

    @property
    def can_apply(self) -> bool:
        return not self.errors and any(r.figures for r in self.rows)

    @property
    def ignored_columns(self) -> list[str]:
        return [h for h, t in self.columns if t is None and h]

    @property
    def unresolved(self) -> list[RowResult]:
        return [r for r in self.rows if r.resolution is not None and not r.resolution.ok]

    @property
    def to_create(self) -> list[RowResult]:
        return [r for r in self.rows if r.resolution is not None and r.resolution.method == TO_CREATE]

    def counts(self) -> dict[str, int]:
        counts = {NEW: 0, CHANGED: 0, UNCHANGED: 0, ERROR: 0}
        for r in self.rows:
            counts[r.status] += 1
        counts["values"] = sum(len(r.figures) for r in self.rows)
        return counts

    def values(self, unit_ids: dict[str, int] | None = None) -> list[Value]:
        """The figures to write; `unit_ids` gives the ids of units created for names marked "create"."""
        out, make = [], Value._make
        for r in self.rows:
            unit_id = r.unit.pk if r.unit else (unit_ids or {}).get(r.unit_text)
            if unit_id is None:
                continue
            for indicator_id, m in r.figures.items():
                # Positional, in the record's column order: 100k of these for a national month.
                get = m.get
                out.append(
                    make(
                        (
                            unit_id,
                            indicator_id,
                            get("points"),
                            get("rate"),
                            get("count"),
                            get("change_text", ""),
                            get("change"),
                            get("rank"),
                            get("rank_of"),
                            get("rank_change"),
                        )
                    )
                )
        return out


# Over the complexity bound (C901) on purpose: each branch says what is wrong with one mapped column, in the order a
# clerk fixes them.
def resolve_columns(  # noqa: C901
    table: Table, indicators: dict[str, Indicator], mapping: dict[str, str] | None
) -> tuple[list[tuple[str, Target | None]], list[Issue]]:
    """Each header's target: the user's mapping where given (by header text, case/diacritics ignored), else a suggestion."""
    given = {fold(k): v for k, v in (mapping or {}).items()}
    used = set()
    columns, issues = [], []
    for index, header in enumerate(table.headers):
        key = fold(header)
        if key in given:
            text = given[key]
            used.add(key)
        else:
            text = suggest(header, table.column(index), indicators) if header else ""
        try:
            columns.append((header, parse_target(text, indicators)))
        except MappingError as exc:
            columns.append((header, None))
            issues.append(Issue(str(exc), column=header, sheet=table.sheet))
    for key in mapping or {}:
        if fold(key) not in used:
            issues.append(
                Issue(
                    _("Không có cột “%(header)s” trong tệp (các cột: %(headers)s).")
                    % {"header": key, "headers": "; ".join(h for h in table.headers if h)},
                    sheet=table.sheet,
                )
            )
    seen: dict[str, str] = {}
    for header, target in columns:
        if target is None:
            continue
        if target.text in seen:
            issues.append(
                Issue(
                    _("Hai cột cùng ghép vào “%(target)s”: “%(a)s” và “%(b)s”; bỏ ghép một cột.")
                    % {"target": target.label(), "a": seen[target.text], "b": header},
                    sheet=table.sheet,
                )
            )
        seen[target.text] = header
    if LABEL in seen and UNIT not in seen and UNIT_CODE not in seen:
        # Rows are criteria of one unit: the figure is the first other column with content, the
        # change the column that compares with last month, unless the user mapped them.
        for index, (header, target) in enumerate(columns):
            if not header or fold(header) in given:
                continue
            if target is not None and not (target.indicator is not None and target.measure in PUBLISHED_EXTRAS):
                continue  # in a criteria table, a suggested "change of the total" is the table's change column
            text = fold(header)
            if CHANGE_COLUMN not in seen and any(w in text for w in ("so voi", "tang", "giam", "thay doi")):
                columns[index] = (header, Target(kind=CHANGE_COLUMN))
                seen[CHANGE_COLUMN] = header
            elif VALUE not in seen and text not in ("stt", "tt") and any(c is not None for c in table.column(index)):
                columns[index] = (header, Target(kind=VALUE))
                seen[VALUE] = header
        if VALUE not in seen:
            issues.append(Issue(_("Bảng theo tiêu chí nhưng chưa có cột kết quả."), sheet=table.sheet))
        return columns, issues
    if UNIT not in seen and UNIT_CODE not in seen:
        issues.append(Issue(_("Chưa có cột tên đơn vị hoặc mã đơn vị."), sheet=table.sheet))
    if not any(t is not None and t.indicator is not None for _h, t in columns):
        issues.append(Issue(_("Chưa có cột số liệu nào được ghép với một chỉ số."), sheet=table.sheet))
    return columns, issues


def _quantize(measures: dict, header: str, issue) -> None:
    for name, places in (("points", TWO_PLACES), ("rate", THREE_PLACES)):
        value = measures.get(name)
        if value is not None and value != value.quantize(places):
            measures[name] = value.quantize(places, rounding=ROUND_HALF_UP)
            issue(
                _("%(value)s có nhiều chữ số thập phân hơn mức lưu trữ, sẽ làm tròn thành %(rounded)s.")
                % {"value": format_number(value), "rounded": format_number(measures[name])},
                header,
                False,
            )


def _check_range(indicator: Indicator, measures: dict, header: str, issue) -> None:
    points, rate, count = measures.get("points"), measures.get("rate"), measures.get("count")
    if points is not None:
        if points < 0:
            issue(_("Điểm không được âm (%(value)s).") % {"value": format_number(points)}, header, True)
        elif indicator.max_points is not None and points > indicator.max_points:
            issue(
                _("%(value)s điểm vượt điểm tối đa %(max)s của “%(name)s”.")
                % {"value": format_number(points), "max": format_number(indicator.max_points), "name": indicator.name},
                header,
                True,
            )
    if rate is not None and not (0 <= rate <= 100):
        issue(_("Tỷ lệ %(value)s%% nằm ngoài khoảng 0–100%%.") % {"value": format_number(rate)}, header, True)
    if count is not None and count < 0:
        issue(_("Số lượng không được âm (%(value)s).") % {"value": format_number(count)}, header, True)


def _storable_limits() -> dict[str, int | Decimal]:
    """The magnitude each measure's column cannot reach, from the model (the one owner of those limits)."""
    limits: dict[str, int | Decimal] = {}
    for name in MEASURES:
        model_field = Score._meta.get_field(name)
        kind = model_field.get_internal_type()
        if kind == "DecimalField":
            limits[name] = Decimal(10) ** (model_field.max_digits - model_field.decimal_places)
        elif kind in BaseDatabaseOperations.integer_field_ranges:
            limits[name] = BaseDatabaseOperations.integer_field_ranges[kind][1] + 1
    return limits


_LIMITS = _storable_limits()
# Points and rates are held to 0–100 by the range check already; the rest can overflow their column.
_RANGE_CHECKED = ("points", "rate")


def _check_storable(measures: dict, header: str, issue) -> None:
    """What the preview accepts must fit its column: a figure too large is an error here, not at apply."""
    for name, value in list(measures.items()):
        limit = _LIMITS.get(name)
        if limit is not None and abs(value) >= limit:
            issue(
                _("%(value)s quá lớn để lưu (phải nhỏ hơn %(limit)s).")
                % {"value": str(value)[:40], "limit": format_number(limit)},
                header,
                True,
            )
            measures.pop(name)


_HUNDRED = Decimal(100)
# The plain forms of a figure, as precise as the figure is stored.
_PLAIN_POINTS = rf"\d{{1,3}}(?:[.,]\d{{1,{-TWO_PLACES.as_tuple().exponent}}})?"
_PLAIN_RATE = rf"\d{{1,3}}(?:[.,]\d{{1,{-THREE_PLACES.as_tuple().exponent}}})?"
_PLAIN_COUNT = r"\d+|\d{1,3}(?:\.\d{3})+"


def _plain_reader(target: Target) -> Callable[[object], dict | None] | None:
    """A reader of a figure column's plain cells, or None for a column that has none.

    Nearly every cell of a national file is a plain figure: digits in the column's form, within the
    precision stored and the range checked ("12,34" points, "88,5%", "242.300", "242.300 (70,87%)",
    or a whole number). The reader takes those cells, and only those, for which the general path
    (`parse_cell`, then `_check_cell`) would give the same measures and say nothing; for any other
    cell it returns None, and the cell takes that path. It saves three calls and their checks per
    cell; tests/imports/test_plain_cells.py compares the two paths cell by cell.
    """
    make = {POINTS: _plain_points, RATE: _plain_rate, COUNT: _plain_count, COUNT_RATE: _plain_count_rate}
    return make[target.measure](target.indicator) if target.measure in make else None


def _plain_points(indicator: Indicator):
    highest, form = indicator.max_points, re.compile(_PLAIN_POINTS).fullmatch

    def read(value):
        if type(value) is str:
            if form(value) is None:
                return None
            points = Decimal(value.replace(",", "."))
        elif type(value) is int and 0 <= value < 1000:
            points = Decimal(value)
        else:
            return None
        return {"points": points} if highest is None or points <= highest else None

    return read


def _plain_rate(_indicator: Indicator):
    form = re.compile(rf"({_PLAIN_RATE}) ?%?").fullmatch

    def read(value):
        if type(value) is str:
            if (match := form(value)) is None:
                return None
            share = Decimal(match[1].replace(",", "."))
        elif type(value) is int and 0 <= value <= 100:
            share = Decimal(value)
        else:
            return None
        return {"rate": share} if share <= _HUNDRED else None

    return read


def _plain_count(_indicator: Indicator):
    form, limit = re.compile(_PLAIN_COUNT).fullmatch, _LIMITS["count"]

    def read(value):
        if type(value) is str:
            if form(value) is None:
                return None
            count = int(value.replace(".", ""))
        elif type(value) is int:
            count = value
        else:
            return None
        return {"count": count} if 0 <= count < limit else None

    return read


def _plain_count_rate(_indicator: Indicator):
    if not _HUNDRED < _LIMITS["rate"]:
        return None  # a rate column that cannot hold 100 %: every cell takes the general path
    form, limit = re.compile(rf"({_PLAIN_COUNT}) \(({_PLAIN_RATE})%\)").fullmatch, _LIMITS["count"]

    def read(value):
        if type(value) is not str or (match := form(value)) is None:
            return None
        count, share = int(match[1].replace(".", "")), Decimal(match[2].replace(",", "."))
        return {"count": count, "rate": share} if count < limit and share <= _HUNDRED else None

    return read


def _check_new_unit(text: str, scope: AdministrativeUnit, column: str, issue) -> None:
    """A unit to be created must fit the unit table (a 300-character name would fail only when applying)."""
    for name, value in new_unit_fields(text=text, scope=scope, siblings=[]).items():
        limit = AdministrativeUnit._meta.get_field(name).max_length
        if limit and len(value) > limit:
            issue(
                _(
                    "Không tạo được đơn vị từ tên này: %(field)s dài %(length)s ký tự, tối đa %(limit)s; sửa tên trong tệp."
                )
                % {
                    "field": AdministrativeUnit._meta.get_field(name).verbose_name,
                    "length": len(value),
                    "limit": limit,
                },
                column,
            )
            return


def _check_rank(measures: dict, issue) -> None:
    """A published rank cannot exceed the number ranked (from one cell "13/30" or two columns)."""
    rank, of = measures.get("rank"), measures.get("rank_of")
    if rank is not None and of is not None and rank > of:
        issue(_("Hạng %(rank)s lớn hơn số đơn vị được xếp hạng (%(of)s).") % {"rank": rank, "of": of})


def _show(measures: dict | None) -> str:
    if not measures:
        return "—"
    parts = []
    if measures.get("points") is not None:
        parts.append(_("%(v)s điểm") % {"v": format_number(measures["points"])})
    if measures.get("count") is not None:
        parts.append(format_number(measures["count"]))
    if measures.get("rate") is not None:
        parts.append(f"{format_number(measures['rate'])}%")
    if measures.get("rank") is not None:
        rank = str(measures["rank"]) + (f"/{measures['rank_of']}" if measures.get("rank_of") else "")
        parts.append(_("(hạng %(rank)s theo công bố)") % {"rank": rank})
    if measures.get("change_text"):
        parts.append(_("(so với tháng trước: %(v)s)") % {"v": measures["change_text"]})
    elif measures.get("change") is not None:
        parts.append(_("(so với tháng trước: %(v)s)") % {"v": format_number(measures["change"], signed=True)})
    if measures.get("rank_change"):
        parts.append(_("(hạng thay đổi %(v)s)") % {"v": format_number(measures["rank_change"], signed=True)})
    return " ".join(parts) or "—"


def _same(a: dict, b: dict) -> bool:
    for name in MEASURES:
        x, y = a.get(name), b.get(name)
        if name == "change_text":
            x, y = x or "", y or ""
        if x != y:
            return False
    return True


def validate(
    *,
    table: Table,
    period: Period,
    scope: AdministrativeUnit,
    indicators: dict[str, Indicator],
    roles: dict[str, Indicator] | None = None,
    mapping: dict[str, str] | None = None,
    choices: dict | None = None,
    create_missing: bool = False,
    allowed: bool = True,
) -> Preview:
    """The preview of a staged table: every cell parsed and checked, every unit resolved, nothing written.

    `roles` is the catalogue by role (indicators.selectors.indicators_by_role): the checks of
    components against their totals ask for roles, never for codes.
    """
    roles = roles or {}
    columns, file_issues = resolve_columns(table, indicators, mapping)
    mapping_failed = any(i.is_error for i in file_issues)
    if not allowed:
        file_issues.append(
            Issue(_("Bạn không được phân công nhập số liệu cho %(scope)s.") % {"scope": scope.name}, sheet=table.sheet)
        )
    preview = Preview(
        table=table,
        period=period,
        scope=scope,
        columns=columns,
        rows=[],
        file_issues=file_issues,
        create_missing=create_missing,
    )
    if mapping_failed:
        return preview  # without a usable mapping, row checks would only repeat the same problem
    if any(t is not None and t.kind == LABEL for _h, t in columns):
        _validate_criteria(preview, indicators)
        _compare(preview, indicators, roles)
        return preview
    resolver = UnitResolver(scope=scope, period=period, choices=choices)
    _check_rows(preview, resolver)
    _missing(preview, resolver)
    _compare(preview, indicators, roles)
    return preview


def _check_rows(preview: Preview, resolver: UnitResolver) -> None:
    """Every data row of the table: its figures parsed and checked, its unit resolved."""
    table, columns, create_missing = preview.table, preview.columns, preview.create_missing
    unit_col = next((i for i, (_h, t) in enumerate(columns) if t and t.kind == UNIT), None)
    code_col = next((i for i, (_h, t) in enumerate(columns) if t and t.kind == UNIT_CODE), None)
    value_cols = [
        (i, h, t, t.indicator.pk, t.measure, PRIMARY[t.indicator.measure], _plain_reader(t))
        for i, (h, t) in enumerate(columns)
        if t is not None and t.indicator is not None
    ]
    seen_units: dict[object, int] = {}
    for number, cells in table.rows:
        name_cell = cells[unit_col] if unit_col is not None else None
        code_cell = cells[code_col] if code_col is not None else None
        unit_text = str(code_cell if code_cell not in (None, "") else (name_cell or "")).strip()
        result = RowResult(row=number, unit_text=unit_text, resolution=None)

        def issue(message, column="", is_error=True, result=result, number=number):
            result.issues.append(Issue(message, row=number, column=column, sheet=table.sheet, is_error=is_error))

        # Figures first: a row with no figures and no unit (a footnote, a blank line) is skipped.
        figures = _row_figures(cells, value_cols, issue)
        if _row_skipped(preview, result, figures, issue, unit_col=unit_col, code_col=code_col):
            continue
        by_code = code_cell not in (None, "")
        res = resolver.resolve_code(str(code_cell)) if by_code else resolver.resolve_name(unit_text)
        if res.problem == "unknown" and create_missing and not by_code:
            res = Resolution(text=res.text, method=TO_CREATE)
        result.resolution = res
        _row_unit(preview, result, issue, seen_units, column=table.headers[code_col if by_code else unit_col])
        result.figures = figures
        preview.rows.append(result)


def _row_figures(cells: list, value_cols: list[tuple], issue) -> dict[int, dict]:
    """One row's figures by indicator id, each cell parsed and checked; problems go to `issue`."""
    figures: dict[int, dict] = {}
    for index, header, target, indicator_id, measure, primary, plain in value_cols:
        value = cells[index]
        if value is None:
            continue
        if plain is not None and (parsed := plain(value)) is not None:
            pass  # a plain figure that passes every check of the general path below (see _plain_reader)
        elif isinstance(value, FormulaWithoutValue):
            issue(
                _(
                    "ô chứa công thức %(formula)s nhưng chưa có giá trị tính sẵn; mở tệp bằng Excel, lưu lại rồi tải lên."
                )
                % {"formula": str(value)},
                header,
            )
            continue
        else:
            try:
                parsed = parse_cell(value, measure, primary)
            except NumberError as exc:
                issue(str(exc), header)
                continue
            if parsed is None:
                continue
            _check_cell(parsed, value, target, header, issue)  # the cell on its own, before it joins the row's
        measures = figures.get(indicator_id)
        if measures is None:
            figures[indicator_id] = parsed  # a new dict of the cell's measures: kept as it is
        else:
            measures.update(parsed)
    for measures in figures.values():
        if "rank" in measures:
            _check_rank(measures, issue)
    # An indicator with only a "change" column has no figure to store.
    return {k: v for k, v in figures.items() if "points" in v or "rate" in v or "count" in v or "rank" in v}


def _check_cell(parsed: dict, value, target, header: str, issue) -> None:
    """The checks of one parsed cell: a change that is only words, the precision and range of a
    figure, what its column can store. A figure is rounded, or dropped when it cannot be stored, in `parsed`."""
    measure = target.measure
    if measure == CHANGE and "change" not in parsed:
        issue(
            _("không đọc được số thay đổi trong “%(text)s”; giữ nguyên chữ như công bố.") % {"text": value},
            header,
            False,
        )
    if measure not in PUBLISHED_EXTRAS:
        _quantize(parsed, header, issue)
        _check_range(target.indicator, parsed, header, issue)
    if measure not in _RANGE_CHECKED:
        _check_storable(parsed, header, issue)


def _row_skipped(preview: Preview, result: RowResult, figures: dict, issue, *, unit_col, code_col) -> bool:
    """Whether the row names no unit to import for: an unnamed row with figures is an error (kept),
    a footnote or a sub-heading and the table's own summary row are skipped with a note."""
    table, number, unit_text = preview.table, result.row, result.unit_text
    if not unit_text:
        if figures or result.issues:
            issue(
                _("thiếu tên đơn vị (ô trống hoặc ô gộp với dòng trên)."),
                table.headers[unit_col if unit_col is not None else code_col],
            )
            result.status = ERROR
            preview.rows.append(result)
        return True
    if not figures and not result.issues:
        # A footnote or a sub-heading ("Ghi chú: …", "Khối xã"): nothing to import, nothing to resolve.
        note = _("Dòng %(row)s (“%(text)s”) không có số liệu, bỏ qua.") % {"row": number, "text": unit_text[:80]}
        preview.file_issues.append(Issue(note, sheet=table.sheet, is_error=False))
        return True
    # A summary row's name has no digit, and folding keeps digits: a unit code is never folded here.
    if not _DIGIT(unit_text) and fold(unit_text).removeprefix("ubnd ") in SUMMARY_ROWS:
        note = _(
            "Dòng %(row)s (“%(text)s”) là dòng tổng hợp của bảng, bỏ qua; số liệu của %(scope)s ghi ở dòng mang tên đơn vị này."
        ) % {"row": number, "text": unit_text, "scope": preview.scope.name}
        preview.file_issues.append(Issue(note, sheet=table.sheet, is_error=False))
        return True
    return False


def _row_unit(preview: Preview, result: RowResult, issue, seen_units: dict, *, column: str) -> None:
    """The checks of a row's resolved unit: outside the scope (the whole file is refused), not
    resolved, named twice, or a new unit whose name would not fit."""
    res, number, scope, period = result.resolution, result.row, preview.scope, preview.period
    if res.problem == "outside_scope":
        message = _(
            "Dòng %(row)s: %(message)s Tệp chỉ được có đơn vị thuộc phạm vi được phân công; không nhập tệp này."
        ) % {"row": number, "message": describe_problem(res, scope=scope, period=period)}
        preview.file_issues.append(Issue(message, sheet=preview.table.sheet))
    elif not res.ok:
        issue(describe_problem(res, scope=scope, period=period), column)
    key = res.unit.pk if res.unit else ("new", fold(result.unit_text))
    if res.ok:
        if key in seen_units:
            issue(
                _("đơn vị %(unit)s đã có ở dòng %(first)s.")
                % {"unit": res.unit.name if res.unit else result.unit_text, "first": seen_units[key]},
                column,
            )
        else:
            seen_units[key] = number
    if res.method == TO_CREATE:
        _check_new_unit(result.unit_text, scope, column, issue)


def _missing(preview: Preview, resolver: UnitResolver) -> None:
    """The scope's units the file does not mention: their group is ranked without them, so a leader
    says for each whether it had no data this month or did not exist then (its validity dates)."""
    named = {r.unit.pk for r in preview.rows if r.unit is not None}
    levels = {r.unit.level for r in preview.rows if r.unit is not None}
    preview.missing = sorted(
        (u for u in resolver.valid if u.level in levels and u.pk not in named), key=lambda u: name_key(u.name)
    )
    if preview.missing:
        preview.absent_ids = set(
            UnitAbsence.objects.filter(period=preview.period, unit__in=preview.missing).values_list(
                "unit_id", flat=True
            )
        )


# Over the complexity bound (C901) on purpose: one table row per criterion, each branch one message for that row.
def _validate_criteria(preview: Preview, indicators: dict[str, Indicator]) -> None:  # noqa: C901
    """A table of one unit's criteria (the scope's own figures): one result row, issues per table row."""
    table, columns = preview.table, preview.columns
    index = {t.kind: i for i, (_h, t) in enumerate(columns) if t is not None and t.indicator is None}
    label_col, value_col, change_col = index[LABEL], index.get(VALUE), index.get(CHANGE_COLUMN)
    result = RowResult(
        row=table.rows[0][0], unit_text=preview.scope.name, resolution=Resolution(text=preview.scope.name)
    )
    result.resolution.unit, result.resolution.method = preview.scope, "name"
    matcher = CriterionMatcher(indicators)
    for number, cells in table.rows:
        label = cells[label_col]
        value = cells[value_col] if value_col is not None else None
        if label in (None, "") or value in (None, ""):
            continue

        def issue(message, column, is_error=True, number=number):
            result.issues.append(Issue(message, row=number, column=column, sheet=table.sheet, is_error=is_error))

        indicator = matcher.match(str(label))
        if indicator is None:
            issue(
                _("“%(label)s” không khớp với chỉ số nào trong bộ chỉ số; sửa tên tiêu chí hoặc xóa dòng này.")
                % {"label": label},
                table.headers[label_col],
            )
            continue
        header = table.headers[value_col]
        if isinstance(value, FormulaWithoutValue):
            issue(_("ô chứa công thức %(formula)s nhưng chưa có giá trị tính sẵn.") % {"formula": str(value)}, header)
            continue
        try:
            parsed = parse_cell(value, PRIMARY[indicator.measure])
        except NumberError as exc:
            issue(str(exc), header)
            continue
        if parsed is None:
            continue
        measures = parsed
        if change_col is not None and cells[change_col] not in (None, ""):
            try:
                change = parse_cell(cells[change_col], CHANGE, PRIMARY[indicator.measure])
            except NumberError as exc:
                issue(str(exc), table.headers[change_col])
            else:
                if change is not None:
                    measures.update(change)
        _quantize(measures, header, issue)
        _check_range(indicator, measures, header, issue)
        _check_storable(measures, header, issue)
        result.figures[indicator.pk] = measures
    if result.errors:
        result.status = ERROR
    preview.rows.append(result)


def _compare(preview: Preview, indicators: dict[str, Indicator], roles: dict[str, Indicator]) -> None:
    """Statuses and changes against the current figures; warnings about sums and jumps."""
    by_id = {i.pk: i for i in indicators.values()}
    current, previous_totals = _base_figures(preview, indicators)
    total = next((i for i in indicators.values() if i.kind == IndicatorKind.TOTAL), None)
    groups = sorted((i for i in indicators.values() if i.kind == IndicatorKind.GROUP), key=lambda i: i.order)
    sums = _Sums(
        total=total.pk if total else None,
        groups=[g.pk for g in groups],
        components=[
            (roles[whole], [roles[p].pk for p in parts])
            for whole, parts in (
                (IndicatorRole.OVERDUE_TOTAL, (IndicatorRole.OVERDUE_DISTRICT, IndicatorRole.OVERDUE_COMMUNE)),
                (IndicatorRole.PAKN_OVERDUE, (IndicatorRole.PAKN_NOT_RECEIVED, IndicatorRole.PAKN_LATE)),
            )
            if whole in roles and all(p in roles for p in parts)
        ],
        previous=previous_totals,
        limit=jump_limit(),
    )
    for r in preview.rows:
        sheet, row = preview.table.sheet, r.row

        def warn(message, r=r, sheet=sheet, row=row):
            r.issues.append(Issue(message, row=row, sheet=sheet, is_error=False))

        sums.check(r, warn)
        if r.errors:
            r.status = ERROR
            continue
        _row_changes(r, current.get(r.unit.pk, {}) if r.unit else {}, by_id)
    if total is not None:
        _check_published(preview, total, previous_totals)
    _sanity(preview, total, previous_totals)


def _base_figures(preview: Preview, indicators: dict[str, Indicator]) -> tuple[dict, dict]:
    """The current figures of the units the rows can name (unit id → indicator id → measures), and their
    totals of the month before (unit id → points)."""
    # A row names one of the scope's units or the scope itself (imports.resolve): reading theirs is
    # reading every unit the rows name, and a far smaller query than the ids of a national file.
    named = Q(unit__parent=preview.scope) | Q(unit=preview.scope)
    current: dict[int, dict[int, dict]] = {}
    for unit_id, indicator_id, *measures in Score.objects.filter(named, period=preview.period).values_list(
        "unit_id", "indicator_id", *MEASURES
    ):
        current.setdefault(unit_id, {})[indicator_id] = dict(zip(MEASURES, measures, strict=True))
    total = next((i for i in indicators.values() if i.kind == IndicatorKind.TOTAL), None)
    if total is None:
        return current, {}
    year, month = preview.period.previous_key()
    previous = Score.objects.filter(named, period__year=year, period__month=month, indicator=total)
    return current, dict(previous.values_list("unit_id", "points"))


@dataclass
class _Sums:
    """The checks of a row's figures against each other and last month: the groups add up to the total,
    the total did not jump, components add up to their whole. Indicators by id (4,100 rows)."""

    total: int | None
    groups: list[int]
    components: list[tuple[Indicator, list[int]]]
    previous: dict[int, Decimal]
    limit: Decimal

    def check(self, r: RowResult, warn) -> None:
        figures = r.figures
        if self.total is not None and self.total in figures:
            published = figures[self.total].get("points")
            points = [figures.get(g, {}).get("points") for g in self.groups]
            if published is not None and points and None not in points:
                computed = sum(points)
                if abs(computed - published) > SUM_TOLERANCE:
                    warn(
                        _("Tổng điểm các nhóm là %(sum)s, khác điểm tổng hợp công bố %(total)s (lưu như công bố).")
                        % {"sum": format_number(computed), "total": format_number(published)}
                    )
            before = self.previous.get(r.unit.pk) if r.unit else None
            if published is not None and before is not None and abs(published - before) > self.limit:
                warn(
                    _("Điểm tổng hợp thay đổi %(delta)s điểm so với tháng trước (%(before)s → %(after)s).")
                    % {
                        "delta": format_number(published - before, signed=True),
                        "before": format_number(before),
                        "after": format_number(published),
                    }
                )
        for parent, children in self.components:
            if parent.pk not in figures or not all(c in figures for c in children):
                continue
            whole = figures[parent.pk].get("count")
            sum_parts = sum(figures[c].get("count") or 0 for c in children)
            if whole is not None and whole != sum_parts:
                warn(
                    _("“%(parent)s” là %(whole)s nhưng các thành phần cộng lại %(parts)s.")
                    % {"parent": parent.name, "whole": format_number(whole), "parts": format_number(sum_parts)}
                )


def _row_changes(r: RowResult, existing: dict[int, dict], by_id: dict[int, Indicator]) -> None:
    """A clean row's status and the figures applying it would change, against the unit's current figures."""
    if not existing:
        r.status, r.catalogue = NEW, by_id
        return
    for indicator_id, measures in r.figures.items():
        old = existing.get(indicator_id)
        if old is None or not _same(old, measures):
            r.changed.append(Change(by_id[indicator_id], old, measures))
    for indicator_id, old in existing.items():
        if indicator_id not in r.figures and indicator_id in by_id:
            r.changed.append(Change(by_id[indicator_id], old, None))
    r.status = CHANGED if r.changed else UNCHANGED


def _check_published(preview: Preview, total: Indicator, previous_totals: dict[int, Decimal]) -> None:
    """Warn where the file's own change or rank of the total disagrees with the one computed from the
    figures (the change from last month's total, the rank among the peer group's totals once the file
    is applied). The published figure is kept either way: nothing is silently replaced.

    A rank is compared only where every unit of the peer group valid in the month has a total (in the
    file or already stored): among fewer units a computed rank says nothing about the published one.
    """
    rows = [r for r in preview.rows if not r.errors and total.pk in r.figures]
    for r in rows:
        measures = r.figures[total.pk]
        published, points = measures.get("change"), measures.get("points")
        before = previous_totals.get(r.unit.pk) if r.unit else None
        if published is None or points is None or before is None:
            continue
        computed = points - before
        if abs(computed - published) > CHANGE_ROUNDING:
            r.issues.append(
                Issue(
                    _(
                        "Thay đổi so với tháng trước theo tệp là %(published)s điểm, tính từ điểm tổng hợp tháng "
                        "trước là %(computed)s điểm (%(before)s → %(after)s); lưu và dùng số trong tệp."
                    )
                    % {
                        "published": format_number(published, 2, signed=True),
                        "computed": format_number(computed, 2, signed=True),
                        "before": format_number(before, 2),
                        "after": format_number(points, 2),
                    },
                    row=r.row,
                    sheet=preview.table.sheet,
                    is_error=False,
                )
            )
    _check_rank_change(preview, total, rows)
    _check_peer_rank(preview, total, rows)


def _check_peer_rank(preview: Preview, total: Indicator, rows: list) -> None:
    """Warn where the file's rank of the total differs from its rank among every unit of its peer
    group valid in the month (in the file or already stored); no group with a unit lacking a total."""
    ranked = [r for r in rows if r.unit is not None and r.figures[total.pk].get("rank") is not None]
    if not ranked:
        return
    period = preview.period
    levels = {r.unit.level for r in ranked}
    peers = list(
        AdministrativeUnit.objects.filter(parent=preview.scope, level__in=levels)
        .valid_in(period)
        .values_list("pk", "level")
    )
    in_file = {r.unit.pk: r.figures[total.pk].get("points") for r in rows if r.unit is not None}
    stored = dict(
        Score.objects.filter(period=period, indicator=total, unit_id__in=[pk for pk, _l in peers])
        .exclude(unit_id__in=list(in_file))
        .values_list("unit_id", "points")
    )
    for level in levels:
        group = [pk for pk, lv in peers if lv == level]
        totals = {pk: in_file[pk] if pk in in_file else stored.get(pk) for pk in group}
        if not totals or any(v is None for v in totals.values()):
            continue  # not every unit of the group has a total: no computed rank to compare with
        computed = competition_ranks(totals)
        for r in ranked:
            if r.unit.level != level or r.unit.pk not in computed:
                continue
            measures = r.figures[total.pk]
            rank, of = computed[r.unit.pk]
            if measures["rank"] != rank or (measures.get("rank_of") not in (None, of)):
                published = str(measures["rank"]) + (f"/{measures['rank_of']}" if measures.get("rank_of") else "")
                r.issues.append(
                    Issue(
                        _(
                            "Hạng theo tệp là %(published)s, hạng tính từ điểm tổng hợp của cả %(of)s đơn vị là "
                            "%(computed)s; lưu và dùng hạng trong tệp."
                        )
                        % {"published": published, "of": of, "computed": f"{rank}/{of}"},
                        row=r.row,
                        sheet=preview.table.sheet,
                        is_error=False,
                    )
                )


def _check_rank_change(preview: Preview, total: Indicator, rows: list) -> None:
    """Warn where the file's change of rank disagrees with last month's rank and the file's rank this month
    (last month's rank as published, else as the portal ranked it). The file's figure is kept."""
    given = [
        r
        for r in rows
        if r.unit is not None
        and r.figures[total.pk].get("rank_change") is not None
        and r.figures[total.pk].get("rank") is not None
    ]
    if not given:
        return
    year, month = preview.period.previous_key()
    ids = [r.unit.pk for r in given]
    before = dict(
        Score.objects.filter(
            period__year=year, period__month=month, indicator=total, unit_id__in=ids, rank__isnull=False
        ).values_list("unit_id", "rank")
    )
    if len(before) < len(ids):
        before = {
            **dict(
                RankingResult.objects.filter(
                    public=False,
                    scope=RankingResult.Scope.PEER,
                    period_key=f"{year:04d}-{month:02d}",
                    unit_id__in=[pk for pk in ids if pk not in before],
                    rank__isnull=False,
                ).values_list("unit_id", "rank")
            ),
            **before,
        }
    for r in given:
        measures, last = r.figures[total.pk], before.get(r.unit.pk)
        if last is None:
            continue
        computed = last - measures["rank"]  # positive: moved up
        if computed != measures["rank_change"]:
            r.issues.append(
                Issue(
                    _(
                        "Thay đổi hạng theo tệp là %(published)s bậc, tính từ hạng tháng trước (%(before)s) và hạng "
                        "tháng này (%(after)s) là %(computed)s bậc; lưu và dùng số trong tệp."
                    )
                    % {
                        "published": format_number(measures["rank_change"], signed=True),
                        "computed": format_number(computed, signed=True),
                        "before": last,
                        "after": measures["rank"],
                    },
                    row=r.row,
                    sheet=preview.table.sheet,
                    is_error=False,
                )
            )


_TITLE_MONTH = re.compile(r"thang\s+(\d{1,2})\s+(\d{4})\b")  # "THÁNG 8/2024" folds to "thang 8 2024"


def _sanity(preview: Preview, total: Indicator | None, previous_totals: dict[int, Decimal]) -> None:
    """Warnings about the file as a whole: a title naming another month, totals copied from last month."""
    months = {(int(y), int(m)) for line in preview.table.title for m, y in _TITLE_MONTH.findall(fold(line))}
    period = preview.period
    if months and (period.year, period.month) not in months:
        named = ", ".join(f"{m}/{y}" for y, m in sorted(months))
        preview.file_issues.append(
            Issue(
                _("Tiêu đề tệp ghi tháng %(named)s nhưng đang nhập cho tháng %(period)s: kiểm tra lại tháng.")
                % {"named": named, "period": period},
                sheet=preview.table.sheet,
                is_error=False,
            )
        )
    if total is None:
        return
    pairs = [
        (r.figures[total.pk].get("points"), previous_totals.get(r.unit.pk))
        for r in preview.rows
        if r.unit is not None and total.pk in r.figures
    ]
    if len(pairs) >= 2 and all(now is not None and now == before for now, before in pairs):
        preview.file_issues.append(
            Issue(
                _(
                    "Điểm tổng hợp của cả %(n)s đơn vị trùng hệt tháng trước: có thể đây là tệp của tháng trước; "
                    "kiểm tra lại tệp và tháng."
                )
                % {"n": len(pairs)},
                sheet=preview.table.sheet,
                is_error=False,
            )
        )
