"""Demo data for the embedded portal: the real figures of the reference dispatches, and a
clearly labelled synthetic history for Tiên Lữ (Hưng Yên) and its communes.

Real (is_demo=False, source names the dispatch):
- Tiên Lữ 8/2024: district total and rates, the 15 communes' totals, changes and progress rates.
- Mỹ Hào 2/2025: the six groups with points and rates, digitisation criteria, rank 01/10.
- Hà Nội 12/2024: total, groups (which add to 68,8 while the total is 62,28: stored as
  published), criteria with counts and rates, rank 61/63.
Synthetic (is_demo=True): Tiên Lữ and its communes, 9/2023–7/2024. The 7/2024 totals of the
communes are the 8/2024 totals minus the published change; the rest is a seeded random walk.

The code finds indicators by role and kind, as the rest of the portal does; the reference figures
that are criteria of the 766 catalogue (Mỹ Hào, Hà Nội) are data keyed by its codes, in
demo_figures.json, as the dispatches print them.
"""

import datetime
import json
import random
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

from django.db import transaction

from dispatches.models import IssuerProfile
from units.models import AdministrativeUnit, Tree, UnitSuccession
from units.selectors import unit_lookup

from .models import ImportRevision, Indicator, IndicatorKind
from .models import IndicatorRole as Role
from .selectors import framework_for, indicators_by_role, total_indicator
from .services import Value, indicators_by_code, period_get, revision_apply

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
D = Decimal

# Communes of Tiên Lữ in 8/2024 that the dataset no longer lists: merged on 1/12/2024 (Nghị
# quyết 1286/NQ-UBTVQH15). Hải Triều and Đức Thắng became Xã Hải Thắng.
TIEN_LU_MERGED = [
    ("TL-HAI-TRIEU", "Xã Hải Triều", "Hải Triều", "Xã", "12364"),
    ("TL-DUC-THANG", "Xã Đức Thắng", "Đức Thắng", "Xã", "12364"),
    ("TL-DI-CHE", "Xã Dị Chế", "Dị Chế", "Xã", None),
    ("TL-MINH-PHUONG", "Xã Minh Phượng", "Minh Phượng", "Xã", None),
    ("TL-NGO-QUYEN", "Xã Ngô Quyền", "Ngô Quyền", "Xã", None),
]
MERGER_DAY = datetime.date(2024, 12, 1)

# Phụ lục of the Tiên Lữ dispatch, 8/2024: name as printed, total, change, progress rate (%).
TIEN_LU_2024_08 = [
    ("UBND xã Thủ Sỹ", "89,63", "6,96", "100"),
    ("UBND xã Hải Triều", "88,82", "6,60", "99,64"),
    ("UBND xã Nhật Tân", "88,23", "-0,80", "100"),
    ("UBND xã Hưng Đạo", "88,12", "0,24", "100"),
    ("UBND xã Dị ché", "88,08", "0,83", "100"),
    ("UBND xã An Viên", "87,87", "-0,21", "100"),
    ("UBND xã Đức Thắng", "87,57", "-0,35", "100"),
    ("UBND TT Vương", "87,42", "2,00", "99,52"),
    ("UBND xã Lệ Xá", "87,31", "0,21", "100"),
    ("UBND xã Thụy Lôi", "86,71", "3,38", "100"),
    ("UBND xã Minh Phượng", "86,2", "3,30", "100"),
    ("UBND xã Trung Dũng", "85,56", "-1,44", "99,61"),
    ("UBND xã Thiện Phiến", "85,22", "1,02", "92,54"),
    ("UBND xã Ngô Quyền", "83,58", "3,18", "100"),
    ("UBND xã Cương Chính", "83,28", "-2,60", "82,71"),
]
TIEN_LU_DIGITISE = {
    "Đức Thắng": {Role.DIGITISE_MISSING_INPUTS: 13, Role.DIGITISE_MISSING_RESULTS: 12},
    "Nhật Tân": {Role.DIGITISE_MISSING_INPUTS: 11},
    "Hưng Đạo": {Role.DIGITISE_MISSING_INPUTS: 5},
    "Trung Dũng": {Role.DIGITISE_MISSING_RESULTS: 36},
    "Minh Phượng": {Role.DIGITISE_MISSING_RESULTS: 15},
}
FIGURES = Path(__file__).with_name("demo_figures.json")
DEMO_MARK = "demo:"


