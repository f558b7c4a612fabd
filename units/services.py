"""Writes to the unit tree: loading the real divisions from the `vietnamadminunits` dataset."""

import json
import sqlite3
from dataclasses import dataclass, field
from pathlib import Path

from django.db import transaction
from django.utils.translation import gettext as _

from .models import LEGACY_VALID_TO, REORGANISATION_DATE, AdministrativeUnit, Level, Tree, UnitSuccession
from .names import fold, name_key
from .text import clean_text

EXPECTED = {"legacy": {"provinces": 63, "districts": 696}, "2025": {"provinces": 34, "communes": 3321}}
_LEGACY_COLUMNS = {
    "province",
    "district",
    "ward",
    "provinceShort",
    "districtShort",
    "wardShort",
    "districtType",
    "wardType",
    "provinceCode",
    "districtCode",
    "wardCode",
    "provinceLat",
    "provinceLon",
    "districtLat",
    "districtLon",
    "wardLat",
    "wardLon",
    "provinceKey",
    "districtKey",
    "wardKey",
}
_NEW_COLUMNS = {
    "province",
    "ward",
    "provinceShort",
    "wardShort",
    "wardType",
    "provinceCode",
    "wardCode",
    "provinceLat",
    "provinceLon",
    "wardLat",
    "wardLon",
    "provinceKey",
    "wardKey",
}
# Validity dates are set when a unit is created and are the administrators' to correct afterwards
# (the dataset does not know every older merger), so a reload never overwrites them.
_FIELDS = ["name", "short_name", "kind", "level", "parent_id", "latitude", "longitude"]


class DatasetError(Exception):
    """The `vietnamadminunits` package is missing or its data is not what this loader understands."""


@dataclass
class LoadReport:
    counts: dict[str, dict[str, int]] = field(default_factory=dict)
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    links_created: int = 0
    links_removed: int = 0

    @property
    def changed(self) -> bool:
        return bool(self.created or self.updated or self.links_created or self.links_removed)


def dataset_location() -> Path:
    try:
        import vietnamadminunits
    except ImportError as exc:
        raise DatasetError(
            "Chưa cài gói vietnamadminunits (pip install -r requirements.txt); không có gì được ghi."
        ) from exc
    base = Path(vietnamadminunits.__file__).parent / "data"
    for name in ("dataset.db", "converter_2025.json"):
        if not (base / name).is_file():
            raise DatasetError(f"Gói vietnamadminunits thiếu tệp dữ liệu {name}; không có gì được ghi.")
    return base


def _rows(db: Path, table: str, columns: set[str]) -> list[dict]:
    with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as conn:
        conn.row_factory = sqlite3.Row
        try:
            present = {r[1] for r in conn.execute(f"PRAGMA table_info([{table}])")}
            missing = columns - present
            if missing:
                raise DatasetError(
                    f"Dữ liệu của gói vietnamadminunits đã thay đổi: bảng {table} thiếu cột {', '.join(sorted(missing))}; "
                    "không có gì được ghi."
                )
            return [dict(r) for r in conn.execute(f"SELECT * FROM [{table}]")]
        except sqlite3.DatabaseError as exc:
            raise DatasetError(f"Không đọc được dữ liệu vietnamadminunits ({exc}); không có gì được ghi.") from exc


def _province_kind(name: str) -> str:
    return "Thành phố" if name.startswith("Thành phố") else "Tỉnh"


def _coord(value):
    return float(value) if value not in (None, "") else None


def _spec(r: dict, prefix: str, *, level: str, kind: str, parent: str | None) -> dict:
    """A unit's fields from the dataset's columns for one level ("province", "district" or "ward")."""
    return dict(
        name=clean_text(r[prefix]),
        short_name=clean_text(r[f"{prefix}Short"]),
        kind=kind,
        level=level,
        parent=parent,
        latitude=_coord(r[f"{prefix}Lat"]),
        longitude=_coord(r[f"{prefix}Lon"]),
    )


def _province(r: dict) -> dict:
    return _spec(r, "province", level=Level.PROVINCE, kind=_province_kind(r["province"]), parent=None)


def _desired_legacy(rows: list[dict]) -> tuple[dict, dict, dict, dict]:
    provinces, districts, communes, keys = {}, {}, {}, {}
    for r in rows:
        provinces.setdefault(r["provinceCode"], _province(r))
        districts.setdefault(
            r["districtCode"],
            _spec(r, "district", level=Level.DISTRICT, kind=r["districtType"], parent=r["provinceCode"]),
        )
        keys.setdefault(r["provinceKey"], r["provinceCode"])
        keys.setdefault(f"{r['provinceKey']}_{r['districtKey']}_", r["districtCode"])
        if r["wardCode"]:
            communes[r["wardCode"]] = _spec(
                r, "ward", level=Level.COMMUNE, kind=r["wardType"], parent=r["districtCode"]
            )
            keys[f"{r['provinceKey']}_{r['districtKey']}_{r['wardKey']}"] = r["wardCode"]
    return provinces, districts, communes, keys


