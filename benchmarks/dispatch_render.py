"""Benchmark: dispatch PDF rendering (district with a 30-unit appendix, province with 500 rows) and the cached download.

Run: python benchmarks/dispatch_render.py [--quick]
The baseline renders the same HTML with WeasyPrint's automatic table layout instead of the fixed layout the
print stylesheet uses. The cached download goes through the real view, storage and database; everything it
writes is rolled back, and rendered files go to a temporary MEDIA_ROOT.

A render pauses Python's cyclic garbage collector and frees its own garbage (one collection) before it
returns, and that collection is inside the timed figure; `*_garbage_left` counts the unreachable objects a
full collection still finds right after the last render, that is work a render would leave to whatever runs
next (0 expected).
"""

import argparse
import datetime
import functools
import gc
import io
import json
import os
import random
import statistics
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ["MEDIA_ROOT"] = tempfile.mkdtemp(prefix="dispatch-bench-")

import django  # noqa: E402

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.db import transaction  # noqa: E402
from django.test import Client  # noqa: E402
from django.urls import reverse  # noqa: E402
from pypdf import PdfReader  # noqa: E402

from dispatches import pdf, signing  # noqa: E402
from dispatches import snapshot as s  # noqa: E402
from dispatches.models import Dispatch  # noqa: E402
from dispatches.services import dispatch_render  # noqa: E402
from dispatches.snapshot import DispatchData  # noqa: E402
from indicators.models import Indicator, IndicatorKind, Period  # noqa: E402
from indicators.selectors import framework_for  # noqa: E402
from units.models import AdministrativeUnit  # noqa: E402

AUTO_LAYOUT = "table { table-layout: auto !important; }"
SIGNING_ROWS = 700  # subordinate units that make a dispatch of about 30 pages
D = Decimal


@functools.cache
def catalogue_groups() -> list[tuple[str, str, Decimal, str]]:
    """The current catalogue's groups (code, name, maximum points, role), as a dispatch lists them."""
    groups = Indicator.objects.filter(framework=framework_for(), kind=IndicatorKind.GROUP).order_by("order")
    return [(g.code, g.name, g.max_points, g.role) for g in groups]


D = Decimal


