"""Turns a dispatch whose data is frozen into its HTML document and a signed-ready PDF/A (WeasyPrint).

Nothing here reads the database: the renderer only lays out the snapshot a service froze, so the
same snapshot and text always give the same document.
"""

import hashlib
import json
import mimetypes
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from urllib.parse import urlsplit
from urllib.request import url2pathname

import weasyprint
from django.conf import settings
from django.template.loader import render_to_string
from django.utils import translation
from weasyprint.urls import URLFetcher, URLFetcherResponse

from config.bulkwork import cyclic_gc_paused
from indicators.formatting import column_decimals, format_number

from . import signing, wording
from .snapshot import OVERDUE_ROLES, PAKN_ROLES, CountRow, DispatchData, RankedUnit

PDF_VARIANT = "pdf/a-2b"
TEMPLATE = "dispatches/document.html"
STYLESHEET = "css/dispatch.css"
STATIC_DIR = Path(settings.BASE_DIR) / "static"
# Files whose change must change the stored PDF's key.
_LAYOUT_FILES = [Path(settings.BASE_DIR) / "templates" / TEMPLATE, STATIC_DIR / STYLESHEET]
_FONT_FILES = sorted((STATIC_DIR / "fonts").glob("*.ttf"))
WIDE_TABLE_COLUMNS = 8
NBSP = "\u00a0"
DEMO_MARK = "DỮ LIỆU MINH HỌA"

# Coarse stages of a render, in order, for the progress a leader watches (no log reading needed).
STAGE_LAYOUT, STAGE_WRITE, STAGE_FIELDS = "layout", "write", "fields"


def template_version() -> str:
    """A digest of the layout (template, stylesheet, fonts, renderer and signing modules, WeasyPrint version)."""
    digest = hashlib.sha256()
    for path in _LAYOUT_FILES:
        digest.update(path.read_bytes())
    for module in (wording, signing):
        digest.update(Path(module.__file__).read_bytes())
    digest.update(Path(__file__).read_bytes())
    digest.update("|".join(p.name for p in _FONT_FILES).encode())
    digest.update(f"{weasyprint.__version__}|{PDF_VARIANT}".encode())
    return digest.hexdigest()[:16]


class RefusedResource(ValueError):
    """A document asked for a resource outside the portal's own static files."""


class StaticFilesOnlyFetcher(URLFetcher):
    """Lets WeasyPrint read files under static/ and nothing else: no network, no other file on the machine."""

    def __init__(self, root: Path = STATIC_DIR):
        super().__init__(allowed_protocols=["file"], fail_on_errors=True)
        self.root = root.resolve()

    def fetch(self, url, headers=None):
        parts = urlsplit(url)
        if parts.scheme != "file" or parts.netloc not in ("", "localhost"):
            raise RefusedResource(f"Không được tải tài nguyên ngoài thư mục static của cổng: {url}")
        path = Path(url2pathname(parts.path)).resolve()
        if not path.is_relative_to(self.root) or not path.is_file():
            raise RefusedResource(f"Không được tải tài nguyên ngoài thư mục static của cổng: {url}")
        content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        return URLFetcherResponse(url, path.read_bytes(), {"Content-Type": content_type})


def _text_lines(text: str) -> list[str]:
    return [line.strip().lstrip("-").strip() for line in text.splitlines() if line.strip()]


def _cell(text, css: str = "") -> dict:
    return {"text": "" if text is None else text, "css": css}


def _column(values: list[Decimal | None]) -> list[str]:
    """A numeric column formatted at one precision, the one it was published with."""
    decimals = column_decimals(values)
    return [format_number(v, decimals) if v is not None else "" for v in values]


def _summary_appendix(d: DispatchData, month: str, previous_month: str) -> dict | None:
    summary = wording.summary_rows(d)
    if not summary:
        return None
    return {
        "key": "summary",
        "heading": f"Biểu tổng hợp kết quả chung tháng {month}",
        "wide": False,
        "columns": [
            {"label": "STT", "width": 8},
            {"label": "Tiêu chí", "width": 47},
            {"label": "Kết quả", "width": 22},
            {"label": f"So với {previous_month}", "width": 23},
        ],
        "rows": [
            {
                "css": r["level"],
                "cells": [
                    _cell(r["no"], "c"),
                    _cell(r["name"], "name"),
                    _cell(r["value"], "c"),
                    _cell(r["change"], "c"),
                ],
            }
            for r in summary
        ],
    }


def _rank_change(value: int | None) -> str:
    if value is None:
        return ""
    return format_number(value, signed=True) if value else "0"


