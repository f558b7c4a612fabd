"""Downloads of a table exactly as the page shows it: CSV (UTF-8 with BOM for Excel), XLSX and JSON.

Every file says what it is: the period, the time the figures were taken ("data as of") and the source
with the licence, on each row of a CSV or XLSX (a row copied elsewhere keeps them) and once in JSON.
"""

import csv
import io
import json
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from openpyxl import Workbook

from config.spreadsheets import append_text_safe, escape_row

# The default PORTAL_DATA_LICENCE (config/settings.py), marked so that the English catalogue names it.
gettext_noop("Creative Commons Ghi công 4.0 Quốc tế (CC BY 4.0)")


def licence_name() -> str:
    """The licence of the open data, in the visitor's language (a licence set in the environment is shown as set)."""
    return _(settings.PORTAL_DATA_LICENCE)


@dataclass(frozen=True)
class Provenance:
    """Where a downloaded table comes from: the page, and the licence it is published under."""

    url: str

    @property
    def source(self) -> str:
        return _("Cổng Dịch vụ công quốc gia; công bố tại %(url)s; giấy phép %(licence)s") % {
            "url": self.url,
            "licence": licence_name(),
        }

    def as_json(self) -> dict:
        return {
            "source": _("Cổng Dịch vụ công quốc gia (số liệu gốc); công bố trên cổng này"),
            "url": self.url,
            "licence": licence_name(),
            "licence_url": settings.PORTAL_DATA_LICENCE_URL,
        }


def as_of_text(as_of) -> str:
    """ "2024-09-05 12:00" in the portal's time zone (the way the dispatches state it), or "" when unknown."""
    return timezone.localtime(as_of).strftime("%Y-%m-%d %H:%M") if as_of else ""


def with_provenance(header, rows, *, periods, as_ofs, provenance: Provenance) -> tuple[list[str], list[list]]:
    """The table with more columns on every row: its period, its data-as-of time and the source.

    `periods` and `as_ofs` give one value per row (a ranking repeats the same one; a history has one per month);
    `periods` is None when the table's first column is already the month.
    """
    source = provenance.source
    extra = [_("Số liệu tính đến"), _("Nguồn")]
    if periods is None:
        return [*header, *extra], [[*row, as_of_text(as_of), source] for row, as_of in zip(rows, as_ofs, strict=True)]
    return [*header, _("Kỳ"), *extra], [
        [*row, period, as_of_text(as_of), source] for row, period, as_of in zip(rows, periods, as_ofs, strict=True)
    ]


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
    # Every cell goes through the one escaper, the header too: its names are unit names (the comparison).
    writer.writerow(escape_row(header))
    for row in rows:
        writer.writerow(escape_row("" if v is None else v for v in row))
    response = HttpResponse(buffer.getvalue().encode("utf-8"), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}.csv"'
    return response


def xlsx_response(header, rows, *, filename: str, title: str, about: list[tuple[str, str]] = ()) -> HttpResponse:
    """The table on the first sheet; `about` (label, value) pairs on a second sheet "Thông tin"."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = title[:31]
    append_text_safe(sheet, header)
    for row in rows:
        append_text_safe(sheet, [_plain(v) for v in row])
    sheet.freeze_panes = "A2"
    sheet.column_dimensions["D"].width = 32
    if about:
        info = workbook.create_sheet(_("Thông tin"))
        for label, value in about:
            append_text_safe(info, [label, value])
        info.column_dimensions["A"].width = 24
        info.column_dimensions["B"].width = 90
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
