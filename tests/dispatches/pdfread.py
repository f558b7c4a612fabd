"""Reading a dispatch PDF back as a person would: its text, words with positions, tables, and PNG pages."""

import io
import shutil
import subprocess
from pathlib import Path

import pdfplumber
from django.conf import settings

from dispatches.services import dispatch_draft, dispatch_freeze, dispatch_render
from indicators.models import Period

from .factories import published_month

MM = 72 / 25.4
A4 = (595.28, 841.89)
ARTIFACTS = Path(settings.BASE_DIR) / "test-artifacts"


def final_dispatch(unit, year: int, month: int):
    """A leader's dispatch as the workflow makes it: the month published for the unit, then finalised."""
    period = Period.objects.get(year=year, month=month)
    published_month(unit, period)
    dispatch = dispatch_draft(unit=unit, period=period, user=None)
    return dispatch_freeze(dispatch=dispatch)


def final_pdf(unit, year: int, month: int) -> bytes:
    """The stored final PDF (with its signature fields) of the unit's dispatch for the month."""
    dispatch = dispatch_render(dispatch=final_dispatch(unit, year, month))
    with dispatch.pdf.open("rb") as stored:
        return stored.read()


def pages_text(content: bytes) -> list[str]:
    with pdfplumber.open(io.BytesIO(content)) as document:
        return [(page.extract_text() or "").replace("\xa0", " ") for page in document.pages]


def flat(content: bytes) -> str:
    return " ".join(" ".join(pages_text(content)).split())


def save_artifacts(content: bytes, name: str) -> list[Path]:
    """Keep the PDF and its pages as PNG under test-artifacts/ (git-ignored) for a person to look at."""
    ARTIFACTS.mkdir(exist_ok=True)
    target = ARTIFACTS / f"{name}.pdf"
    target.write_bytes(content)
    for old in ARTIFACTS.glob(f"{name}-*.png"):
        old.unlink()
    if shutil.which("pdftoppm") is None:  # a fresh machine without poppler-utils: the PDF alone (CI has it)
        return []
    subprocess.run(["pdftoppm", "-r", "80", "-png", str(target), str(ARTIFACTS / name)], check=True)
    return sorted(ARTIFACTS.glob(f"{name}-*.png"))


def table_pages(content: bytes, heading: str) -> list[tuple[int, list[list]]]:
    """(page number, table rows) of every page of the appendix with this heading."""
    found = []
    with pdfplumber.open(io.BytesIO(content)) as document:
        for number, _page, table in _appendix_tables(document, heading):
            found.append((number, table.extract()))
    return found


def header_overflow(content: bytes, heading: str, column: int, label: str) -> float:
    """How far (points) a header label reaches beyond its cell's borders, worst over the appendix's pages."""
    worst = -100.0
    with pdfplumber.open(io.BytesIO(content)) as document:
        for _number, page, table in _appendix_tables(document, heading):
            x0, top, x1, bottom = table.rows[0].cells[column]
            for match in page.search(label, regex=False):
                if top <= match["top"] and match["bottom"] <= bottom:
                    worst = max(worst, x0 - match["x0"], match["x1"] - x1)
    return worst


def _appendix_tables(document, heading: str):
    inside = False
    for number, page in enumerate(document.pages, start=1):
        text = " ".join((page.extract_text() or "").replace("\xa0", " ").split())
        if heading.upper() in text:
            inside = True
        elif inside and "Phụ lục" in text:
            return
        if inside:
            tables = page.find_tables()
            if tables:
                yield number, page, tables[0]