def _ranking_appendix(*, key: str, heading: str, units: list[RankedUnit], d: DispatchData, previous_month: str):
    """The stored peer ranking of subordinate units, with their groups beside it; wide tables turn landscape."""
    group_columns = d.columns
    wide = 6 + len(group_columns) > WIDE_TABLE_COLUMNS
    # Widths fit their content: "STT" and "Trung bình" each on one line at the table's font size.
    fixed = [
        {"label": "STT", "width": 5 if wide else 7},
        {"label": "Tên cơ quan, đơn vị", "width": 0},
        {"label": "Điểm tổng hợp", "width": 7 if wide else 9},
        {"label": f"Tăng, giảm so với {previous_month}", "width": 8 if wide else 11},
        {"label": "Xếp hạng", "width": 6 if wide else 8},
        {"label": "Thay đổi hạng", "width": 6 if wide else 8},
        {"label": "Xếp loại", "width": 9 if wide else 14},
    ]
    group_width = 6 if wide else 10
    columns = fixed + [
        {"label": f"{c.name} ({'điểm' if c.measure == 'points' else '%'})", "width": group_width} for c in group_columns
    ]
    columns[1]["width"] = 100 - sum(c["width"] for c in columns)
    totals = _column([u.total for u in units])
    changes = _column([u.total_change for u in units])
    groups = {c.code: _column([u.groups.get(c.code) for u in units]) for c in group_columns}
    rows = []
    for n, u in enumerate(units):
        rows.append(
            {
                "css": "",
                "cells": [
                    _cell(str(n + 1), "c"),
                    _cell(u.unit.name, "name"),
                    _cell(totals[n], "num"),
                    _cell(changes[n], "num"),
                    _cell(u.rank_label, "c"),
                    _cell(_rank_change(u.rank_change), "c"),
                    _cell(u.band, "c band"),
                    *[_cell(groups[c.code][n], "num") for c in group_columns],
                ],
            }
        )
    note = d.ranking_note if key == "ranking" else ""
    return {"key": key, "heading": heading, "note": note, "wide": wide, "columns": columns, "rows": rows}


def _count_appendix(*, key: str, heading: str, columns: list[tuple], rows: list[CountRow]) -> dict:
    """An appendix listing units with three counts each (overdue dossiers, overdue PAKN)."""
    return {
        "key": key,
        "heading": heading,
        "wide": False,
        "columns": [
            {"label": "STT", "width": 8},
            {"label": "Tên cơ quan, đơn vị", "width": 47},
            *({"label": label, "width": 15} for label, _value in columns),
        ],
        "rows": [
            {
                "css": "",
                "cells": [
                    _cell(str(n), "c"),
                    _cell(r.unit.name, "name"),
                    *(_cell(format_number(value(r)), "num") for _label, value in columns),
                ],
            }
            for n, r in enumerate(rows, start=1)
        ],
    }


def _appendices(d: DispatchData) -> list[dict]:
    month = d.period.text
    previous_month = f"tháng {d.previous_period.text}"
    appendices = [_summary_appendix(d, month, previous_month)]
    if d.subordinates:
        appendices.append(
            _ranking_appendix(
                key="ranking",
                heading=f"Kết quả, xếp hạng Bộ chỉ số phục vụ người dân, doanh nghiệp của các {d.subordinate_word} "
                f"tháng {month}",
                units=d.subordinates,
                d=d,
                previous_month=previous_month,
            )
        )
    if d.departments:
        appendices.append(
            _ranking_appendix(
                key="departments",
                heading=f"Kết quả, xếp hạng Bộ chỉ số phục vụ người dân, doanh nghiệp của các sở, ban, ngành "
                f"tháng {month}",
                units=d.departments,
                d=d,
                previous_month=previous_month,
            )
        )
    total, district, commune = OVERDUE_ROLES
    if d.overdue:
        appendices.append(
            _count_appendix(
                key="overdue",
                heading=f"Danh sách hồ sơ quá hạn đang xử lý theo đơn vị tháng {month}",
                columns=[
                    ("Tổng số hồ sơ quá hạn", lambda r: r.get(total)),
                    ("Quá hạn cấp huyện", lambda r: r.get(district)),
                    ("Quá hạn cấp xã", lambda r: r.get(commune)),
                ],
                rows=d.overdue,
            )
        )
    not_received, late = PAKN_ROLES
    if d.pakn:
        appendices.append(
            _count_appendix(
                key="pakn",
                heading=f"Danh sách phản ánh, kiến nghị quá hạn theo đơn vị tháng {month}",
                columns=[
                    ("Quá hạn chưa tiếp nhận", lambda r: r.get(not_received)),
                    ("Xử lý quá hạn", lambda r: r.get(late)),
                    ("Tổng số", lambda r: r.sum(PAKN_ROLES)),
                ],
                rows=d.pakn,
            )
        )
    return [a for a in appendices if a is not None]


