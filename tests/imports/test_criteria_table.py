"""Phụ lục 1 of the Hà Nội dispatch (12/2024), copied as printed: rows are criteria of the city itself."""

from decimal import Decimal

import pytest
from django.core.management import call_command

from indicators.models import Indicator, Period, Score
from units.models import AdministrativeUnit

from .conftest import preview_file, xlsx_bytes

pytestmark = pytest.mark.django_db

TITLE = [
    "Phụ lục 1",
    "BIỂU TỔNG HỢP KẾT QUẢ CHUNG THÁNG 12/2024",
    "(Kèm theo văn bản số /UBND-THC ngày tháng năm 2024 của UBND thành phố Hà Nội)",
]
HEADER = ["STT", "Tiêu chí", "Tỷ trọng", "So với tháng 11/2024"]
ROWS = [
    ("1", "Tổng hợp", "62.3 điểm", "Tăng 3.21 điểm"),
    ("2", "Công khai, minh bạch", "10.4/18 điểm", "Giảm 0.2 điểm"),
    ("2.1", "Công khai đầy đủ bộ phận", "100%", None),
    ("2.2", "Tỷ lệ đồng bộ hồ sơ", "242.300 (70.87%)", "Tăng 7.28%"),
    ("2.3", "Tỷ lệ hồ sơ chưa đồng bộ", "99.613 (29.13%)", None),
    ("3", "Tiến độ giải quyết", "17.8/20 điểm", "Tăng 0.9 điểm"),
    ("3.1", "Tổng số hồ sơ quá hạn đang xử lý", "26.258 hồ sơ", None),
    ("3.2", "Đúng hạn/Trong hạn", "87.5%", None),
    ("3.3", "Quá hạn", "12.5%", None),
    ("4", "Dịch vụ công trực tuyến", "6.8/12 điểm", "Bằng điểm"),
    ("4.1", "DVC một phần", "593 TTHC (41.04%)", None),
    ("4.2", "DVC toàn trình", "155 TTHC (10.73%)", None),
    (None, "Còn lại", "697 TTHC (48.24%)", None),
    ("4.3", "Tỷ lệ nộp hồ sơ trực tuyến", "23.23%", "Tăng 1.38%"),
    ("4.4", "Tỷ lệ hồ sơ nộp trực tiếp và hình thức khác", "76.77%", None),
    ("4.5", "Tỷ lệ kết quả xử lý hồ sơ nộp trực tuyến xử lý đúng hạn", "94.8%", None),
    ("4.6", "Tỷ lệ kết quả xử lý hồ sơ nộp trực tuyến xử lý quá hạn", "5.2%", None),
    ("5", "Thanh toán trực tuyến", "6.0/10 điểm", "Tăng 1.6 điểm"),
    ("5.1", "Tỷ lệ TTHC có giao dịch thanh toán trực tuyến", "110 (52.88%)", None),
    ("5.2", "Thanh toán trực tiếp/hình thức khác", "98 (47.12%)", None),
    (
        "5.3",
        "Tỷ lệ TTHC có nghĩa vụ tài chính được cung cấp trên Cổng dịch vụ công quốc gia",
        "700 (100%)",
        None,
    ),
    ("5.4", "Tỷ lệ hồ sơ thanh toán trực tuyến", "76.790 (45.05%)", None),
    ("5.5", "Tỷ lệ hồ sơ thanh toán trực tiếp và hình thức khác", "93.647 (54.95%)", None),
    ("6", "Mức độ hài lòng", "17.5/18 điểm", "Tăng 0.7 điểm"),
    ("6.1", "Tỷ lệ hài lòng trong xử lý PAKN", "98%", None),
    ("6.2", "Tỷ lệ hài lòng trong tiếp nhận, giải quyết TTHC", "85.26%", None),
    ("7", "Số hóa hồ sơ", "10.3/22 điểm", "Tăng 1.9 điểm"),
    ("7.1", "Tỷ lệ hồ sơ cấp kết quả điện tử", "27.8%", "Tăng 5.66%"),
    ("7.2", "Tỷ lệ hồ sơ TTHC số hóa hồ sơ, kết quả giải quyết", "25.67%", "Tăng 4.34%"),
    ("7.3", "Tỷ lệ khai thác, sử dụng lại thông tin dữ liệu số hóa", "1.029.961 hồ sơ (35.01%)", "Tăng 5.37%"),
    ("7.4", "Số lượt truy vấn, khai thác tài liệu từ kho dữ liệu cá nhân", "1.004.398", "Tăng 6.566"),
]
# The catalogue code each printed row must land on, in order.
EXPECTED = [
    "total", "1", "1.1", "1.2", "1.3", "2", "2.1", "2.2", "2.3", "3", "3.1", "3.2", "3.3", "3.4", "3.5", "3.6",
    "3.7", "4", "4.1", "4.2", "4.3", "4.4", "4.5", "5", "5.1", "5.2", "6", "6.1", "6.2", "6.3", "6.4",
]  # fmt: skip


