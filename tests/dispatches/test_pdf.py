"""The dispatch PDF read back: Decree 30 layout, embedded fonts, blocks in order, appendices equal to the data, PDF/A."""

import gc
import io
import re
import shutil
import subprocess
from pathlib import Path

import pdfplumber
import pytest
import weasyprint
from django.conf import settings
from pypdf import PdfReader
from weasyprint.urls import FatalURLFetchingError

from dispatches import pdf
from dispatches.services import dispatch_draft, dispatch_freeze
from indicators.models import Period
from publishing.selectors import is_public
from publishing.services import publication_publish
from units.models import AdministrativeUnit

from .factories import rank_alone, rank_children

MM = 72 / 25.4
A4 = (595.28, 841.89)
ARTIFACTS = Path(settings.BASE_DIR) / "test-artifacts"

pytestmark = pytest.mark.django_db


def legacy(code: str) -> AdministrativeUnit:
    return AdministrativeUnit.objects.get(tree="legacy", code=code)


def final_dispatch(unit, year: int, month: int):
    """A leader's dispatch as the workflow makes it: the month published for the unit, then finalised."""
    period = Period.objects.get(year=year, month=month)
    if not is_public(period=period, unit=unit):
        publication_publish(period=period, scope=unit)
    dispatch = dispatch_draft(unit=unit, period=period, user=None)
    return dispatch_freeze(dispatch=dispatch)


@pytest.fixture
def tien_lu_pdf(demo) -> bytes:
    district = legacy("332")
    rank_children(parent=district, year=2024, month=7)
    rank_children(parent=district, year=2024, month=8)
    return pdf.dispatch_pdf(final_dispatch(district, 2024, 8))


@pytest.fixture
def my_hao_pdf(demo) -> bytes:
    town = legacy("328")
    rank_alone(unit=town, year=2025, month=2, published=(1, 10))
    return pdf.dispatch_pdf(final_dispatch(town, 2025, 2))


def pages_text(content: bytes) -> list[str]:
    with pdfplumber.open(io.BytesIO(content)) as document:
        return [page.extract_text() or "" for page in document.pages]


def flat(content: bytes) -> str:
    return " ".join(" ".join(pages_text(content)).split())


def save_artifacts(content: bytes, name: str) -> list[Path]:
    """Keep the PDF and its pages as PNG under test-artifacts/ (git-ignored) for a person to look at."""
    ARTIFACTS.mkdir(exist_ok=True)
    target = ARTIFACTS / f"{name}.pdf"
    target.write_bytes(content)
    for old in ARTIFACTS.glob(f"{name}-*.png"):
        old.unlink()
    subprocess.run(["pdftoppm", "-r", "80", "-png", str(target), str(ARTIFACTS / name)], check=True)
    return sorted(ARTIFACTS.glob(f"{name}-*.png"))


def test_pages_are_a4_and_text_keeps_decree_30_margins(tien_lu_pdf):
    with pdfplumber.open(io.BytesIO(tien_lu_pdf)) as document:
        assert len(document.pages) >= 3
        first = document.pages[0]
        assert (round(first.width, 1), round(first.height, 1)) == (round(A4[0], 1), round(A4[1], 1))
        body_pages = [p for p in document.pages if round(p.width) == round(A4[0])]
        words = [w for page in body_pages for w in page.extract_words()]
    left = min(w["x0"] for w in words)
    right = max(w["x1"] for w in words)
    top = min(w["top"] for w in words)
    bottom = max(w["bottom"] for w in words)
    # Left 30 mm and right 15 mm: justified lines reach both edges exactly.
    assert left == pytest.approx(30 * MM, abs=1.5)
    assert right == pytest.approx(A4[0] - 15 * MM, abs=1.5)
    # Top and bottom 20 mm (the page number sits in the top margin from page 2 on).
    first_page_words = words[: len(body_pages[0].extract_words())] if body_pages else words
    assert min(w["top"] for w in first_page_words) >= 20 * MM - 1
    assert bottom <= A4[1] - 20 * MM + 1
    assert top >= 10 * MM


