"""Issue 12: a file's own change column is data. The Tiên Lữ 8/2024 commune table of the reference, imported
without any earlier month, must give every change as printed (6,96 … -2,60), in the stored ranking and in
the dispatch's appendix."""

from decimal import Decimal

import pytest

from imports.services import import_commit
from indicators.models import Period
from rankings.models import RankingResult

from ..imports.conftest import TIEN_LU_ROWS, preview_file, tien_lu_xlsx
from .factories import legacy, rank_months
from .pdfread import final_pdf, flat, table_pages

pytestmark = pytest.mark.django_db
PRINTED = [(row[2], row[3]) for row in TIEN_LU_ROWS]  # total and change as the reference prints them


@pytest.fixture
def august_alone(unit_tree):
    """The reference's commune table, the only month in the database (no July to compute changes from)."""
    tien_lu = legacy("332")
    august, _ = Period.objects.get_or_create(year=2024, month=8)
    assert not Period.objects.filter(year=2024, month=7).exists()
    preview = preview_file(
        data=tien_lu_xlsx(), file_name="phu-luc.xlsx", period=august, scope=tien_lu, create_missing=True
    )
    assert preview.errors == []
    import_commit(preview=preview, file_name="phu-luc.xlsx", file_sha256="x")
    rank_months("2024-08")
    return tien_lu


def test_every_published_change_is_stored_as_printed_without_an_earlier_month(august_alone):
    rows = RankingResult.objects.filter(period_key="2024-08", public=False, scope="peer", parent=august_alone)
    changes = {r.total: r.total_change for r in rows if r.total is not None}
    assert changes == {Decimal(t.replace(",", ".")): Decimal(c.replace(",", ".")) for t, c in PRINTED}
    assert all(r.details["change_source"] == "published" for r in rows if r.total is not None)


@pytest.mark.needs("pdftoppm")
def test_the_appendix_prints_every_change_as_the_reference_does(august_alone):
    content = final_pdf(august_alone, 2024, 8)
    rows = [r for _n, t in table_pages(content, "Kết quả, xếp hạng Bộ chỉ số") for r in t if r[0] and r[0].isdigit()]
    printed = [(f"{Decimal(t.replace(',', '.')):.2f}".replace(".", ","), c) for t, c in PRINTED]
    assert [(r[2], r[3]) for r in rows[:15]] == printed
    # Xã Hải Thắng, which the dataset dates to no start, has no figures: 15 of 16 is not an official ranking.
    assert all(not r[4] for r in rows)
    assert "Không ghi hạng: chỉ 15 trong 16 đơn vị có số liệu" in flat(content)