def vn(text: str) -> Decimal:
    return Decimal(text.replace(",", "."))


def reference_figures(name: str) -> dict[str, dict]:
    """One reference dispatch's figures from demo_figures.json, by indicator code, typed: decimals
    are written there as printed ("62,28"), counts and ranks as integers."""
    figures = json.loads(FIGURES.read_text(encoding="utf-8"))[name]["figures"]
    decimal = {"points", "rate", "change"}
    return {code: {m: vn(v) if m in decimal else v for m, v in measures.items()} for code, measures in figures.items()}


def _values(unit: AdministrativeUnit, indicators: dict, figures: dict) -> list[Value]:
    """Values of `unit` from figures keyed like `indicators` (by code or by role)."""
    return [Value(unit_id=unit.pk, indicator_id=indicators[key].pk, **m) for key, m in figures.items()]


def _tien_lu_communes(district: AdministrativeUnit) -> None:
    """Add the communes merged on 1/12/2024 that the dataset lacks, and date the merged one."""
    hai_thang = AdministrativeUnit.objects.get(tree=Tree.LEGACY, code="12364")
    if hai_thang.valid_from is None:
        hai_thang.valid_from = MERGER_DAY
        hai_thang.save()
    for code, name, short, kind, successor in TIEN_LU_MERGED:
        unit, _ = AdministrativeUnit.objects.get_or_create(
            tree=Tree.CUSTOM,
            code=code,
            defaults=dict(
                name=name,
                short_name=short,
                kind=kind,
                level="commune",
                parent=district,
                valid_to=MERGER_DAY - datetime.timedelta(days=1),
                latitude=district.latitude,
                longitude=district.longitude,
            ),
        )
        if successor:
            UnitSuccession.objects.get_or_create(predecessor=unit, successor=hai_thang)


def _split(total: Decimal, rng: random.Random, groups: list[Indicator]) -> dict[Indicator, Decimal]:
    """Group points that add up to `total` exactly and respect each group's maximum."""
    shortfall = D(100) - total
    weights = {g: rng.uniform(0.2, 1.0) * float(g.max_points) for g in groups}
    scale = sum(weights.values())
    points = {g: (g.max_points - shortfall * D(w / scale)).quantize(D("0.01")) for g, w in weights.items()}
    points[groups[-1]] += total - sum(points.values())
    return points


