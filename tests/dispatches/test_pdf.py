"""The dispatch PDF read back: Decree 30 layout, embedded fonts, blocks in order, appendices equal to the data,
figures at their published precision, and every point a signer struck on main."""

import gc
import io
import re

import pdfplumber
import pytest
from pypdf import PdfReader
from weasyprint.urls import FatalURLFetchingError

from dispatches import pdf
from dispatches.services import dispatch_snapshot

from .factories import ha_noi_december, legacy, rank_months
from .pdfread import A4, MM, final_dispatch, final_pdf, flat, pages_text, save_artifacts, table_pages

pytestmark = pytest.mark.django_db


@pytest.fixture
def tien_lu_pdf(tien_lu) -> bytes:
    return final_pdf(tien_lu, 2024, 8)


@pytest.fixture
def my_hao_pdf(demo) -> bytes:
    rank_months("2025-02")
    return final_pdf(legacy("328"), 2025, 2)


@pytest.fixture
def ha_noi_pdf(demo) -> bytes:
    return final_pdf(ha_noi_december(), 2024, 12)


def words_outside_mark(page) -> list[dict]:
    return [w for w in page.extract_words() if w["text"] not in ("DỮ", "LIỆU", "MINH", "HỌA")]


def test_pages_are_a4_and_text_keeps_decree_30_margins(tien_lu_pdf):
    with pdfplumber.open(io.BytesIO(tien_lu_pdf)) as document:
        assert len(document.pages) >= 3
        first = document.pages[0]
        assert (round(first.width, 1), round(first.height, 1)) == (round(A4[0], 1), round(A4[1], 1))
        body_pages = [p for p in document.pages if round(p.width) == round(A4[0])]
        words = [w for page in body_pages for w in words_outside_mark(page)]
        first_page_words = words_outside_mark(body_pages[0])
    left = min(w["x0"] for w in words)
    right = max(w["x1"] for w in words)
    # Left 30 mm and right 15 mm: justified lines reach both edges exactly.
    assert left == pytest.approx(30 * MM, abs=1.5)
    assert right == pytest.approx(A4[0] - 15 * MM, abs=1.5)
    # Top and bottom 20 mm (the page number sits in the top margin from page 2 on).
    assert min(w["top"] for w in first_page_words) >= 20 * MM - 1
    assert max(w["bottom"] for w in words) <= A4[1] - 20 * MM + 1
    assert min(w["top"] for w in words) >= 10 * MM


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
        header_sizes = {round(c["size"], 1) for c in chars if 20 * MM < c["top"] < 40 * MM}
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
        "1. Tổng hợp các nhóm chỉ số của huyện Tiên Lữ đạt 88,03/100 điểm",
        "2. Kết quả cụ thể của một số nhóm, tiêu chí của các xã, thị trấn",
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
            in_top_margin = [w["text"] for w in words_outside_mark(page) if w["bottom"] < 20 * MM]
            assert in_top_margin == ([] if number == 1 else [str(number)])


def test_ranking_appendix_lists_the_stored_ranking_in_rank_order_at_published_precision(tien_lu_pdf):
    from rankings.models import RankingResult

    expected = list(
        RankingResult.objects.filter(public=True, scope="peer", period_key="2024-08", parent__code="332")
        .order_by("rank", "unit__name")
        .values_list("unit__name", "total", "rank")
    )
    pages = table_pages(tien_lu_pdf, "Kết quả, xếp hạng Bộ chỉ số")
    rows = [r for _number, table in pages for r in table if r[0] and r[0].isdigit()]
    assert [(r[1], r[2], r[4]) for r in rows] == [
        (name, f"{total:.2f}".replace(".", ","), f"{rank:02d}/15") for name, total, rank in expected
    ]
    assert [r[0] for r in rows] == [str(n) for n in range(1, 16)]
    # The change column as the reference prints it: one precision for the whole column, "6,60", "2,00", "3,30".
    changes = {r[1]: r[3] for r in rows}
    assert changes["Xã Hải Triều"] == "6,60" and changes["Thị trấn Vương"] == "2,00"
    assert changes["Xã Minh Phượng"] == "3,30" and changes["Xã Nhật Tân"] == "-0,80"
    assert all(re.fullmatch(r"-?\d+,\d\d", change) for change in changes.values()), changes
    assert all(re.fullmatch(r"\d+,\d\d", r[2]) for r in rows)  # "86,20" beside "89,63", never "86,2"


