"""Turns a dispatch whose data is frozen into its HTML document and a signed-ready PDF/A (WeasyPrint).

Nothing here reads the database: the renderer only lays out the snapshot a service froze, so the
same snapshot and text always give the same document.
"""

import hashlib
import json
import logging
import mimetypes
import threading
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlsplit
from urllib.request import url2pathname

import tinycss2
import weasyprint
import weasyprint.html
from django.conf import settings
from django.template.loader import render_to_string
from django.utils import translation
from weasyprint.css.counters import CounterStyle
from weasyprint.urls import URLFetcher, URLFetcherResponse

from config.bulkwork import cyclic_gc_paused
from indicators.formatting import format_number

from . import wording

PDF_VARIANT = "pdf/a-2b"
TEMPLATE = "dispatches/document.html"
STYLESHEET = "css/dispatch.css"
STATIC_DIR = Path(settings.BASE_DIR) / "static"
# Files whose change must change the stored PDF's key.
_LAYOUT_FILES = [Path(settings.BASE_DIR) / "templates" / TEMPLATE, STATIC_DIR / STYLESHEET]
_FONT_FILES = sorted((STATIC_DIR / "fonts").glob("*.ttf"))
WIDE_TABLE_COLUMNS = 8


def template_version() -> str:
    """A digest of the layout (template, stylesheet, font names, WeasyPrint and wording module versions)."""
    digest = hashlib.sha256()
    for path in _LAYOUT_FILES:
        digest.update(path.read_bytes())
    digest.update(Path(wording.__file__).read_bytes())
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


def _signed(value) -> str:
    return format_number(wording.D(value)) if value is not None else ""


def _appendices(d: dict) -> list[dict]:
    month = wording.month_text(d["period"])
    previous = d.get("previous_period")
    previous_month = f"tháng {wording.month_text(previous)}" if previous else "tháng trước"
    subs = d["unit"]["subordinate_word"]
    appendices = []
    summary = wording.summary_rows(d)
    if summary:
        appendices.append(
            {
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
        )
    if d["subordinates"]:
        group_columns = d["columns"]
        wide = 6 + len(group_columns) > WIDE_TABLE_COLUMNS
        fixed = [
            {"label": "STT", "width": 5},
            {"label": "Tên cơ quan, đơn vị", "width": 0},
            {"label": "Điểm tổng hợp", "width": 8},
            {"label": f"Tăng, giảm so với {previous_month}", "width": 10},
            {"label": "Xếp hạng", "width": 7},
            {"label": "Thay đổi hạng", "width": 7},
            {"label": "Xếp loại", "width": 8},
        ]
        group_width = 6 if wide else 10
        columns = fixed + [
            {"label": f"{c['name']} ({'điểm' if c['measure'] == 'points' else '%'})", "width": group_width}
            for c in group_columns
        ]
        columns[1]["width"] = 100 - sum(c["width"] for c in columns)
        rows = []
        for n, s in enumerate(d["subordinates"], start=1):
            rank_change = s["rank_change"]
            rows.append(
                {
                    "css": "",
                    "cells": [
                        _cell(str(n), "c"),
                        _cell(s["name"], "name"),
                        _cell(_signed(s["total"]), "num"),
                        _cell(_signed(s["total_change"]), "num"),
                        _cell(s.get("rank_label", ""), "c"),
                        _cell(
                            format_number(rank_change, signed=True)
                            if rank_change
                            else ("0" if rank_change == 0 else ""),
                            "c",
                        ),
                        _cell(s["band"], "c"),
                        *[_cell(_signed(s["groups"].get(c["code"])), "num") for c in group_columns],
                    ],
                }
            )
        appendices.append(
            {
                "key": "ranking",
                "heading": f"Kết quả, xếp hạng Bộ chỉ số phục vụ người dân, doanh nghiệp của các {subs} tháng {month}",
                "wide": wide,
                "columns": columns,
                "rows": rows,
            }
        )
    if d["overdue"]:
        appendices.append(
            _count_appendix(
                key="overdue",
                heading=f"Danh sách hồ sơ quá hạn đang xử lý theo đơn vị tháng {month}",
                columns=[
                    ("Tổng số hồ sơ quá hạn", lambda r: r.get("overdue.total")),
                    ("Quá hạn cấp huyện", lambda r: r.get("overdue.district")),
                    ("Quá hạn cấp xã", lambda r: r.get("overdue.commune")),
                ],
                rows=d["overdue"],
            )
        )
    if d["pakn"]:
        appendices.append(
            _count_appendix(
                key="pakn",
                heading=f"Danh sách phản ánh, kiến nghị quá hạn theo đơn vị tháng {month}",
                columns=[
                    ("Quá hạn chưa tiếp nhận", lambda r: r.get("pakn.not_received")),
                    ("Xử lý quá hạn", lambda r: r.get("pakn.late")),
                    ("Tổng số", lambda r: (r.get("pakn.not_received") or 0) + (r.get("pakn.late") or 0)),
                ],
                rows=d["pakn"],
            )
        )
    return appendices


def _count_appendix(*, key: str, heading: str, columns: list[tuple], rows: list[dict]) -> dict:
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
                    _cell(r["name"], "name"),
                    *(_cell(format_number(value(r)), "num") for _label, value in columns),
                ],
            }
            for n, r in enumerate(rows, start=1)
        ],
    }


