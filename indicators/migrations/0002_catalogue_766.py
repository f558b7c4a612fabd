"""The Decision 766/QĐ-TTg catalogue and the default classification bands, as data.

Groups and weights: 18/20/12/10/18/22 = 100 points. Criteria follow Phụ lục 1 of the
Hà Nội dispatch 193/UBND-KSTTHC (12/2024); operational counts are those the monthly
dispatches publish beside the index. Frozen here on purpose: later revisions of the index
are new frameworks, added by an administrator or by a later migration.
"""

import datetime
from decimal import Decimal

from django.db import migrations

P, PCT, CNT, CP = "points", "percent", "count", "count_percent"
HI, LO = "higher", "lower"

# (code, name, short name, max points, header hints)
GROUPS = [
    (
        "1",
        "Công khai, minh bạch",
        "Công khai minh bạch",
        18,
        "Công khai minh bạch\nCông khai, minh bạch\nChỉ số công khai minh bạch",
    ),
    (
        "2",
        "Tiến độ giải quyết",
        "Tiến độ giải quyết",
        20,
        "Tiến độ giải quyết\nTiến độ giải quyết hồ sơ\nChỉ số tiến độ giải quyết",
    ),
    (
        "3",
        "Dịch vụ công trực tuyến",
        "DVC trực tuyến",
        12,
        "Dịch vụ công trực tuyến\nDVC trực tuyến\nChỉ số dịch vụ công trực tuyến",
    ),
    ("4", "Thanh toán trực tuyến", "Thanh toán trực tuyến", 10, "Thanh toán trực tuyến\nChỉ số thanh toán trực tuyến"),
    ("5", "Mức độ hài lòng", "Mức độ hài lòng", 18, "Mức độ hài lòng\nSự hài lòng\nChỉ số mức độ hài lòng"),
    (
        "6",
        "Số hóa hồ sơ",
        "Số hóa hồ sơ",
        22,
        "Số hóa hồ sơ\nSố hoá hồ sơ\nChỉ số số hóa hồ sơ\nChỉ số về số hóa hồ sơ",
    ),
]

# (group, code, name, measure, count unit, direction)
CRITERIA = [
    ("1", "1.1", "Công khai đầy đủ bộ phận", PCT, "", HI),
    ("1", "1.2", "Tỷ lệ đồng bộ hồ sơ", CP, "hồ sơ", HI),
    ("1", "1.3", "Tỷ lệ hồ sơ chưa đồng bộ", CP, "hồ sơ", LO),
    ("2", "2.1", "Tổng số hồ sơ quá hạn đang xử lý", CNT, "hồ sơ", LO),
    ("2", "2.2", "Tỷ lệ hồ sơ giải quyết đúng hạn, trong hạn", PCT, "", HI),
    ("2", "2.3", "Tỷ lệ hồ sơ giải quyết quá hạn", PCT, "", LO),
    ("3", "3.1", "Dịch vụ công trực tuyến một phần", CP, "TTHC", HI),
    ("3", "3.2", "Dịch vụ công trực tuyến toàn trình", CP, "TTHC", HI),
    ("3", "3.3", "TTHC còn lại (chưa cung cấp dịch vụ công trực tuyến)", CP, "TTHC", LO),
    ("3", "3.4", "Tỷ lệ nộp hồ sơ trực tuyến", PCT, "", HI),
    ("3", "3.5", "Tỷ lệ hồ sơ nộp trực tiếp và hình thức khác", PCT, "", LO),
    ("3", "3.6", "Tỷ lệ kết quả xử lý hồ sơ nộp trực tuyến xử lý đúng hạn", PCT, "", HI),
    ("3", "3.7", "Tỷ lệ kết quả xử lý hồ sơ nộp trực tuyến xử lý quá hạn", PCT, "", LO),
    ("4", "4.1", "Tỷ lệ TTHC có giao dịch thanh toán trực tuyến", CP, "TTHC", HI),
    ("4", "4.2", "TTHC thanh toán trực tiếp, hình thức khác", CP, "TTHC", LO),
    ("4", "4.3", "Tỷ lệ TTHC có nghĩa vụ tài chính được cung cấp trên Cổng Dịch vụ công quốc gia", CP, "TTHC", HI),
    ("4", "4.4", "Tỷ lệ hồ sơ thanh toán trực tuyến", CP, "hồ sơ", HI),
    ("4", "4.5", "Tỷ lệ hồ sơ thanh toán trực tiếp và hình thức khác", CP, "hồ sơ", LO),
    ("5", "5.1", "Tỷ lệ hài lòng trong xử lý phản ánh, kiến nghị", PCT, "", HI),
    ("5", "5.2", "Tỷ lệ hài lòng trong tiếp nhận, giải quyết TTHC", PCT, "", HI),
    ("6", "6.1", "Tỷ lệ hồ sơ cấp kết quả điện tử", PCT, "", HI),
    ("6", "6.2", "Tỷ lệ hồ sơ TTHC số hóa hồ sơ, kết quả giải quyết", PCT, "", HI),
    ("6", "6.3", "Tỷ lệ khai thác, sử dụng lại thông tin, dữ liệu số hóa", CP, "hồ sơ", HI),
    ("6", "6.4", "Số lượt truy vấn, khai thác tài liệu từ kho dữ liệu cá nhân", CNT, "lượt", HI),
]