def test_fonts_are_liberation_serif_embedded_and_body_is_14pt(tien_lu_pdf):
    reader = PdfReader(io.BytesIO(tien_lu_pdf))
    fonts = set()
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            fonts.add(str(font["/BaseFont"]))
            descendant = font["/DescendantFonts"][0].get_object()
            descriptor = descendant["/FontDescriptor"].get_object()
            assert "/FontFile2" in descriptor, f"{font['/BaseFont']} is not embedded"
    assert fonts and all(re.match(r"/[A-Z]{6}\+Liberation-Serif", name) for name in fonts), fonts
    with pdfplumber.open(io.BytesIO(tien_lu_pdf)) as document:
        chars = document.pages[0].chars
        line = "".join(c["text"] for c in chars)
        start = line.index("Căn cứ Quyết định")
        sizes = {round(c["size"], 1) for c in chars[start : start + 40]}
        assert sizes == {14.0}
        header_sizes = {round(c["size"], 1) for c in chars if c["top"] < 40 * MM}
        assert header_sizes <= {12.0, 12.5, 13.0, 13.5, 14.0}


def test_blocks_come_in_the_prescribed_order(tien_lu_pdf):
    with pdfplumber.open(io.BytesIO(tien_lu_pdf)) as document:
        first = document.pages[0]

        def where(pattern):
            found = first.search(pattern, regex=False)
            assert found, pattern
            return found[0]

        middle = first.width / 2
        # Header: issuing body, number and subject on the left; national title, motto, place and date on the right.
        left = [where(p) for p in ["ỦY BAN NHÂN DÂN", "HUYỆN TIÊN LỮ", "Số:", "/UBND-VP", "V/v Công bố kết quả"]]
        right = [
            where(p) for p in ["CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc", "Tiên Lữ, ngày"]
        ]
        assert all(m["x1"] < middle for m in left) and all(m["x0"] > middle - 40 for m in right)
        assert [m["top"] for m in left] == sorted(m["top"] for m in left)
        assert [m["top"] for m in right] == sorted(m["top"] for m in right)
        assert all(c["fontname"].endswith("Bold") for c in first.chars if c["top"] == left[1]["top"])
        # The number and the day and month are left blank for the clerk.
        number_gap = left[3]["x0"] - left[2]["x1"]
        assert number_gap > 8 * MM
        body_top = where("Kính gửi:")["top"]
        assert body_top > max(m["bottom"] for m in left + right)
    text = flat(tien_lu_pdf)
    assert "Tiên Lữ, ngày tháng năm 2024" in text
    blocks = [
        "Kính gửi:",
        "Căn cứ Quyết định số 766/QĐ-TTg",
        "Tổng hợp các nhóm chỉ số của huyện Tiên Lữ đạt 88,03/100 điểm",
        "Số liệu được tính tại thời điểm 12h00 ngày 05/9/2024",
        "Căn cứ kết quả nêu trên",
        "Trên đây là kết quả",
        "Nơi nhận:",
        "TL. CHỦ TỊCH",
        "Nguyễn Thị Tố Uyên",
        "Phụ lục 1",
        "Phụ lục 2",
    ]
    positions = [text.find(block) for block in blocks]
    assert -1 not in positions, [b for b, p in zip(blocks, positions, strict=True) if p == -1]
    assert positions == sorted(positions)


def test_vietnamese_text_is_extracted_intact(tien_lu_pdf):
    text = flat(tien_lu_pdf)
    for phrase in [
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Độc lập - Tự do - Hạnh phúc",
        "Kính gửi",
        "Chỉ số Thanh toán trực tuyến: đạt tỷ lệ 72,67%",
        "Kết quả cấp bản sao điện tử: 30.204 bản",
        "Nguyễn Thị Tố Uyên",
    ]:
        assert phrase in text