def test_pdf_declares_pdfa_and_carries_title_and_author(tien_lu_pdf):
    reader = PdfReader(io.BytesIO(tien_lu_pdf))
    xmp = reader.trailer["/Root"]["/Metadata"].get_object().get_data().decode()
    assert re.search(r"pdfaid:part[^0-9]{1,4}2", xmp)
    assert re.search(r"pdfaid:conformance[^A-Z]{1,4}B", xmp)
    assert reader.metadata.title.startswith("Công văn V/v Công bố kết quả đánh giá Bộ chỉ số")
    assert reader.metadata.author == "ỦY BAN NHÂN DÂN HUYỆN TIÊN LỮ"
    assert "/OutputIntents" in reader.trailer["/Root"]


# Without HarfBuzz-Subset, WeasyPrint subsets fonts with fontTools, which stamps each font with the
# current second (its "head" table): two renders a second apart differed at about byte 9,600.
@pytest.mark.needs("libharfbuzz-subset")
def test_same_inputs_give_the_same_laid_out_bytes(demo):
    dispatch = final_dispatch(legacy("328"), 2025, 2)
    data, text = dispatch_snapshot(dispatch=dispatch), pdf.dispatch_text(dispatch)
    html = pdf.document_html(data=data, text=text)
    assert pdf.html_to_pdf(html, identifier="x") == pdf.html_to_pdf(html, identifier="x")


@pytest.mark.needs("pdftoppm")
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
        "Xã Thủ Sỹ 89,63 6,96 01/15",
        "Xã Cương Chính 83,28 -2,60 15/15",
    ]:
        assert fact in text, fact
    assert "01/01" not in text  # Tiên Lữ is the only district of Hưng Yên with data: no rank "1 of 1"
    paths = save_artifacts(tien_lu_pdf, "dispatch-tien-lu-2024-08")
    assert len(paths) == len(pages_text(tien_lu_pdf)) and all(p.stat().st_size > 10_000 for p in paths)


@pytest.mark.needs("pdftoppm")
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
    # The summary appendix keeps the count's unit: "3 hồ sơ (0,08%)", not "3 (0,08%)".
    summary = [r for _n, table in table_pages(my_hao_pdf, "Biểu tổng hợp kết quả chung") for r in table]
    values = {" ".join((r[1] or "").split()): r[2] for r in summary if r[1]}
    assert values["Tỷ lệ khai thác, sử dụng lại thông tin, dữ liệu số hóa"] == "3 hồ sơ (0,08%)"
    save_artifacts(my_hao_pdf, "dispatch-my-hao-2025-02")


def test_demo_figures_are_marked_on_every_page_and_real_ones_never(tien_lu_pdf, my_hao_pdf):
    # Tiên Lữ 8/2024 measures its changes against the synthetic 7/2024 demo revision.
    tien_lu_pages = pages_text(tien_lu_pdf)
    assert all("DỮ LIỆU MINH HỌA" in page for page in tien_lu_pages), [p[:60] for p in tien_lu_pages]
    with pdfplumber.open(io.BytesIO(tien_lu_pdf)) as document:
        for page in document.pages:
            mark = page.search("DỮ LIỆU MINH HỌA")
            assert mark and mark[0]["bottom"] < 20 * MM  # in the top margin, clear of the text
    assert not any("MINH HỌA" in page for page in pages_text(my_hao_pdf))


def test_signature_block_never_stands_alone_on_a_page(demo):
    """Hưng Yên 2/2025 on main put "Nơi nhận" and the signature alone on page 2; the closing lines go with them."""
    rank_months("2025-02")
    content = final_pdf(legacy("33"), 2025, 2)
    with pdfplumber.open(io.BytesIO(content)) as document:
        page = next(p for p in document.pages if p.search("Nơi nhận:"))
        cc_top = page.search("Nơi nhận:")[0]["top"]
        closing = page.search("Trên đây là kết quả")
        assert closing and closing[0]["top"] < cc_top
        body_lines = {round(w["top"]) for w in words_outside_mark(page) if 20 * MM < w["top"] < cc_top}
        assert len(body_lines) >= 2
    save_artifacts(content, "dispatch-hung-yen-2025-02")


