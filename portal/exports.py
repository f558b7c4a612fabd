"""Downloads of a table exactly as the page shows it: CSV (UTF-8 with BOM for Excel), XLSX and JSON."""

import csv
import io
import json
from decimal import Decimal

from django.http import HttpResponse
from django.utils.translation import gettext as _
from openpyxl import Workbook

# A spreadsheet treats a cell that starts with one of these as a formula ("=HYPERLINK(…)").
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "|", "%")


def safe_text(value: str) -> str:
    """Text that a spreadsheet shows as text, never runs: a leading quote disarms a formula."""
    return "'" + value if value.startswith(_FORMULA_START) else value


def ranking_rows(results, *, groups, group_points) -> tuple[list[str], list[list]]:
    """Header and rows of a ranking, in the order and with the columns of the page."""
    header = [
        _("Hạng"),
        _("Trên tổng số"),
        _("Mã đơn vị"),
        _("Đơn vị"),
        _("Tổng điểm"),
        _("Thay đổi điểm"),
        _("Thay đổi hạng"),
        _("Xếp loại"),
        *[_("Nhóm %(code)s") % {"code": g.code} for g in groups],
        _("Nguồn của hạng"),
        _("Số đơn vị cùng nhóm"),
        _("Số đơn vị có số liệu"),
    ]
    rows = []
    for r in results:
        points = group_points.get(r.unit_id, {})
        rows.append(
            [
                r.rank,
                r.rank_of if r.rank else None,
                r.unit.code,
                r.unit.name,
                r.total,
                r.total_change,
                r.rank_change,
                r.band.name if r.band else "",
                *[points.get(g.code) for g in groups],
                r.get_rank_source_display() if r.rank else "",
                r.peer_count,
                r.ranked_count,
            ]
        )
    return header, rows


def _plain(value):
    if isinstance(value, Decimal):
        return float(value)
    return value


def csv_response(header, rows, *, filename: str) -> HttpResponse:
    buffer = io.StringIO()
    buffer.write("\ufeff")  # the BOM tells Excel the file is UTF-8, so the diacritics survive
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow(["" if v is None else (safe_text(v) if isinstance(v, str) else v) for v in row])
    response = HttpResponse(buffer.getvalue().encode("utf-8"), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}.csv"'
    return response


def xlsx_response(header, rows, *, filename: str, title: str) -> HttpResponse:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = title[:31]
    sheet.append(header)
    for row in rows:
        sheet.append([safe_text(v) if isinstance(v, str) else _plain(v) for v in row])
        for cell in sheet[sheet.max_row]:
            if isinstance(cell.value, str):
                cell.data_type = "s"  # never a formula, whatever the text
    sheet.freeze_panes = "A2"
    sheet.column_dimensions["D"].width = 32
    out = io.BytesIO()
    workbook.save(out)
    response = HttpResponse(
        out.getvalue(), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}.xlsx"'
    return response


def json_response(payload: dict, *, filename: str | None = None) -> HttpResponse:
    body = json.dumps(payload, ensure_ascii=False, default=_json_default, indent=1)
    response = HttpResponse(body.encode("utf-8"), content_type="application/json; charset=utf-8")
    if filename:
        response["Content-Disposition"] = f'inline; filename="{filename}.json"'
    return response


def _json_default(value):
    if isinstance(value, Decimal):
        return float(value)
    if hasattr(value, "isoformat"):
        return value.isoformat()
    raise TypeError(f"not JSON serialisable: {type(value)!r}")