def _desired_2025(rows: list[dict]) -> tuple[dict, dict, dict]:
    provinces, communes, keys = {}, {}, {}
    for r in rows:
        provinces.setdefault(r["provinceCode"], _province(r))
        communes[r["wardCode"]] = _spec(r, "ward", level=Level.COMMUNE, kind=r["wardType"], parent=r["provinceCode"])
        keys[(r["provinceKey"], r["wardKey"])] = r["wardCode"]
        keys[(r["provinceKey"], "")] = r["provinceCode"]
    return provinces, communes, keys


def _check_counts(tree: str, counts: dict[str, int]) -> None:
    for what, expected in EXPECTED[tree].items():
        if counts[what] != expected:
            raise DatasetError(
                f"Dữ liệu của gói vietnamadminunits đã thay đổi: cây {tree} có {counts[what]} {what}, "
                f"trình nạp được kiểm tra với {expected}; không có gì được ghi."
            )


def _sync_level(
    tree: str,
    desired: dict[str, dict],
    existing: dict[str, AdministrativeUnit],
    parents: dict[str, int],
    report: LoadReport,
    valid_from,
    valid_to,
) -> None:
    """Create or update the units of one level so that they match `desired` (code → fields)."""
    to_create, to_update = [], []
    for code, spec in desired.items():
        values = dict(spec)
        parent_code = values.pop("parent")
        values["parent_id"] = parents[parent_code] if parent_code else None
        unit = existing.get(code)
        if unit is None:
            unit = AdministrativeUnit(tree=tree, code=code, valid_from=valid_from, valid_to=valid_to, **values)
            unit.search_name, unit.match_key = fold(unit.name), name_key(unit.name)
            to_create.append(unit)
            continue
        if any(getattr(unit, f) != values[f] for f in _FIELDS):
            for f in _FIELDS:
                setattr(unit, f, values[f])
            unit.search_name, unit.match_key = fold(unit.name), name_key(unit.name)
            to_update.append(unit)
        else:
            report.unchanged += 1
    AdministrativeUnit.objects.bulk_create(to_create, batch_size=2000)
    AdministrativeUnit.objects.bulk_update(to_update, [*_FIELDS, "search_name", "match_key"], batch_size=2000)
    report.created += len(to_create)
    report.updated += len(to_update)
    for unit in to_create:
        existing[unit.code] = unit


def _existing(tree: str) -> dict[str, AdministrativeUnit]:
    return {u.code: u for u in AdministrativeUnit.objects.filter(tree=tree)}


def _ids(tree: str) -> dict[str, int]:
    return dict(AdministrativeUnit.objects.filter(tree=tree).values_list("code", "id"))


@transaction.atomic
def units_load(*, tree: str = "all") -> LoadReport:
    """Load the legacy (63-province) and/or 2025 (34-province) trees; a second run changes nothing.

    Raises DatasetError, before writing anything, when the package or its data is not as expected.
    """
    if tree not in {"legacy", "2025", "all"}:
        raise DatasetError(f"Cây đơn vị không hợp lệ: {tree} (chọn legacy, 2025 hoặc all).")
    base = dataset_location()
    report = LoadReport()
    legacy_keys = new_keys = None
    converter = None
    if tree in {"legacy", "all"}:
        provinces, districts, communes, legacy_keys = _desired_legacy(
            _rows(base / "dataset.db", "admin_units_legacy", _LEGACY_COLUMNS)
        )
        counts = {"provinces": len(provinces), "districts": len(districts), "communes": len(communes)}
        _check_counts("legacy", counts)
        report.counts["legacy"] = counts
        existing = _existing(Tree.LEGACY)
        _sync_level(Tree.LEGACY, provinces, existing, {}, report, None, LEGACY_VALID_TO)
        _sync_level(Tree.LEGACY, districts, existing, _ids(Tree.LEGACY), report, None, LEGACY_VALID_TO)
        _sync_level(Tree.LEGACY, communes, existing, _ids(Tree.LEGACY), report, None, LEGACY_VALID_TO)
    if tree in {"2025", "all"}:
        provinces, communes, new_keys = _desired_2025(_rows(base / "dataset.db", "admin_units", _NEW_COLUMNS))
        counts = {"provinces": len(provinces), "communes": len(communes)}
        _check_counts("2025", counts)
        report.counts["2025"] = counts
        existing = _existing(Tree.Y2025)
        _sync_level(Tree.Y2025, provinces, existing, {}, report, REORGANISATION_DATE, None)
        _sync_level(Tree.Y2025, communes, existing, _ids(Tree.Y2025), report, REORGANISATION_DATE, None)
    if tree == "all":
        try:
            converter = json.loads((base / "converter_2025.json").read_text(encoding="utf-8"))
            _sync_successions(converter, legacy_keys, new_keys, report)
        except (KeyError, TypeError, AttributeError, ValueError) as exc:
            raise DatasetError(
                f"Bảng chuyển đổi của gói vietnamadminunits có cấu trúc không như mong đợi ({exc!r}); không có gì được ghi."
            ) from exc
    return report