def test_results_of_a_unit_without_its_own_total_start_at_one(demo):
    rank_months("2025-02")
    text = flat(final_pdf(legacy("33"), 2025, 2))  # Hưng Yên has no total of its own that month
    assert "1. Kết quả cụ thể của một số nhóm, tiêu chí của các" in text
    assert "2. Kết quả cụ thể" not in text


def test_ha_noi_ranking_appendix_keeps_rows_whole_and_columns_fit(ha_noi_pdf):
    from dispatches.models import Dispatch

    from .pdfread import header_overflow

    heading = "Kết quả, xếp hạng Bộ chỉ số phục vụ người dân, doanh nghiệp của các quận"
    pages = table_pages(ha_noi_pdf, heading)
    assert len(pages) >= 2  # the 30 districts run over more than one landscape page
    rows = [r for _n, table in pages for r in table if r[0] and r[0].isdigit()]
    # Every row whole on one page: 30 of 30, each with its name, total, rank and band.
    assert [r[0] for r in rows] == [str(n) for n in range(1, 31)]
    assert all(r[1] and r[2] and r[4] and r[6] for r in rows), rows
    data = Dispatch.objects.get(unit__code="01", period__year=2024).frozen_data
    assert len(data["subordinates"]) == 30
    # "Trung bình" never wraps; "STT" stays inside its cell.
    bands = [r[6] for r in rows]
    assert "Trung bình" in bands and all("\n" not in band for band in bands)
    assert header_overflow(ha_noi_pdf, heading, 0, "STT") <= 0
    save_artifacts(ha_noi_pdf, "dispatch-ha-noi-2024-12")


def test_unit_names_in_the_attached_note_never_break_across_lines(tien_lu_pdf):
    with pdfplumber.open(io.BytesIO(tien_lu_pdf)) as document:
        notes = []
        for page in document.pages:
            lines = (page.extract_text() or "").replace("\xa0", " ").splitlines()
            notes += [
                (line, lines[n + 1] if n + 1 < len(lines) else "")
                for n, line in enumerate(lines)
                if "(Kèm theo" in line or "của UBND" in line
            ]
    assert notes
    for line, after in notes:
        joined = f"{line} {after}"
        if "UBND huyện" in joined:
            assert "UBND huyện Tiên Lữ" in line or "UBND huyện Tiên Lữ" in after, (line, after)


def test_wide_ranking_appendix_gets_a_landscape_page_and_headers_repeat(demo):
    ha_noi = ha_noi_december()
    content = final_pdf(ha_noi, 2024, 12)
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


@pytest.mark.needs("libharfbuzz-subset")  # WeasyPrint warns when it falls back to fontTools
def test_rendering_logs_no_warning(demo, caplog):
    rank_months("2025-02")
    with caplog.at_level("WARNING", logger="weasyprint"):
        final_pdf(legacy("328"), 2025, 2)
    assert [r.getMessage() for r in caplog.records if r.name.startswith("weasyprint")] == []