def document_context(
    *, data: DispatchData, subject: str, recipients: str, legal_bases: str, requirements: str, cc: str
) -> dict:
    issuer = data.issuer
    issuing = " ".join(issuer.issuing_body.split())
    return {
        "d": data,
        "issuer": issuer,
        # A unit's name never breaks across lines in "(Kèm theo …)": "Tiên / Lữ" reads as two words.
        "issuer_short": NBSP.join(f"UBND {data.unit.kind.lower()} {data.unit.short_name}".split()),
        "title": f"Công văn V/v {subject}",
        "author": issuing,
        "subject": subject,
        "recipients": _text_lines(recipients),
        "legal_bases": _text_lines(legal_bases),
        "results": wording.results_lines(data),
        "as_of_note": wording.as_of_note(data),
        "requirements": [line.strip() for line in requirements.splitlines() if line.strip()],
        "closing": wording.closing(data),
        "cc": _text_lines(cc),
        "appendices": _appendices(data),
        "demo_mark": DEMO_MARK if data.uses_demo else "",
        "signer_box": signing.SIGNER_BOX_MM,
        "signer_anchor": signing.SIGNER_ANCHOR,
        "appendix_anchor": signing.APPENDIX_ANCHOR,
    }


def dispatch_text(dispatch) -> dict:
    """The editable text of a dispatch, as the keyword arguments of `document_context`."""
    return {
        "subject": dispatch.subject,
        "recipients": dispatch.recipients,
        "legal_bases": dispatch.legal_bases,
        "requirements": dispatch.requirements,
        "cc": dispatch.cc,
    }


def render_key(*, data: DispatchData, text: dict) -> str:
    """sha256 of everything the PDF depends on: the frozen data, the text and the layout version."""
    payload = json.dumps(
        {"data": data.to_json(), "text": text, "layout": template_version()}, sort_keys=True, ensure_ascii=False
    )
    return hashlib.sha256(payload.encode()).hexdigest()


def document_html(*, data: DispatchData, text: dict, stylesheet_href: str = STYLESHEET, style_nonce: str = "") -> str:
    """The dispatch as HTML; `style_nonce` lets a browser's content security policy admit its one style block."""
    # A dispatch is Vietnamese whatever language the reader of the staff pages chose.
    with translation.override("vi"):
        context = {
            **document_context(data=data, **text),
            "stylesheet_href": stylesheet_href,
            "style_nonce": style_nonce,
        }
        return render_to_string(TEMPLATE, context)


def html_to_pdf(
    html: str,
    *,
    identifier: str = "",
    extra_css: str = "",
    signature_fields: bool = False,
    on_stage: Callable[[str], None] | None = None,
) -> bytes:
    """Lay out the HTML as PDF/A with fonts embedded; relative URLs resolve inside static/ only. With
    `signature_fields`, the empty signature fields of Decree 30 are added in an incremental update.

    WeasyPrint keeps tens of objects per table cell (styles, boxes, Pango layouts) alive until the PDF
    is written, most of them in reference cycles: the render runs with the cyclic collector paused and
    frees them in one collection when it is done (config.bulkwork).
    """
    stage = on_stage or (lambda _name: None)
    with cyclic_gc_paused(collect_after=True):
        content = _lay_out(html, identifier=identifier, extra_css=extra_css, stage=stage)
        if signature_fields:
            stage(STAGE_FIELDS)
            content = signing.add_signature_fields(content)
    return content


def _lay_out(html: str, *, identifier: str, extra_css: str, stage: Callable[[str], None]) -> bytes:
    """Layout (WeasyPrint's `render`), then the PDF (`write_pdf`): the two coarse stages of a render. The laid
    out document is dropped on return, before the collection that frees it."""
    stage(STAGE_LAYOUT)
    document = weasyprint.HTML(
        string=html, base_url=STATIC_DIR.resolve().as_uri() + "/", url_fetcher=StaticFilesOnlyFetcher()
    ).render(stylesheets=[weasyprint.CSS(string=extra_css)] if extra_css else None)
    stage(STAGE_WRITE)
    # A fixed identifier keeps the bytes the same for the same inputs.
    return document.write_pdf(pdf_variant=PDF_VARIANT, pdf_identifier=(identifier or "dispatch").encode()[:32])


def dispatch_pdf(dispatch, *, on_stage: Callable[[str], None] | None = None) -> bytes:
    """The final PDF of a dispatch whose data has been frozen, with its empty signature fields."""
    if dispatch.frozen_data is None:
        raise ValueError("Công văn chưa chốt số liệu: không thể tạo tệp PDF.")
    data = DispatchData.from_json(dispatch.frozen_data)
    text = dispatch_text(dispatch)
    key = render_key(data=data, text=text)
    return html_to_pdf(document_html(data=data, text=text), identifier=key, signature_fields=True, on_stage=on_stage)