@pytest.fixture
def ha_noi(unit_tree):
    return AdministrativeUnit.objects.get(tree="legacy", level="province", name="Thành phố Hà Nội")


def test_every_printed_criterion_lands_on_its_catalogue_entry(ha_noi):
    period = Period.objects.get_or_create(year=2024, month=12)[0]
    preview = preview_file(
        data=xlsx_bytes([HEADER, *ROWS], title=TITLE), file_name="pl1.xlsx", period=period, scope=ha_noi
    )

    assert preview.errors == []
    [row] = preview.rows
    assert row.unit == ha_noi
    codes = dict(Indicator.objects.values_list("pk", "code"))
    assert [codes[pk] for pk in row.figures] == EXPECTED
    figures = {codes[pk]: m for pk, m in row.figures.items()}
    assert figures["total"] == {"points": Decimal("62.3"), "change_text": "Tăng 3.21 điểm", "change": Decimal("3.21")}
    assert figures["1"]["points"] == Decimal("10.4")
    assert figures["1.2"] == {
        "count": 242300,
        "rate": Decimal("70.87"),
        "change_text": "Tăng 7.28%",
        "change": Decimal("7.28"),
    }
    assert figures["2.1"] == {"count": 26258}
    assert figures["2.3"] == {"rate": Decimal("12.5")}
    assert figures["3.3"] == {"count": 697, "rate": Decimal("48.24")}
    assert figures["6.3"] == {
        "count": 1029961,
        "rate": Decimal("35.01"),
        "change_text": "Tăng 5.37%",
        "change": Decimal("5.37"),
    }
    assert figures["6.4"] == {"count": 1004398, "change_text": "Tăng 6.566", "change": Decimal("6566")}
    # The groups add to 68,8 while the published total is 62,3: stored as published, with a warning.
    assert any("Tổng điểm các nhóm là 68,8, khác điểm tổng hợp công bố 62,3" in str(w) for w in preview.warnings)


def test_the_cli_applies_the_criteria_table_to_the_city(ha_noi, tmp_path, capsys):
    path = tmp_path / "phu-luc-1.xlsx"
    path.write_bytes(xlsx_bytes([HEADER, *ROWS], title=TITLE))

    call_command("import_scores", str(path), "--period", "2024-12", "--scope", "Hà Nội")

    scores = Score.objects.filter(unit=ha_noi, period__year=2024, period__month=12)
    assert scores.count() == len(EXPECTED)
    assert scores.get(indicator__code="4.2").count == 98
    assert "Đã nhập lần 1 cho Thành phố Hà Nội" in capsys.readouterr().out


def test_an_unknown_criterion_is_an_error_with_its_row(ha_noi):
    period = Period.objects.get_or_create(year=2024, month=12)[0]
    rows = [HEADER, ("1", "Tổng hợp", "62.3 điểm", None), ("2", "Chỉ số không có thật", "5 điểm", None)]
    preview = preview_file(data=xlsx_bytes(rows), file_name="x.xlsx", period=period, scope=ha_noi)
    assert [str(e) for e in preview.errors] == [
        "Trang “Sheet1”, dòng 3, cột “Tiêu chí”: “Chỉ số không có thật” không khớp với chỉ số nào trong bộ chỉ số; "
        "sửa tên tiêu chí hoặc xóa dòng này."
    ]