# Longer than 60 lines on purpose: the demo month is written as one script, figure by figure from the reference
# dispatches, so a reader can check it against them line by line.
@transaction.atomic
def demo_load() -> bool:
    """Load the demo once; returns False when it was already there."""
    if ImportRevision.objects.filter(file_name__startswith=DEMO_MARK).exists():
        return False
    framework = framework_for()
    codes = indicators_by_code(framework=framework)
    roles = indicators_by_role(framework=framework)
    total = total_indicator(framework=framework)
    groups = list(framework.indicators.filter(kind=IndicatorKind.GROUP).order_by("order"))
    district = AdministrativeUnit.objects.get(tree=Tree.LEGACY, code="332")  # Huyện Tiên Lữ
    _tien_lu_communes(district)
    day = datetime.date(2024, 8, 31)
    communes = {row[0]: unit_lookup(text=row[0], on=day, within=district) for row in TIEN_LU_2024_08}

    # Real: Tiên Lữ 8/2024.
    values = [Value(unit_id=district.pk, indicator_id=total.pk, points=vn("88,03"))]
    values += _values(
        district,
        roles,
        {
            Role.PROGRESS: dict(rate=vn("97,4")),
            Role.ONLINE_PAYMENT: dict(rate=vn("72,67")),
            Role.DIGITISATION: dict(rate=vn("78,4")),
            Role.COPIES_ELECTRONIC: dict(count=30204),
        },
    )
    for name, points, change, progress in TIEN_LU_2024_08:
        unit = communes[name]
        values.append(
            Value(unit_id=unit.pk, indicator_id=total.pk, points=vn(points), change_text=change, change=vn(change))
        )
        values += _values(
            unit,
            roles,
            {
                Role.PROGRESS: dict(rate=vn(progress)),
                **{role: dict(count=n) for role, n in TIEN_LU_DIGITISE.get(unit.short_name, {}).items()},
            },
        )
    august = period_get(year=2024, month=8)
    revision_apply(
        period=august,
        scope=district,
        values=values,
        file_name=f"{DEMO_MARK}tien-lu-2024-08.xlsx",
        file_sha256="",
        audit_action=None,
        data_as_of=datetime.datetime(2024, 9, 5, 12, 0, tzinfo=TZ),
        source="Công văn của UBND huyện Tiên Lữ, tháng 8/2024 (theo Công văn 303/VPUB-PVHCC&KSTT ngày 05/9/2024)",
    )

    # Synthetic: 12 months before, ending with 7/2024 = 8/2024 total − published change.
    rng = random.Random(766)
    history: dict[int, list[Decimal]] = {}
    for name, points, change, _progress in TIEN_LU_2024_08:
        july = vn(points) - vn(change)
        series = [july]
        for _ in range(10):
            series.insert(0, max(D(55), min(D(95), series[0] - D(rng.uniform(-2.5, 2.2)).quantize(D("0.01")))))
        history[communes[name].pk] = series
    months = [(2023, m) for m in range(9, 13)] + [(2024, m) for m in range(1, 8)]
    for index, (year, month) in enumerate(months):
        period = period_get(year=year, month=month)
        values = []
        for unit_id, series in history.items():
            month_total = series[index].quantize(D("0.01"), rounding=ROUND_HALF_UP)
            values.append(Value(unit_id=unit_id, indicator_id=total.pk, points=month_total))
            for group, points in _split(month_total, rng, groups).items():
                rate = (points / group.max_points * 100).quantize(D("0.01"))
                values.append(Value(unit_id=unit_id, indicator_id=group.pk, points=points, rate=rate))
        district_total = (sum(s[index] for s in history.values()) / len(history)).quantize(D("0.01"))
        values.append(Value(unit_id=district.pk, indicator_id=total.pk, points=district_total))
        for group, points in _split(district_total, rng, groups).items():
            values.append(Value(unit_id=district.pk, indicator_id=group.pk, points=points))
        revision_apply(
            period=period,
            scope=district,
            values=values,
            file_name=f"{DEMO_MARK}tien-lu-synthetic-{period.key}",
            file_sha256="",
            audit_action=None,
            data_as_of=datetime.datetime(year + (month == 12), month % 12 + 1, 5, 12, 0, tzinfo=TZ),
            source="Dữ liệu minh họa tổng hợp (không phải số liệu công bố)",
            is_demo=True,
        )

    # Real: Mỹ Hào 2/2025 and Hà Nội 12/2024.
    my_hao = AdministrativeUnit.objects.get(tree=Tree.LEGACY, code="328")
    hung_yen = my_hao.parent
    revision_apply(
        period=period_get(year=2025, month=2),
        scope=hung_yen,
        values=_values(my_hao, codes, reference_figures("my_hao_2025_02")),
        file_name=f"{DEMO_MARK}my-hao-2025-02.xlsx",
        file_sha256="",
        audit_action=None,
        data_as_of=datetime.datetime(2025, 3, 5, 0, 0, tzinfo=TZ),
        source="Công văn của UBND thị xã Mỹ Hào, tháng 02/2025 (theo Công văn 63/VPUB-PVHCC&KSTT ngày 05/3/2025)",
    )
    ha_noi = AdministrativeUnit.objects.get(tree=Tree.LEGACY, code="01")
    revision_apply(
        period=period_get(year=2024, month=12),
        scope=ha_noi,
        values=_values(ha_noi, codes, reference_figures("ha_noi_2024_12")),
        file_name=f"{DEMO_MARK}ha-noi-2024-12.xlsx",
        file_sha256="",
        audit_action=None,
        data_as_of=datetime.datetime(2025, 1, 6, 9, 0, tzinfo=TZ),
        source="Công văn số 193/UBND-KSTTHC ngày 17/01/2025 của UBND thành phố Hà Nội",
    )
    _issuer_profiles(district, my_hao, ha_noi)
    return True