def document_context(
    *, data: dict, subject: str, recipients: str, legal_bases: str, requirements: str, cc: str
) -> dict:
    issuer = data["issuer"]
    issuing = " ".join(issuer["issuing_body"].split())
    return {
        "d": data,
        "issuer": issuer,
        "issuer_short": f"UBND {data['unit']['kind'].lower()} {data['unit']['short_name']}",
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


def render_key(*, data: dict, text: dict) -> str:
    """sha256 of everything the PDF depends on: the frozen data, the text and the layout version."""
    payload = json.dumps({"data": data, "text": text, "layout": template_version()}, sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(payload.encode()).hexdigest()


def document_html(*, data: dict, text: dict, stylesheet_href: str = STYLESHEET) -> str:
    # A dispatch is Vietnamese whatever language the reader of the staff pages chose.
    with translation.override("vi"):
        return render_to_string(TEMPLATE, {**document_context(data=data, **text), "stylesheet_href": stylesheet_href})


def _lean_user_agent_stylesheet() -> weasyprint.CSS:
    """WeasyPrint's HTML stylesheet without the rules that give every element a pseudo-element style.

    "::marker", "::footnote-call", "::note-call" and the like match any element, so the cascade builds
    six extra styles per element: on a 500-row appendix that is some 45,000 styles and more than half of
    the objects the render makes. A dispatch has no footnotes and its only list shows no markers; list
    markers keep their style ("li::marker"), the rest is dropped. The PDF comes out byte for byte the same.
    """
    rules = []
    for rule in tinycss2.parse_stylesheet(weasyprint.html.UA, skip_comments=True, skip_whitespace=True):
        if rule.type == "qualified-rule":
            selector = tinycss2.serialize(rule.prelude).strip()
            if selector == "::marker":
                rules.append(f"li::marker {{{tinycss2.serialize(rule.content)}}}")
                continue
            if selector.startswith("::"):
                continue
        rules.append(rule.serialize())
    # The counter styles it defines are already WeasyPrint's own; parse them into a throwaway registry.
    return weasyprint.CSS(string="\n".join(rules), counter_style=CounterStyle())


_USER_AGENT_STYLESHEET = _lean_user_agent_stylesheet()


class DispatchHTML(weasyprint.HTML):
    """An HTML document laid out with the lean user-agent stylesheet (see `_lean_user_agent_stylesheet`)."""

    def _ua_stylesheets(self, forms=False):
        return [
            _USER_AGENT_STYLESHEET if sheet is weasyprint.html.UA_STYLESHEET else sheet
            for sheet in super()._ua_stylesheets(forms)
        ]


_page_callback = threading.local()


class PageProgressHandler(logging.Handler):
    """Passes WeasyPrint's "Creating layout - Page N" lines to the callback of the render running in this thread."""

    def emit(self, record: logging.LogRecord) -> None:
        callback = getattr(_page_callback, "callback", None)
        if callback is not None and record.msg.startswith("Step 5") and record.args:
            callback(int(record.args[0]))


def expected_pages(data: dict) -> int:
    """A rough page count for progress: two pages of letter, then about 25 table rows a page."""
    rows = len(wording.summary_rows(data)) + len(data["subordinates"]) + len(data["overdue"]) + len(data["pakn"])
    return 2 + rows // 25 + sum(1 for key in ("subordinates", "overdue", "pakn") if data[key])


def html_to_pdf(
    html: str, *, identifier: str = "", extra_css: str = "", on_page: Callable[[int], None] | None = None
) -> bytes:
    """Lay out the HTML as PDF/A with fonts embedded; relative URLs resolve inside static/ only.

    WeasyPrint keeps tens of objects per table cell (styles, boxes, Pango layouts) alive until the PDF
    is written, most of them in reference cycles: the render runs with the cyclic collector paused and
    frees them in one collection when it is done (config.bulkwork).
    """
    with cyclic_gc_paused(collect_after=True):
        return _write_pdf(html, identifier=identifier, extra_css=extra_css, on_page=on_page)


def _write_pdf(html: str, *, identifier: str, extra_css: str, on_page: Callable[[int], None] | None) -> bytes:
    stylesheets = [weasyprint.CSS(string=extra_css)] if extra_css else None
    document = DispatchHTML(
        string=html, base_url=STATIC_DIR.resolve().as_uri() + "/", url_fetcher=StaticFilesOnlyFetcher()
    )
    _page_callback.callback = on_page
    try:
        return document.write_pdf(
            stylesheets=stylesheets,
            pdf_variant=PDF_VARIANT,
            # A fixed identifier keeps the bytes the same for the same inputs.
            pdf_identifier=(identifier or "dispatch").encode()[:32],
        )
    finally:
        _page_callback.callback = None


def dispatch_pdf(dispatch) -> bytes:
    """The PDF of a dispatch whose data has been frozen."""
    if dispatch.frozen_data is None:
        raise ValueError("Công văn chưa chốt số liệu: không thể tạo tệp PDF.")
    text = dispatch_text(dispatch)
    key = render_key(data=dispatch.frozen_data, text=text)
    return html_to_pdf(document_html(data=dispatch.frozen_data, text=text), identifier=key)
