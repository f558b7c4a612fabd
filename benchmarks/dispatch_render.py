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
import gc
import io
import json
import os
import random
import statistics
import sys
import tempfile
import time
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

from dispatches import pdf  # noqa: E402
from dispatches.models import Dispatch  # noqa: E402
from dispatches.services import dispatch_render  # noqa: E402
from indicators.models import Period  # noqa: E402
from units.models import AdministrativeUnit  # noqa: E402

AUTO_LAYOUT = "table { table-layout: auto !important; }"
GROUPS = [("1", "Công khai, minh bạch", 18), ("2", "Tiến độ giải quyết", 20), ("3", "Dịch vụ công trực tuyến", 12),
          ("4", "Thanh toán trực tuyến", 10), ("5", "Mức độ hài lòng", 18), ("6", "Số hóa hồ sơ", 22)]  # fmt: skip


def snapshot(*, subordinates: int, level: str, seed: int = 766) -> dict:
    """A frozen-data snapshot shaped like dispatches.selectors.dispatch_data, with `subordinates` ranked units."""
    rng = random.Random(seed)
    groups = [
        {"code": c, "name": n, "short_name": n, "max_points": str(m), "measure": "points", "count_unit": "",
         "direction": "higher", "parent": None, "points": f"{m * rng.uniform(0.55, 1):.2f}",
         "rate": f"{rng.uniform(55, 100):.2f}", "count": None, "change_text": "",
         "change_points": f"{rng.uniform(-2, 2):.2f}", "change_rate": None}
        for c, n, m in GROUPS
    ]  # fmt: skip
    criteria = [
        {"code": f"{c}.{k}", "name": f"Tiêu chí {c}.{k} của nhóm {n.lower()}", "short_name": "", "max_points": None,
         "measure": "count_percent", "count_unit": "hồ sơ", "direction": "higher", "parent": c, "points": None,
         "rate": f"{rng.uniform(20, 100):.2f}", "count": rng.randint(10, 300_000), "change_text": "",
         "change_points": None, "change_rate": f"{rng.uniform(-5, 5):.2f}"}
        for c, n, _ in GROUPS for k in range(1, 5)
    ]  # fmt: skip
    totals = sorted((rng.uniform(60, 95) for _ in range(subordinates)), reverse=True)
    kind = "Xã" if level == "district" else "Huyện"
    subs = [
        {"code": f"B{n:05d}", "name": f"{kind} Thử Nghiệm Số {n}", "short_name": f"Thử Nghiệm Số {n}",
         "total": f"{t:.2f}", "total_change": f"{rng.uniform(-3, 3):.2f}", "rank": n, "rank_of": subordinates,
         "rank_change": rng.randint(-5, 5), "band": "Tốt" if t >= 80 else "Khá",
         "groups": {c: f"{m * rng.uniform(0.5, 1):.2f}" for c, _, m in GROUPS},
         "rates": {"2": f"{rng.uniform(80, 100):.2f}"}}
        for n, t in enumerate(totals, start=1)
    ]  # fmt: skip
    # Only some units have overdue dossiers or feedback: a quarter of them, at most 40.
    listed = rng.sample(subs, min(40, len(subs) // 4 or 1))
    counts = [{"code": s["code"], "name": s["name"], "short_name": s["short_name"]} for s in listed]
    overdue = [
        {**c, "overdue.total": a + b, "overdue.district": a, "overdue.commune": b}
        for c in counts
        for a, b in [(rng.randint(0, 40), rng.randint(0, 90))]
    ]
    pakn = [{**c, "pakn.not_received": rng.randint(0, 5), "pakn.late": rng.randint(1, 9)} for c in counts[::2]]
    return {
        "unit": {"code": "BENCH", "name": "Huyện Thử Nghiệm", "short_name": "Thử Nghiệm", "kind": "Huyện",
                 "level": level, "peer_word": "huyện/thị xã/thành phố", "subordinate_word": "xã, thị trấn"},
        "issuer": {"parent_authority": "", "issuing_body": "ỦY BAN NHÂN DÂN\nHUYỆN THỬ NGHIỆM", "symbol": "UBND-VP",
                   "place": "Thử Nghiệm", "signer_authority": "TM. ỦY BAN NHÂN DÂN",
                   "signer_role": "KT. CHỦ TỊCH\nPHÓ CHỦ TỊCH", "signer_name": "Nguyễn Văn A"},
        "period": {"key": "2024-08", "year": 2024, "month": 8},
        "previous_period": {"year": 2024, "month": 7},
        "issue_year": 2024,
        "data_as_of": "2024-09-05T12:00:00+07:00",
        "revision_ids": [],
        "total": {"points": "85.31", "rate": None, "count": None, "change_text": "", "change": "0.31"},
        "rank": {"rank": 13, "of": 30, "published": False, "change": 2},
        "band": "Tốt",
        "groups": groups,
        "criteria": criteria,
        "operational": {},
        "columns": [{"code": c, "name": n, "measure": "points"} for c, n, _ in GROUPS],
        "subordinates": subs,
        "overdue": sorted(overdue, key=lambda r: -r["overdue.total"]),
        "pakn": pakn,
        "digitise": [],
    }  # fmt: skip


TEXT = {
    "subject": "Công bố kết quả đánh giá Bộ chỉ số phục vụ người dân, doanh nghiệp tháng 8/2024",
    "recipients": "Các phòng, ban, ngành thuộc UBND huyện;\nUBND các xã, thị trấn.",
    "legal_bases": "Căn cứ Quyết định số 766/QĐ-TTg ngày 23/6/2022 của Thủ tướng Chính phủ;",
    "requirements": "\n".join(f"{n}. Yêu cầu thứ {n} về việc nâng cao chất lượng phục vụ." for n in range(1, 6)),
    "cc": "Như trên;\nLưu: VT.",
}


def timed_render(data: dict, extra_css: str = "", repeat: int = 3) -> tuple[float, float, int, int]:
    """Best wall time and its CPU time over `repeat` renders (the best is the least disturbed by other load),
    the page count and the unreachable objects the last render left behind."""
    runs, content, left = [], b"", 0
    for _ in range(repeat):
        gc.collect()
        wall, cpu = time.perf_counter(), time.process_time()
        content = pdf.html_to_pdf(pdf.document_html(data=data, text=TEXT), extra_css=extra_css)
        runs.append((time.perf_counter() - wall, time.process_time() - cpu))
        left = gc.collect()
    best = min(runs)
    return best[0], best[1], len(PdfReader(io.BytesIO(content)).pages), left


def cached_download_ms(data: dict, repeat: int) -> float:
    """Median time of the leader's download of an already rendered PDF, through the view and storage."""
    unit = AdministrativeUnit.objects.order_by("pk").first()
    if unit is None:
        raise SystemExit("The database has no units: run `python manage.py load_units` first.")
    times = []
    with transaction.atomic():
        period, _ = Period.objects.get_or_create(year=2024, month=8)
        Dispatch.objects.filter(unit=unit, period=period).delete()
        dispatch = Dispatch.objects.create(
            unit=unit, period=period, status=Dispatch.Status.FINAL, frozen_data=data, **TEXT
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
    pdf.html_to_pdf(pdf.document_html(data=snapshot(subordinates=3, level="district"), text=TEXT))  # load fonts once

    district_s, district_cpu, district_pages, _ = timed_render(district, repeat=repeat)
    province_s, province_cpu, province_pages, province_left = timed_render(province, repeat=repeat)
    district_auto_s, _, district_auto_pages, _ = timed_render(district, AUTO_LAYOUT, repeat=repeat)
    province_auto_s, _, province_auto_pages, _ = timed_render(province, AUTO_LAYOUT, repeat=1 if args.quick else 2)
    cached_ms = cached_download_ms(district, repeat=5 if args.quick else 20)

    figures = {
        "district_render_s": round(district_s, 3),
        "district_render_cpu_s": round(district_cpu, 3),
        "district_pages": district_pages,
        "province_500_render_s": round(province_s, 3),
        "province_500_render_cpu_s": round(province_cpu, 3),
        "province_500_pages": province_pages,
        "province_500_garbage_left": province_left,
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
    goals = {"district_render_s": 1.0, "province_500_render_s": 4.0, "cached_download_ms": 20.0}
    goal_met = all(figures[key] <= limit for key, limit in goals.items())
    for key, value in figures.items():
        print(f"{key:36} {value}")
    print(json.dumps({"benchmark": "dispatch_render", "figures": figures, "goals": goals, "goal_met": goal_met}))


if __name__ == "__main__":
    main()