def _sync_successions(converter: dict, legacy_keys: dict, new_keys: dict, report: LoadReport) -> None:
    """Link legacy units to their 2025 successors from the package's old → new mapping."""
    legacy_ids, new_ids = _ids(Tree.LEGACY), _ids(Tree.Y2025)
    desired: dict[tuple[int, int], bool] = {}

    def link(old_key: str, new_province_key: str, new_ward_key: str, is_main: bool) -> None:
        old_code = legacy_keys.get(old_key)
        new_code = new_keys.get((new_province_key, new_ward_key))
        if old_code is None or new_code is None:
            return  # the mapping names a unit the dataset itself does not list; nothing to link
        pair = (legacy_ids[old_code], new_ids[new_code])
        desired[pair] = desired.get(pair, False) or is_main

    for new_province, wards in converter["DICT_PROVINCE_WARD_NO_DIVIDED"].items():
        for new_ward, old_keys in wards.items():
            for old_key in old_keys:
                link(old_key, new_province, new_ward, True)
    for new_province, olds in converter["DICT_PROVINCE_WARD_DIVIDED"].items():
        for old_key, targets in olds.items():
            for target in targets:
                link(old_key, new_province, target["newWardKey"], bool(target.get("isDefaultNewWard")))

    for new_province, old_provinces in converter["DICT_PROVINCE"].items():
        for old_province in old_provinces:
            link(old_province, new_province, "", True)

    current = {
        (s.predecessor_id, s.successor_id): s
        for s in UnitSuccession.objects.filter(predecessor__tree=Tree.LEGACY, successor__tree=Tree.Y2025)
    }
    create = [
        UnitSuccession(predecessor_id=p, successor_id=s, is_main=m)
        for (p, s), m in desired.items()
        if (p, s) not in current
    ]
    stale = [s.pk for pair, s in current.items() if pair not in desired]
    changed = [s for pair, s in current.items() if pair in desired and s.is_main != desired[pair]]
    for s in changed:
        s.is_main = desired[(s.predecessor_id, s.successor_id)]
    UnitSuccession.objects.bulk_create(create, batch_size=5000)
    UnitSuccession.objects.bulk_update(changed, ["is_main"])
    UnitSuccession.objects.filter(pk__in=stale).delete()
    report.links_created += len(create) + len(changed)
    report.links_removed += len(stale)


class ValidityRefused(Exception):
    """A correction of a unit's validity dates that would leave some of its figures outside them."""


def unit_validity_correct(*, unit: AdministrativeUnit, valid_from, valid_to, user, reason: str) -> AdministrativeUnit:
    """Correct when a unit existed (the dataset's snapshot does not know every merger), with an audit entry,
    and queue again the rankings of every month its peer group has figures: the group's coverage changes.

    Refused (ValidityRefused, nothing written) when the unit has figures for a month outside the new dates,
    or the dates are out of order.
    """
    from accounts.services import audit_record  # accounts and rankings build on the unit tree
    from indicators.models import Score
    from rankings.services import rankings_enqueue_for_unit

    if valid_from is not None and valid_to is not None and valid_from > valid_to:
        raise ValidityRefused(
            _("Ngày bắt đầu hiệu lực (%(start)s) sau ngày hết hiệu lực (%(end)s) của %(unit)s.")
            % {"start": f"{valid_from:%d/%m/%Y}", "end": f"{valid_to:%d/%m/%Y}", "unit": unit.name}
        )
    months = Score.objects.filter(unit=unit).values_list("period__year", "period__month").distinct()
    outside = sorted(
        (year, month)
        for year, month in months
        if (valid_from is not None and (year, month) < (valid_from.year, valid_from.month))
        or (valid_to is not None and (year, month) > (valid_to.year, valid_to.month))
    )
    if outside:
        raise ValidityRefused(
            _("%(unit)s có số liệu tháng %(months)s, ngoài thời gian hiệu lực mới; không sửa được.")
            % {"unit": unit.name, "months": ", ".join(f"{m}/{y}" for y, m in outside[:6])}
        )

    def show(day):
        return day.isoformat() if day else None

    before = {"valid_from": show(unit.valid_from), "valid_to": show(unit.valid_to)}
    with transaction.atomic():
        unit.valid_from, unit.valid_to = valid_from, valid_to
        unit.save(update_fields=["valid_from", "valid_to"])
        audit_record(
            user=user,
            action="unit_change",
            summary=reason,
            unit=unit,
            before=before,
            after={"valid_from": show(valid_from), "valid_to": show(valid_to)},
        )
        rankings_enqueue_for_unit(unit=unit)
    return unit
