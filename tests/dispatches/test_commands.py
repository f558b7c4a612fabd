"""`render_dispatch` and `attach_signed_dispatch`: what the leader's "chốt" and the clerk's upload do, from the
command line, naming units by code or name, refusing with the reason."""

import io

import pytest
from django.core.management import CommandError, call_command
from pypdf import PdfReader

from dispatches.models import Dispatch, SignedDispatch
from dispatches.signing import APPENDIX_FIELD, SEAL_FIELD, SIGNER_FIELD

from .factories import legacy, publish_months, rank_months
from .signing_tools import make_ca, make_signer, sign

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def text_of(path) -> str:
    return " ".join(" ".join(page.extract_text() for page in PdfReader(path).pages).split())


def test_render_dispatch_writes_the_draft_and_with_final_the_file_to_sign(demo, tmp_path):
    rank_months("2025-02")
    out = tmp_path / "my-hao.pdf"
    stdout = io.StringIO()
    call_command("render_dispatch", "--unit", "Mỹ Hào", "--period", "2025-02", "--out", str(out), stdout=stdout)
    assert "91,34/100 điểm" in text_of(out) and "Đã ghi" in stdout.getvalue()
    assert "/AcroForm" not in PdfReader(out).trailer["/Root"]  # a draft is not for signing
    assert Dispatch.objects.get(unit__code="328").status == Dispatch.Status.DRAFT

    # A final dispatch quotes published figures only: the command refuses, with the reason, until the leader
    # has published the month.
    with pytest.raises(CommandError, match="Tháng 2/2025 của Thị xã Mỹ Hào chưa được công bố"):
        call_command("render_dispatch", "--unit", "328", "--period", "2025-02", "--out", str(out), "--final")
    publish_months(legacy("328"), "2025-02")
    call_command("render_dispatch", "--unit", "328", "--period", "2025-02", "--out", str(out), "--final", stdout=stdout)
    dispatch = Dispatch.objects.get(unit__code="328")
    assert dispatch.status == Dispatch.Status.FINAL and dispatch.frozen_data is not None
    names = {str(f.get_object()["/T"]) for f in PdfReader(out).trailer["/Root"]["/AcroForm"]["/Fields"]}
    assert names == {SIGNER_FIELD, SEAL_FIELD, APPENDIX_FIELD}
    # Exactly the file the leader downloads, and the one a signed copy must extend.
    assert out.read_bytes() == dispatch.pdf.open("rb").read()


def test_render_dispatch_without_figures_exits_with_the_reason(demo, tmp_path):
    out = tmp_path / "x.pdf"
    with pytest.raises(CommandError, match="Tháng 3/2024 chưa có số liệu của Thị xã Mỹ Hào"):
        call_command("render_dispatch", "--unit", "Mỹ Hào", "--period", "2024-03", "--out", str(out), "--final")
    assert not out.exists() and not Dispatch.objects.filter(status=Dispatch.Status.FINAL).exists()


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


def test_attach_signed_dispatch_verifies_attaches_and_refuses(tien_lu, tmp_path):
    out = tmp_path / "tien-lu.pdf"
    call_command("render_dispatch", "--unit", "332", "--period", "2024-08", "--out", str(out), "--final")
    ca = make_ca()
    leader = make_signer(ca, common_name="Nguyễn Thị Tố Uyên", organization="UBND huyện Tiên Lữ")
    body = make_signer(ca, common_name="UBND huyện Tiên Lữ", organization="UBND huyện Tiên Lữ")
    once = sign(out.read_bytes(), field=SIGNER_FIELD, who=leader, ca=ca)
    signed = sign(once, field=SEAL_FIELD, who=body, ca=ca)
    tampered = tmp_path / "tampered.pdf"
    tampered.write_bytes(signed[:2000] + b"X" + signed[2001:])
    args = ["--unit", "Tiên Lữ", "--period", "2024-08", "--number", "193/UBND-VP", "--date", "2024-09-10"]
    with pytest.raises(CommandError, match="Không nhận tệp đã ký: Tệp không phải bản đã chốt"):
        call_command("attach_signed_dispatch", str(tampered), *args)
    assert not SignedDispatch.objects.exists()
    with pytest.raises(CommandError, match="--date"):
        call_command("attach_signed_dispatch", str(tampered), *args[:-1], "17/01/2025")
    good = tmp_path / "signed.pdf"
    good.write_bytes(signed)
    stdout = io.StringIO()
    call_command("attach_signed_dispatch", str(good), *args, stdout=stdout)
    assert "Nguyễn Thị Tố Uyên (UBND huyện Tiên Lữ)" in stdout.getvalue()
    assert "chưa tin cậy" in stdout.getvalue()  # no SIGNATURE_TRUST_ROOTS configured
    copy = SignedDispatch.objects.get()
    assert copy.issued_number == "193/UBND-VP" and copy.dispatch.status == Dispatch.Status.PUBLISHED