# Longer than 60 lines on purpose: one synthetic snapshot, field by field as dispatches.snapshot declares them.
def snapshot(*, subordinates: int, level: str, seed: int = 766) -> DispatchData:
    """A typed snapshot shaped like dispatches.selectors.dispatch_data, with `subordinates` ranked units."""
    rng = random.Random(seed)
    money = lambda low, high: D(f"{rng.uniform(low, high):.2f}")  # noqa: E731
    catalogue = catalogue_groups()
    groups = [
        s.Line(code=c, role=role, name=n, short_name=n, max_points=D(m), measure="points", count_unit="",
               direction="higher", parent=None, figure=s.Figure(points=money(0.55 * float(m), float(m)), rate=money(55, 100)),
               change_points=money(-2, 2))
        for c, n, m, role in catalogue
    ]  # fmt: skip
    criteria = [
        s.Line(code=f"{c}.{k}", role="", name=f"Tiêu chí {c}.{k} của nhóm {n.lower()}", short_name="",
               max_points=None, measure="count_percent", count_unit="hồ sơ", direction="higher", parent=c,
               figure=s.Figure(rate=money(20, 100), count=rng.randint(10, 300_000)), change_rate=money(-5, 5))
        for c, n, _m, _role in catalogue for k in range(1, 5)
    ]  # fmt: skip
    totals = sorted((rng.uniform(60, 95) for _ in range(subordinates)), reverse=True)
    kind = "Xã" if level == "district" else "Huyện"
    units = [
        s.RankedUnit(
            unit=s.UnitName(code=f"B{n:05d}", name=f"{kind} Thử Nghiệm Số {n}", short_name=f"Thử Nghiệm Số {n}",
                            kind=kind, level="commune" if level == "district" else "district"),
            total=D(f"{t:.2f}"), total_change=money(-3, 3), rank=n, rank_of=subordinates,
            rank_change=rng.randint(-5, 5), band="Tốt" if t >= 80 else "Khá",
            groups={c: money(0.5 * float(m), float(m)) for c, _n, m, _role in catalogue}, progress_rate=money(80, 100))
        for n, t in enumerate(totals, start=1)
    ]  # fmt: skip
    # Only some units have overdue dossiers or feedback: a quarter of them, at most 40.
    listed = rng.sample(units, min(40, len(units) // 4 or 1))
    overdue = []
    for u in listed:
        a, b = rng.randint(0, 40), rng.randint(0, 90)
        overdue.append(s.CountRow(unit=u.unit, counts={"overdue_total": a + b, "overdue_district": a,
                                                       "overdue_commune": b}))  # fmt: skip
    pakn = [
        s.CountRow(unit=u.unit, counts={"pakn_not_received": rng.randint(0, 5), "pakn_late": rng.randint(1, 9)})
        for u in listed[::2]
    ]
    return s.DispatchData(
        unit=s.UnitName(code="BENCH", name="Huyện Thử Nghiệm", short_name="Thử Nghiệm", kind="Huyện", level=level),
        peer_word="huyện/thị xã/thành phố",
        subordinate_word="xã, thị trấn",
        issuer=s.Issuer(
            parent_authority="",
            issuing_body="ỦY BAN NHÂN DÂN\nHUYỆN THỬ NGHIỆM",
            symbol="UBND-VP",
            place="Thử Nghiệm",
            signer_authority="TM. ỦY BAN NHÂN DÂN",
            signer_role="KT. CHỦ TỊCH\nPHÓ CHỦ TỊCH",
            signer_name="Nguyễn Văn A",
        ),
        period=s.Month(year=2024, month=8),
        previous_period=s.Month(year=2024, month=7),
        issue_year=2024,
        data_as_of=datetime.datetime(2024, 9, 5, 12, 0, tzinfo=datetime.UTC),
        revision_ids=[],
        uses_demo=False,
        total=s.Figure(points=D("85.31"), change=D("0.31")),
        total_change=D("0.31"),
        rank=s.Rank(rank=13, of=30, published=False, change=2),
        band="Tốt",
        groups=groups,
        criteria=criteria,
        copies_electronic=None,
        columns=[s.Column(code=c, name=n, measure="points") for c, n, _m, _role in catalogue],
        subordinates=units,
        departments=[],
        overdue=sorted(overdue, key=lambda r: -r.counts["overdue_total"]),
        pakn=pakn,
        digitise=[],
        upstream=[],
    )


TEXT = {
    "subject": "Công bố kết quả đánh giá Bộ chỉ số phục vụ người dân, doanh nghiệp tháng 8/2024",
    "recipients": "Các phòng, ban, ngành thuộc UBND huyện;\nUBND các xã, thị trấn.",
    "legal_bases": "Căn cứ Quyết định số 766/QĐ-TTg ngày 23/6/2022 của Thủ tướng Chính phủ;",
    "requirements": "\n".join(f"{n}. Yêu cầu thứ {n} về việc nâng cao chất lượng phục vụ." for n in range(1, 6)),
    "cc": "Như trên;\nLưu: VT.",
}


def best(runs: int, work) -> tuple[float, float, object]:
    """Best wall time and its CPU time over `runs` calls (the best is the least disturbed by other load)."""
    times, result = [], None
    for _ in range(runs):
        gc.collect()
        wall, cpu = time.perf_counter(), time.process_time()
        result = work()
        times.append((time.perf_counter() - wall, time.process_time() - cpu))
    wall, cpu = min(times)
    return wall, cpu, result


def timed_render(data: DispatchData, extra_css: str = "", repeat: int = 3, fields: bool = True):
    """Best time of snapshot → final PDF (with its signature fields), the page count and the unreachable
    objects the last render left behind."""
    wall, cpu, content = best(
        repeat,
        lambda: pdf.html_to_pdf(pdf.document_html(data=data, text=TEXT), extra_css=extra_css, signature_fields=fields),
    )
    left = gc.collect()  # before reading the pages back: pypdf's objects are not the render's garbage
    return wall, cpu, len(PdfReader(io.BytesIO(content)).pages), left


def end_to_end_district(repeat: int) -> tuple[float, int]:
    """Tiên Lữ 8/2024 from the database (demo figures, ranked by the ranking service) to the final PDF: the
    snapshot read, the HTML, the layout, the PDF and its signature fields. Rolled back afterwards."""
    from dispatches.selectors import dispatch_data
    from indicators.demo import demo_load
    from rankings.services import rankings_compute

    with transaction.atomic():
        demo_load()
        rankings_compute(period_key="2024-07")
        rankings_compute(period_key="2024-08")
        unit = AdministrativeUnit.objects.get(tree="legacy", code="332")
        august = Period.objects.get(year=2024, month=8)

        def work() -> bytes:
            data = dispatch_data(unit=unit, period=august)
            return pdf.html_to_pdf(pdf.document_html(data=data, text=TEXT), signature_fields=True)

        wall, _cpu, content = best(repeat, work)
        transaction.set_rollback(True)
    return wall, len(PdfReader(io.BytesIO(content)).pages)


def signing_figures(data: DispatchData, repeat: int) -> dict:
    """Signature fields added to a laid-out dispatch of about 30 pages, and the verification of its signed copy
    (leader, then the body's seal and appendix signatures, by a throw-away CA as a signing tool would)."""
    from tests.dispatches.signing_tools import make_ca, make_signer, sign

    laid_out = pdf.html_to_pdf(pdf.document_html(data=data, text=TEXT))
    prepare_s, _cpu, finalised = best(repeat * 3, lambda: signing.add_signature_fields(laid_out))
    ca = make_ca()
    leader = make_signer(ca, common_name="Nguyễn Văn A", organization="UBND huyện Thử Nghiệm")
    body = make_signer(ca, common_name="UBND huyện Thử Nghiệm", organization="UBND huyện Thử Nghiệm")
    signed = sign(finalised, field=signing.SIGNER_FIELD, who=leader, ca=ca)
    signed = sign(signed, field=signing.SEAL_FIELD, who=body, ca=ca)
    signed = sign(signed, field=signing.APPENDIX_FIELD, who=body, ca=ca)
    verify_s, _cpu, report = best(
        repeat * 3, lambda: signing.verify_signed(finalised=finalised, signed=signed, roots=[ca.asn1])
    )
    assert report.trusted and len(report.signatures) == 3
    return {
        "signing_pages": len(PdfReader(io.BytesIO(finalised)).pages),
        "prepare_fields_s": round(prepare_s, 3),
        "verify_signed_s": round(verify_s, 3),
        "signed_signatures": len(report.signatures),
    }


def cached_download_ms(data: DispatchData, repeat: int) -> float:
    """Median time of the leader's download of an already rendered PDF, through the view and storage."""
    unit = AdministrativeUnit.objects.order_by("pk").first()
    if unit is None:
        raise SystemExit("The database has no units: run `python manage.py load_units` first.")
    times = []
    with transaction.atomic():
        period, _ = Period.objects.get_or_create(year=2024, month=8)
        Dispatch.objects.filter(unit=unit, period=period).delete()
        dispatch = Dispatch.objects.create(
            unit=unit, period=period, status=Dispatch.Status.FINAL, frozen_data=data.to_json(), **TEXT
        )
        dispatch_render(dispatch=dispatch)
        user = get_user_model().objects.create_superuser("bench-dispatch", password=None)
        client = Client()
        client.force_login(user)
        url = reverse("dispatches:dispatch-download", args=[dispatch.pk])
        for _ in range(repeat + 2):
            start = time.perf_counter()
            response = client.get(url)
            body = b"".join(response.streaming_content)
            times.append((time.perf_counter() - start) * 1000)
            assert response.status_code == 200 and body.startswith(b"%PDF")
        transaction.set_rollback(True)
    return statistics.median(times[2:])  # the first requests warm the session and URL resolver


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="one repetition each")
    args = parser.parse_args()
    repeat = 1 if args.quick else 3

    district, province = snapshot(subordinates=30, level="district"), snapshot(subordinates=500, level="province")
    thirty_pages = snapshot(subordinates=SIGNING_ROWS, level="province")
    pdf.html_to_pdf(pdf.document_html(data=snapshot(subordinates=3, level="district"), text=TEXT))  # load fonts once

    district_s, district_cpu, district_pages, _ = timed_render(district, repeat=repeat)
    province_s, province_cpu, province_pages, province_left = timed_render(province, repeat=repeat)
    district_auto_s, _, district_auto_pages, _ = timed_render(district, AUTO_LAYOUT, repeat=repeat)
    province_auto_s, _, province_auto_pages, _ = timed_render(province, AUTO_LAYOUT, repeat=1 if args.quick else 2)
    end_to_end_s, end_to_end_pages = end_to_end_district(repeat=repeat + 2)
    signing_stats = signing_figures(thirty_pages, repeat=repeat)
    cached_ms = cached_download_ms(district, repeat=5 if args.quick else 20)

    figures = {
        "district_end_to_end_s": round(end_to_end_s, 3),
        "district_end_to_end_pages": end_to_end_pages,
        "district_30_render_s": round(district_s, 3),
        "district_30_render_cpu_s": round(district_cpu, 3),
        "district_30_pages": district_pages,
        "province_500_render_s": round(province_s, 3),
        "province_500_render_cpu_s": round(province_cpu, 3),
        "province_500_pages": province_pages,
        "province_500_garbage_left": province_left,
        **signing_stats,
        "cached_download_ms": round(cached_ms, 2),
        "baseline_auto_district_s": round(district_auto_s, 3),
        "baseline_auto_district_pages": district_auto_pages,
        "baseline_auto_province_500_s": round(province_auto_s, 3),
        "baseline_auto_province_500_pages": province_auto_pages,
        "speedup_district_fixed_vs_auto": round(district_auto_s / district_s, 2),
        "speedup_province_fixed_vs_auto": round(province_auto_s / province_s, 2),
        "cached_vs_district_render": round(district_s * 1000 / cached_ms, 1),
        # Context for the figures: WeasyPrint is single-threaded and CPU-bound.
        "cpu_count": os.cpu_count(),
        "load_average_1m": round(os.getloadavg()[0], 2),
    }
    goals = {
        "district_end_to_end_s": 0.3,
        "province_500_render_s": 2.5,
        "prepare_fields_s": 0.2,
        "verify_signed_s": 0.5,
        "cached_download_ms": 20.0,
    }
    goal_met = all(figures[key] <= limit for key, limit in goals.items())
    for key, value in figures.items():
        print(f"{key:36} {value}")
    print(json.dumps({"benchmark": "dispatch_render", "figures": figures, "goals": goals, "goal_met": goal_met}))


if __name__ == "__main__":
    main()