def test_page_numbers_start_on_page_two(tien_lu_pdf):
    with pdfplumber.open(io.BytesIO(tien_lu_pdf)) as document:
        for number, page in enumerate(document.pages, start=1):
            in_top_margin = [w["text"] for w in page.extract_words() if w["bottom"] < 20 * MM]
            assert in_top_margin == ([] if number == 1 else [str(number)])


def test_ranking_appendix_lists_the_stored_ranking_in_rank_order(tien_lu_pdf):
    from rankings.models import RankingResult

    expected = list(
        RankingResult.objects.filter(period_key="2024-08", parent__code="332")
        .order_by("rank", "unit__name")
        .values_list("unit__name", "total", "rank")
    )
    with pdfplumber.open(io.BytesIO(tien_lu_pdf)) as document:
        page = next(p for p in document.pages if "Phụ lục 2" in (p.extract_text() or ""))
        table = page.extract_table()
    rows = [r for r in table if r[0] and r[0].isdigit()]
    got = [(r[1], r[2], r[4]) for r in rows]
    want = [
        (name, f"{total}".replace(".", ",").rstrip("0").rstrip(","), f"{rank}/15") for name, total, rank in expected
    ]
    assert got == want
    assert [r[0] for r in rows] == [str(n) for n in range(1, 16)]


def test_pdf_declares_pdfa_and_carries_title_and_author(tien_lu_pdf):
    reader = PdfReader(io.BytesIO(tien_lu_pdf))
    xmp = reader.trailer["/Root"]["/Metadata"].get_object().get_data().decode()
    assert re.search(r"pdfaid:part[^0-9]{1,4}2", xmp)
    assert re.search(r"pdfaid:conformance[^A-Z]{1,4}B", xmp)
    assert reader.metadata.title.startswith("Công văn V/v Công bố kết quả đánh giá Bộ chỉ số")
    assert reader.metadata.author == "ỦY BAN NHÂN DÂN HUYỆN TIÊN LỮ"
    assert "/OutputIntents" in reader.trailer["/Root"]


def test_same_inputs_give_the_same_bytes(demo):
    dispatch = final_dispatch(legacy("328"), 2025, 2)
    assert pdf.dispatch_pdf(dispatch) == pdf.dispatch_pdf(dispatch)


def test_tien_lu_august_2024_carries_the_reference_facts(tien_lu_pdf):
    text = flat(tien_lu_pdf)
    for fact in [
        "Các phòng, ngành thuộc UBND huyện;",
        "UBND các xã, thị trấn.",
        "88,03/100 điểm",
        "Chỉ số Tiến độ giải quyết: đạt tỷ lệ 97,4%",
        "Chỉ số Số hóa hồ sơ: đạt tỷ lệ 78,4%",
        "30.204 bản",
        # Requirements: the communes the reference names, with the same figures.
        "Cương Chính: 82,71%, Thiện Phiến: 92,54%",
        "chưa số hóa thành phần hồ sơ (Đức Thắng: 13, Nhật Tân: 11, Hưng Đạo: 5)",
        "Trung Dũng: 36 hồ sơ, Minh Phượng: 15 hồ sơ, Đức Thắng: 12 hồ sơ",
        "- Chủ tịch, Các Phó Chủ tịch UBND huyện;",
        "- Lưu: VT.",
        "CHÁNH VĂN PHÒNG",
        "Xã Thủ Sỹ 89,63 6,96 1/15",
        "Xã Cương Chính 83,28 -2,6 15/15",
    ]:
        assert fact in text, fact
    paths = save_artifacts(tien_lu_pdf, "dispatch-tien-lu-2024-08")
    assert len(paths) == len(pages_text(tien_lu_pdf)) and all(p.stat().st_size > 10_000 for p in paths)


