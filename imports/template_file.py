"""The XLSX template staff download for their scope: the month's units filled in, columns the importer maps by itself."""

import io

import openpyxl
from django.utils.translation import gettext as _
from openpyxl.styles import Alignment, Font

from config.spreadsheets import append_text_safe
from indicators.models import Indicator, IndicatorKind
from indicators.periods import PeriodSpan
from indicators.selectors import framework_for
from units.collation import by_name
from units.models import AdministrativeUnit


def template_headers(*, period: PeriodSpan) -> list[str]:
    """The columns of the template: the unit, the total and its change, then each group of the month's
    catalogue by points and by rate (named as the importer recognises them)."""
    framework = framework_for(day=period.last_day)
    groups = Indicator.objects.filter(framework=framework, kind=IndicatorKind.GROUP).order_by("order")
    headers = ["STT", "Mã đơn vị", "Tên đơn vị", "Điểm tổng hợp", "Điểm tổng hợp tăng hoặc giảm so với tháng trước"]
    headers += [f"{g.name} (điểm)" for g in groups]
    headers += [f"{g.name} (tỷ lệ %)" for g in groups]
    return headers


def template_xlsx(*, scope: AdministrativeUnit, period: PeriodSpan) -> bytes:
    units = AdministrativeUnit.objects.filter(parent=scope).valid_in(period)
    workbook = openpyxl.Workbook()
    ws = workbook.active
    ws.title = _("Số liệu")
    # Unit names come from files and the admin: every row goes through the one formula escaper.
    append_text_safe(
        ws, [_("KẾT QUẢ BỘ CHỈ SỐ PHỤC VỤ NGƯỜI DÂN, DOANH NGHIỆP THÁNG %(period)s") % {"period": period.short_label}]
    )
    append_text_safe(ws, [_("Phạm vi: %(scope)s (mã %(code)s)") % {"scope": scope.name, "code": scope.code}])
    append_text_safe(
        ws, [_("Ghi số như trên Cổng Dịch vụ công quốc gia: 88,03 hoặc 88.03; tỷ lệ 70,87%. Không sửa cột mã đơn vị.")]
    )
    ws.append([])
    append_text_safe(ws, template_headers(period=period))
    for cell in ws[5]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    for number, unit in enumerate(units.order_by(by_name()), start=1):
        append_text_safe(ws, [number, unit.code, unit.name])
    for column, width in zip("ABCDE", (6, 12, 32, 14, 18), strict=True):
        ws.column_dimensions[column].width = width
    ws.freeze_panes = "D6"
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