def _issuer_profiles(tien_lu, my_hao, ha_noi) -> None:
    decision = (
        "Căn cứ Quyết định số 766/QĐ-TTg ngày 23/6/2022 của Thủ tướng Chính phủ về phê duyệt Bộ chỉ số chỉ đạo, "
        "điều hành và đánh giá chất lượng phục vụ người dân, doanh nghiệp trong thực hiện thủ tục hành chính (TTHC), "
        "dịch vụ công theo thời gian thực trên môi trường điện tử;"
    )
    IssuerProfile.objects.get_or_create(
        unit=tien_lu,
        defaults=dict(
            parent_authority="",
            issuing_body="ỦY BAN NHÂN DÂN\nHUYỆN TIÊN LỮ",
            symbol="UBND-VP",
            place="Tiên Lữ",
            recipients="Các phòng, ngành thuộc UBND huyện;\nUBND các xã, thị trấn.",
            cc="Như trên;\nChủ tịch, Các Phó Chủ tịch UBND huyện;\nChi nhánh Văn phòng Đăng ký đất đai;\n"
            "Cổng thông tin điện tử huyện;\nLưu: VT.",
            legal_bases=decision,
            signer_authority="TL. CHỦ TỊCH",
            signer_role="CHÁNH VĂN PHÒNG",
            signer_name="Nguyễn Thị Tố Uyên",
        ),
    )
    IssuerProfile.objects.get_or_create(
        unit=my_hao,
        defaults=dict(
            issuing_body="ỦY BAN NHÂN DÂN\nTHỊ XÃ MỸ HÀO",
            symbol="UBND-VP",
            place="Mỹ Hào",
            recipients="Các phòng, ngành, đơn vị liên quan;\nUBND các xã, phường.",
            cc="Như trên;\nChủ tịch, các Phó Chủ tịch UBND thị xã;\nLãnh đạo Văn phòng;\nLưu: VP.",
            legal_bases=decision
            + "\nCăn cứ Công văn số 2283/UBND-PVHCC&KSTT ngày 30/8/2022 của UBND tỉnh về việc triển "
            "khai thực hiện Bộ chỉ số chỉ đạo, điều hành và đánh giá chất lượng phục vụ người dân, doanh nghiệp;",
            signer_authority="TM. ỦY BAN NHÂN DÂN",
            signer_role="KT. CHỦ TỊCH\nPHÓ CHỦ TỊCH",
            signer_name="Nguyễn Quốc Khánh",
        ),
    )
    IssuerProfile.objects.get_or_create(
        unit=ha_noi,
        defaults=dict(
            issuing_body="ỦY BAN NHÂN DÂN\nTHÀNH PHỐ HÀ NỘI",
            symbol="UBND-KSTTHC",
            place="Hà Nội",
            recipients="Giám đốc, Thủ trưởng các Sở, ban, ngành;\nChủ tịch UBND các quận, huyện, thị xã.",
            cc="Như trên;\nVăn phòng Chính phủ;\nChủ tịch UBND Thành phố;\nCác PCT UBND Thành phố;\nLưu: VT, KSTTHC.",
            legal_bases=decision,
            signer_authority="TM. ỦY BAN NHÂN DÂN",
            signer_role="KT. CHỦ TỊCH\nPHÓ CHỦ TỊCH",
            signer_name="Hà Minh Hải",
        ),
    )