def test_my_hao_february_2025_carries_the_reference_facts(my_hao_pdf):
    text = flat(my_hao_pdf)
    for fact in [
        "THỊ XÃ MỸ HÀO",
        "Mỹ Hào, ngày tháng năm 2025",
        "Các phòng, ngành, đơn vị liên quan;",
        "Căn cứ Công văn số 2283/UBND-PVHCC&KSTT ngày 30/8/2022",
        "thị xã Mỹ Hào đạt 91,34/100 điểm; xếp hạng thứ 01/10 huyện/thị xã/thành phố",
        "Chỉ số Công khai, minh bạch: 18/18 điểm; đạt tỷ lệ 100%",
        "Chỉ số Tiến độ giải quyết: 20/20 điểm; đạt tỷ lệ 99,93%",
        "Chỉ số Dịch vụ công trực tuyến: 10/12 điểm; đạt tỷ lệ 94,6%",
        "Chỉ số Thanh toán trực tuyến: 9,6/10 điểm; đạt tỷ lệ 82,41%",
        "Chỉ số Mức độ hài lòng: 18/18 điểm; đạt tỷ lệ 100%",
        "Chỉ số Số hóa hồ sơ: 15,8/22 điểm; đạt tỷ lệ 71,7%",
        "+ Tỷ lệ hồ sơ cấp kết quả điện tử: 95,93%",
        "3 hồ sơ, đạt 0,08%",
        "TM. ỦY BAN NHÂN DÂN",
        "KT. CHỦ TỊCH",
        "PHÓ CHỦ TỊCH",
        "Nguyễn Quốc Khánh",
    ]:
        assert fact in text, fact
    save_artifacts(my_hao_pdf, "dispatch-my-hao-2025-02")


def test_wide_ranking_appendix_gets_a_landscape_page_and_headers_repeat(demo):
    district = legacy("332")
    rank_children(parent=district, year=2024, month=7)
    dispatch = final_dispatch(district, 2024, 7)
    # Four times the communes: the table runs over several pages.
    data = dict(dispatch.frozen_data)
    data["subordinates"] = data["subordinates"] * 4
    content = pdf.html_to_pdf(pdf.document_html(data=data, text=pdf.dispatch_text(dispatch)))
    with pdfplumber.open(io.BytesIO(content)) as document:
        landscape = [p for p in document.pages if p.width > p.height]
        assert len(landscape) >= 2
        assert "Phụ lục 2" in landscape[0].extract_text()
        for page in landscape:
            header = [" ".join(cell.split()) for cell in page.extract_table()[0]]
            assert header[:3] == ["STT", "Tên cơ quan, đơn vị", "Điểm tổng hợp"]
            assert len(header) == 13  # the six groups beside the ranking
        portrait = [p for p in document.pages if p.width < p.height]
        assert portrait and all(round(p.width) == round(A4[0]) for p in portrait)
    save_artifacts(content, "dispatch-wide-appendix")


def test_url_fetcher_refuses_anything_outside_static():
    fetcher = pdf.StaticFilesOnlyFetcher()
    font = (pdf.STATIC_DIR / "fonts" / "LiberationSerif-Regular.ttf").resolve().as_uri()
    assert fetcher(font).read(4) == b"\x00\x01\x00\x00"
    for url in [
        "file:///etc/passwd",
        "http://127.0.0.1:9/x.css",
        "https://example.org/logo.png",
        pdf.STATIC_DIR.resolve().as_uri() + "/../config/settings.py",
        "data:text/css,body{}",
    ]:
        with pytest.raises(pdf.RefusedResource):
            fetcher(url)


@pytest.mark.parametrize(
    "tag",
    ['<img src="file:///etc/passwd">', '<link rel="stylesheet" href="http://127.0.0.1:9/evil.css">'],
)
def test_rendering_stops_when_a_document_asks_for_a_foreign_resource(tag):
    with pytest.raises(FatalURLFetchingError):
        pdf.html_to_pdf(f"<html><head>{tag}</head><body><p>Kính gửi</p></body></html>")