# (code, name, measure, count unit, direction, header hints)
OPERATIONAL = [
    ("overdue.total", "Hồ sơ quá hạn (tổng số)", CNT, "hồ sơ", LO, "Hồ sơ quá hạn\nTổng số hồ sơ quá hạn"),
    ("overdue.district", "Hồ sơ quá hạn cấp huyện", CNT, "hồ sơ", LO, "Quá hạn cấp huyện"),
    ("overdue.commune", "Hồ sơ quá hạn cấp xã", CNT, "hồ sơ", LO, "Quá hạn cấp xã"),
    (
        "pakn.overdue",
        "Phản ánh, kiến nghị quá hạn (tổng số)",
        CNT,
        "PAKN",
        LO,
        "PAKN quá hạn\nPhản ánh kiến nghị quá hạn",
    ),
    ("pakn.not_received", "PAKN quá hạn chưa tiếp nhận", CNT, "PAKN", LO, "Quá hạn chưa tiếp nhận"),
    ("pakn.late", "PAKN xử lý quá hạn", CNT, "PAKN", LO, "Xử lý quá hạn"),
    ("dossiers.late", "Hồ sơ trễ hạn", CNT, "hồ sơ", LO, "Hồ sơ trễ hạn\nTrễ hạn"),
    (
        "copies.electronic",
        "Bản sao điện tử đã cấp (chứng thực điện tử)",
        CNT,
        "bản",
        HI,
        "Bản sao điện tử\nChứng thực điện tử",
    ),
    ("digitise.missing_inputs", "Hồ sơ chưa số hóa thành phần hồ sơ", CNT, "hồ sơ", LO, "Chưa số hóa thành phần hồ sơ"),
    ("digitise.missing_results", "Hồ sơ chưa số hóa kết quả", CNT, "hồ sơ", LO, "Chưa số hóa kết quả"),
    # The national portal ranks every unit of a level; an office that holds only its own
    # figures records the rank it was given, as published ("xếp hạng 61/63").
    ("rank.published", "Xếp hạng (theo công bố của Cổng Dịch vụ công quốc gia)", CNT, "", LO, "Xếp hạng\nThứ hạng"),
    ("rank.published_of", "Số đơn vị cùng cấp được xếp hạng (theo công bố)", CNT, "", HI, "Trên tổng số"),
]

BANDS = [
    ("Xuất sắc", Decimal("90"), "#1a7f37"),
    ("Tốt", Decimal("80"), "#2f6fbf"),
    ("Khá", Decimal("70"), "#7a5c00"),
    ("Trung bình", Decimal("50"), "#b35900"),
    ("Yếu", Decimal("0"), "#b42318"),
]


def load(apps, schema_editor):
    Framework = apps.get_model("indicators", "Framework")
    Indicator = apps.get_model("indicators", "Indicator")
    ClassificationBand = apps.get_model("indicators", "ClassificationBand")

    framework = Framework.objects.create(
        code="766-2022",
        name="Bộ chỉ số phục vụ người dân, doanh nghiệp (Quyết định 766/QĐ-TTg)",
        legal_basis="Quyết định số 766/QĐ-TTg ngày 23/6/2022 của Thủ tướng Chính phủ",
        valid_from=datetime.date(2022, 6, 23),
    )
    order = 0

    def add(**fields):
        nonlocal order
        order += 10
        return Indicator.objects.create(framework=framework, order=order, **fields)

    add(
        code="total",
        kind="total",
        name="Chỉ số tổng hợp",
        short_name="Tổng hợp",
        measure=P,
        max_points=Decimal(100),
        header_hints="Điểm tổng hợp\nChỉ số tổng hợp\nTổng điểm\nSố điểm\nTổng hợp\nĐiểm",
    )
    for code, name, short, max_points, hints in GROUPS:
        group = add(
            code=code,
            kind="group",
            name=name,
            short_name=short,
            measure=P,
            max_points=Decimal(max_points),
            header_hints=hints,
        )
        for g, c_code, c_name, measure, count_unit, direction in CRITERIA:
            if g == code:
                add(
                    code=c_code,
                    kind="criterion",
                    parent=group,
                    name=c_name,
                    measure=measure,
                    count_unit=count_unit,
                    direction=direction,
                    header_hints=c_name,
                )
    for code, name, measure, count_unit, direction, hints in OPERATIONAL:
        add(
            code=code,
            kind="operational",
            name=name,
            measure=measure,
            count_unit=count_unit,
            direction=direction,
            header_hints=hints,
        )

    for name, min_total, colour in BANDS:
        ClassificationBand.objects.create(name=name, min_total=min_total, colour=colour)


def unload(apps, schema_editor):
    apps.get_model("indicators", "Framework").objects.filter(code="766-2022").delete()
    apps.get_model("indicators", "ClassificationBand").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("indicators", "0001_initial")]
    operations = [migrations.RunPython(load, unload)]
