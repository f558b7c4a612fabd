"""`manage.py render_dispatch` writes the same PDF the leader downloads, naming units by code or name."""

import io

import pytest
from django.core.management import CommandError, call_command
from pypdf import PdfReader

from dispatches import pdf
from dispatches.models import Dispatch
from dispatches.services import dispatch_freeze
from publishing.services import publication_publish

pytestmark = pytest.mark.django_db


def test_render_dispatch_by_name_writes_the_final_dispatch_pdf(demo, tmp_path):
    out = tmp_path / "my-hao.pdf"
    stdout = io.StringIO()
    call_command("render_dispatch", "--unit", "Mỹ Hào", "--period", "2025-02", "--out", str(out), stdout=stdout)
    text = " ".join(page.extract_text() for page in PdfReader(out).pages)
    assert "91,34/100 điểm" in " ".join(text.split())
    assert "Đã ghi" in stdout.getvalue()
    # Once published and final, the command renders exactly the file the leader downloads.
    dispatch = Dispatch.objects.get(unit__code="328", period__year=2025)
    publication_publish(period=dispatch.period, scope=dispatch.unit)
    dispatch = dispatch_freeze(dispatch=dispatch)
    call_command("render_dispatch", "--unit", "328", "--period", "2025-02", "--out", str(out), stdout=io.StringIO())
    assert out.read_bytes() == pdf.dispatch_pdf(dispatch)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--unit", "Không Có Nơi Này", "--period", "2024-08"], "--unit: Không tìm thấy đơn vị"),
        (["--unit", "Tiên Lữ", "--period", "2024-13"], "--period: Kỳ “2024-13” không hợp lệ"),
    ],
)
def test_render_dispatch_explains_bad_arguments(demo, tmp_path, args, message):
    with pytest.raises(CommandError, match=message):
        call_command("render_dispatch", *args, "--out", str(tmp_path / "x.pdf"))
    assert not (tmp_path / "x.pdf").exists()