def test_rendering_frees_its_garbage_and_restores_the_collector():
    rows = "".join(f"<tr><td>{n}</td><td>Xã {n}</td></tr>" for n in range(200))
    html = f"<html><body><table><thead><tr><th>STT</th><th>Tên</th></tr></thead>{rows}</table></body></html>"
    gc.collect()
    assert pdf.html_to_pdf(html).startswith(b"%PDF")
    assert gc.isenabled()
    # The render's styles, boxes and layouts sit in reference cycles; none of them is left for later.
    assert gc.collect() < 100
    gc.disable()
    try:
        pdf.html_to_pdf(html)
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_lean_user_agent_stylesheet_leaves_the_pdf_unchanged(demo, monkeypatch):
    # DispatchHTML overrides this WeasyPrint hook; were it renamed, the override would silently do nothing.
    assert "_ua_stylesheets" in vars(weasyprint.HTML)
    district = legacy("332")
    rank_children(parent=district, year=2024, month=8)
    dispatch = final_dispatch(district, 2024, 8)
    lean = pdf.dispatch_pdf(dispatch)
    monkeypatch.setattr(pdf, "DispatchHTML", weasyprint.HTML)
    assert pdf.dispatch_pdf(dispatch) == lean


def test_pdftoppm_is_available_for_artifacts():
    assert shutil.which("pdftoppm"), "apt-get install poppler-utils"


def test_rendering_logs_no_warning(demo, caplog):
    dispatch = final_dispatch(legacy("328"), 2025, 2)
    with caplog.at_level("WARNING", logger="weasyprint"):
        pdf.dispatch_pdf(dispatch)
    assert [r.getMessage() for r in caplog.records if r.name.startswith("weasyprint")] == []


def test_overdue_dossiers_and_feedback_by_unit_fill_requirements_and_appendices(demo):
    import datetime
    from zoneinfo import ZoneInfo

    from indicators.selectors import framework_for
    from indicators.services import Value, indicators_by_code, revision_apply

    district = legacy("332")
    codes = indicators_by_code(framework=framework_for())
    communes = {u.short_name: u for u in district.children.all()}
    figures = {
        "Nhật Tân": {"overdue.total": 3, "overdue.district": 1, "overdue.commune": 2, "pakn.late": 1},
        "Lệ Xá": {"overdue.total": 12, "overdue.district": 4, "overdue.commune": 8},
        "An Viên": {"pakn.not_received": 2, "pakn.late": 3},
    }
    revision_apply(
        period=Period.objects.get(year=2024, month=8),
        scope=district,
        values=[
            Value(unit_id=communes[name].pk, indicator_id=codes[code].pk, count=n)
            for name, counts in figures.items()
            for code, n in counts.items()
        ],
        file_name="qua-han.xlsx",
        file_sha256="",
        data_as_of=datetime.datetime(2024, 9, 5, 12, 0, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh")),
    )
    rank_children(parent=district, year=2024, month=8)  # the leader publishes the month with these counts
    dispatch = final_dispatch(district, 2024, 8)
    assert "hồ sơ quá hạn đang xử lý (Lệ Xá: 12 hồ sơ, Nhật Tân: 3 hồ sơ)" in dispatch.requirements
    assert "phản ánh, kiến nghị quá hạn (An Viên: 5, Nhật Tân: 1)" in dispatch.requirements
    content = pdf.dispatch_pdf(dispatch)
    text = flat(content)
    assert "Đối với số liệu về hồ sơ quá hạn được tính lũy kế" in text
    with pdfplumber.open(io.BytesIO(content)) as document:
        tables = {}
        for page in document.pages:
            page_text = page.extract_text() or ""
            for number in (3, 4):
                if f"Phụ lục {number}" in page_text:
                    tables[number] = [r for r in page.extract_table() if r[0] and r[0].isdigit()]
    assert tables[3] == [["1", "Xã Lệ Xá", "12", "4", "8"], ["2", "Xã Nhật Tân", "3", "1", "2"]]
    assert tables[4] == [["1", "Xã An Viên", "2", "3", "5"], ["2", "Xã Nhật Tân", "", "1", "1"]]