def test_overdue_dossiers_and_feedback_by_unit_fill_requirements_and_appendices(tien_lu):
    from indicators.models import Period

    from .factories import apply_figures, publish_months

    communes = {u.short_name: u for u in tien_lu.children.all()}
    figures = {
        "Nhật Tân": {"overdue.total": 3, "overdue.district": 1, "overdue.commune": 2, "pakn.late": 1},
        "Lệ Xá": {"overdue.total": 12, "overdue.district": 4, "overdue.commune": 8},
        "An Viên": {"pakn.not_received": 2, "pakn.late": 3},
    }
    apply_figures(
        period=Period.objects.get(year=2024, month=8),
        scope=tien_lu,
        figures={
            communes[name]: {code: {"count": n} for code, n in counts.items()} for name, counts in figures.items()
        },
        name="qua-han.xlsx",
    )
    publish_months(tien_lu, "2024-08")  # the leader republishes the month with the counts
    dispatch = final_dispatch(tien_lu, 2024, 8)
    assert "hồ sơ quá hạn đang xử lý (Lệ Xá: 12 hồ sơ, Nhật Tân: 3 hồ sơ)" in dispatch.requirements
    assert "phản ánh, kiến nghị quá hạn (An Viên: 5, Nhật Tân: 1)" in dispatch.requirements
    content = pdf.dispatch_pdf(dispatch)
    assert "Đối với số liệu về hồ sơ quá hạn được tính lũy kế" in flat(content)
    overdue = table_pages(content, "Danh sách hồ sơ quá hạn đang xử lý")
    pakn = table_pages(content, "Danh sách phản ánh, kiến nghị quá hạn")
    assert [r for r in overdue[0][1] if r[0] and r[0].isdigit()] == [
        ["1", "Xã Lệ Xá", "12", "4", "8"],
        ["2", "Xã Nhật Tân", "3", "1", "2"],
    ]
    assert [r for r in pakn[0][1] if r[0] and r[0].isdigit()] == [
        ["1", "Xã An Viên", "2", "3", "5"],
        ["2", "Xã Nhật Tân", "", "1", "1"],
    ]


def test_ha_noi_summary_keeps_the_groups_published_precision(ha_noi_pdf):
    summary = [r for _n, table in table_pages(ha_noi_pdf, "Biểu tổng hợp kết quả chung") for r in table]
    values = {" ".join((r[1] or "").split()): " ".join((r[2] or "").split()) for r in summary if r[1]}
    # Published as "6.0/10 điểm" beside "10.4/18 điểm": one decimal for every group, never "6/10".
    assert values["Thanh toán trực tuyến"] == "6,0/10 điểm" and values["Công khai, minh bạch"] == "10,4/18 điểm"
    assert values["Tỷ lệ đồng bộ hồ sơ"] == "242.300 hồ sơ (70,87%)"
    assert values["Tổng hợp"] == "62,28 điểm"


@pytest.mark.needs("pdftoppm")
def test_my_hao_reads_01_10_in_the_provinces_appendix_as_in_its_own_dispatch(demo):
    """Mỹ Hào 2/2025 publishes "01/10" (reference 003); Hưng Yên's appendix, where Mỹ Hào is the only district
    with data, once printed "1/1". Both dispatches now print the published rank in the portal's form."""
    rank_months("2025-02")
    content = final_pdf(legacy("33"), 2025, 2)
    rows = [r for _n, table in table_pages(content, "Kết quả, xếp hạng Bộ chỉ số") for r in table]
    [my_hao] = [r for r in rows if r[1] and "Mỹ Hào" in r[1]]
    assert (my_hao[1], my_hao[2], my_hao[4]) == ("Thị xã Mỹ Hào", "91,34", "01/10")
    # The districts without data follow in Vietnamese order: "Huyện Ân Thi" before "Huyện Yên Mỹ".
    names = [r[1] for r in rows if r[0] and r[0].isdigit()]
    assert names[0] == "Thị xã Mỹ Hào" and names.index("Huyện Ân Thi") < names.index("Huyện Yên Mỹ")
    assert "1/1 " not in flat(content) and "01/01" not in flat(content)


@pytest.mark.needs("pdftoppm")
def test_a_province_where_one_district_has_data_prints_no_rank_of_one(demo):
    """Hưng Yên 8/2024: only Tiên Lữ has figures; a rank among one unit ("01/01") is never printed."""
    rank_months("2024-08")
    content = final_pdf(legacy("33"), 2024, 8)
    text = flat(content)
    assert "Huyện Tiên Lữ" in text and "88,03" in text
    assert "01/01" not in text and "1/1 " not in text
    rows = [r for _n, table in table_pages(content, "Kết quả, xếp hạng Bộ chỉ số") for r in table]
    [tien_lu] = [r for r in rows if r[1] and "Tiên Lữ" in r[1]]
    assert tien_lu[4] in ("", None)
