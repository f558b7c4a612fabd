"""Signed-ready for real: empty signature fields where Decree 30/2020 puts them, the file still PDF/A-2b; and the
signed copy verified with pyHanko, tampered ones of each kind refused with nothing stored."""

import datetime
import io
import re

import pdfplumber
import pytest
from django.core.files.storage import default_storage
from django.utils import timezone
from pypdf import PdfReader

from dispatches import pdf
from dispatches.models import Dispatch, SignedDispatch
from dispatches.services import dispatch_attach_signed, dispatch_render, dispatch_snapshot
from dispatches.signing import APPENDIX_FIELD, SEAL_FIELD, SIGNER_FIELD, SignatureRefused, verify_signed

from .factories import legacy, rank_months
from .pdfread import MM, final_dispatch, save_artifacts
from .signing_tools import make_ca, make_signer, sign

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture(scope="module")
def ca():
    return make_ca()


@pytest.fixture(scope="module")
def leader(ca):
    return make_signer(ca, common_name="Nguyễn Thị Tố Uyên", organization="UBND huyện Tiên Lữ")


@pytest.fixture(scope="module")
def body(ca):
    return make_signer(ca, common_name="UBND huyện Tiên Lữ", organization="UBND huyện Tiên Lữ")


@pytest.fixture
def finalised(tien_lu) -> tuple[Dispatch, bytes]:
    dispatch = dispatch_render(dispatch=final_dispatch(tien_lu, 2024, 8))
    with dispatch.pdf.open("rb") as stored:
        return dispatch, stored.read()


def signed_by_all(content: bytes, *, leader, body, ca) -> bytes:
    """As the signing tool does it: the leader first, then the clerk with the body's key on the seal and appendix."""
    content = sign(content, field=SIGNER_FIELD, who=leader, ca=ca)
    content = sign(content, field=SEAL_FIELD, who=body, ca=ca)
    return sign(content, field=APPENDIX_FIELD, who=body, ca=ca)


def fields(content: bytes) -> dict[str, dict]:
    reader = PdfReader(io.BytesIO(content))
    pages = {page.indirect_reference.idnum: n for n, page in enumerate(reader.pages)}
    found = {}
    for ref in reader.trailer["/Root"]["/AcroForm"]["/Fields"]:
        field = ref.get_object()
        found[str(field["/T"])] = {
            "rect": [float(v) for v in field["/Rect"]],
            "page": pages[field.raw_get("/P").idnum],
            "field": field,
        }
    return found


def test_final_pdf_has_empty_signature_fields_where_decree_30_puts_them(finalised):
    _dispatch, content = finalised
    found = fields(content)
    assert set(found) == {SIGNER_FIELD, SEAL_FIELD, APPENDIX_FIELD}
    assert all("/V" not in f["field"] and f["field"]["/FT"] == "/Sig" for f in found.values())
    signer, seal, appendix = found[SIGNER_FIELD], found[SEAL_FIELD], found[APPENDIX_FIELD]
    with pdfplumber.open(io.BytesIO(content)) as document:
        page = document.pages[signer["page"]]
        height = page.height
        title = page.search("CHÁNH VĂN PHÒNG")[0]
        name = page.search("Nguyễn Thị Tố Uyên")[0]
        x1, y1, x2, y2 = signer["rect"]
        # Between the signer's title and name (PDF y runs upwards; pdfplumber's top runs down), centred on them.
        assert height - title["bottom"] >= y2 and y1 >= height - name["top"]
        assert (x1 + x2) / 2 == pytest.approx((name["x0"] + name["x1"]) / 2, abs=3)
        assert x2 - x1 == pytest.approx(56 * MM, abs=1)
        # The seal: on the same page, over about a third of the signer's field, from the left.
        assert seal["page"] == signer["page"]
        overlap = seal["rect"][2] - x1
        assert overlap == pytest.approx((x2 - x1) / 3, abs=1) and seal["rect"][0] < x1
        # The body's signature information: top right of the first appendix page, above its first line.
        appendix_page = document.pages[appendix["page"]]
        assert "Phụ lục 1" in appendix_page.extract_text()
        assert all("Phụ lục" not in (p.extract_text() or "") for p in document.pages[: appendix["page"]])
        ax1, ay1, ax2, ay2 = appendix["rect"]
        assert ax2 == pytest.approx(appendix_page.width - 15 * MM, abs=1)
        words = [w for w in appendix_page.extract_words() if w["text"] not in ("DỮ", "LIỆU", "MINH", "HỌA")]
        first_line = min(w["top"] for w in words if w["top"] > 20 * MM - 1)
        assert height - ay1 <= first_line and ay2 <= height and ax2 - ax1 == pytest.approx(62 * MM, abs=1)


def test_fields_keep_the_file_pdfa_2b(finalised):
    dispatch, content = finalised
    data, text = dispatch_snapshot(dispatch=dispatch), pdf.dispatch_text(dispatch)
    laid_out = pdf.html_to_pdf(pdf.document_html(data=data, text=text), identifier=dispatch.render_key)
    # The fields come in one incremental update: every byte WeasyPrint wrote is kept.
    assert content.startswith(laid_out) and len(content) > len(laid_out)
    reader = PdfReader(io.BytesIO(content))
    root = reader.trailer["/Root"]
    xmp = root["/Metadata"].get_object().get_data().decode()
    assert re.search(r"pdfaid:part[^0-9]{1,4}2", xmp) and re.search(r"pdfaid:conformance[^A-Z]{1,4}B", xmp)
    # ISO 19005-2 6.6.3: the document information and the XMP metadata say the same.
    producer = re.search(r"<pdf:Producer>([^<]*)</pdf:Producer>|pdf:Producer=\"([^\"]*)\"", xmp)
    assert producer and (producer.group(1) or producer.group(2)) == reader.metadata.producer
    assert "/OutputIntents" in root and len(reader.trailer["/ID"]) == 2
    acroform = root["/AcroForm"]
    assert acroform.get("/NeedAppearances") in (None, False)  # 6.4.1: appearances are given, not generated
    assert "/AA" not in root and "/JavaScript" not in root.get("/Names", {})
    for info in fields(content).values():
        widget = info["field"]
        flags = int(widget["/F"])
        assert flags & 4 and not flags & (1 | 2 | 32)  # 6.3.2: printed, never hidden or invisible
        assert "/N" in widget["/AP"] and "/A" not in widget and "/AA" not in widget  # 6.3.3, 6.4.1
    for page in reader.pages:  # fonts still embedded
        for font in page["/Resources"]["/Font"].values():
            descriptor = font.get_object()["/DescendantFonts"][0].get_object()["/FontDescriptor"]
            assert "/FontFile2" in descriptor.get_object()


def test_signed_copy_verifies_with_each_signature_recorded(finalised, ca, leader, body):
    _dispatch, content = finalised
    signed = signed_by_all(content, leader=leader, body=body, ca=ca)
    report = verify_signed(finalised=content, signed=signed, roots=[ca.asn1])
    assert [s.field for s in report.signatures] == [SIGNER_FIELD, SEAL_FIELD, APPENDIX_FIELD]
    assert report.signer.signer == "Nguyễn Thị Tố Uyên (UBND huyện Tiên Lữ)"
    assert report.signatures[1].signer == "UBND huyện Tiên Lữ"
    assert report.trusted and all(s.intact for s in report.signatures)
    assert abs(report.signer.signed_at - timezone.now()) < datetime.timedelta(minutes=5)
    save_artifacts(signed, "signed-dispatch-tien-lu-2024-08")


def test_an_intact_signature_from_an_unknown_ca_is_recorded_as_untrusted(finalised, ca, leader, body):
    _dispatch, content = finalised
    signed = signed_by_all(content, leader=leader, body=body, ca=ca)
    report = verify_signed(finalised=content, signed=signed, roots=[make_ca("CA khác").asn1])
    assert not report.trusted and report.signer.intact
    assert report.signer.trust_problem == "không dẫn tới chứng thư gốc nào được cấu hình là tin cậy"


def test_trust_roots_come_from_the_configured_bundle(finalised, ca, leader, body, settings, tmp_path):
    _dispatch, content = finalised
    signed = signed_by_all(content, leader=leader, body=body, ca=ca)
    bundle = tmp_path / "roots.pem"
    bundle.write_bytes(make_ca("CA khác").pem + ca.pem)
    settings.SIGNATURE_TRUST_ROOTS = str(bundle)
    assert verify_signed(finalised=content, signed=signed).trusted
    settings.SIGNATURE_TRUST_ROOTS = ""
    assert not verify_signed(finalised=content, signed=signed).trusted


def _changed_byte(content: bytes, at: int) -> bytes:
    return content[:at] + bytes([content[at] ^ 0x01]) + content[at + 1 :]


def _content_added_after_signing(signed: bytes) -> bytes:
    """An incremental update after the leader's signature that rewrites the first page's text."""
    from pyhanko.pdf_utils import generic
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

    writer = IncrementalPdfFileWriter(io.BytesIO(signed))
    page_ref = writer.root["/Pages"]["/Kids"][0]
    page = page_ref.get_object()
    stream = generic.StreamObject(stream_data=b"BT /F1 12 Tf 100 700 Td (Sua noi dung) Tj ET")
    page["/Contents"] = writer.add_object(stream)
    writer.update_container(page)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


@pytest.mark.parametrize(
    ("kind", "message"),
    [
        ("unsigned", "Tệp chưa có chữ ký số nào"),
        ("byte in the finalised part", "Tệp không phải bản đã chốt của công văn này"),
        ("byte in a signed revision", "không còn nguyên vẹn"),
        ("content after a signature", "có thay đổi khác ngoài chữ ký số"),
        ("seal only", "Chưa có chữ ký số của người ký"),
        ("not a pdf", "không phải tệp PDF"),
    ],
)
def test_tampered_copies_are_refused_with_the_reason(finalised, ca, leader, body, kind, message):
    _dispatch, content = finalised
    if kind == "unsigned":
        candidate = content
    elif kind == "byte in the finalised part":
        candidate = _changed_byte(signed_by_all(content, leader=leader, body=body, ca=ca), len(content) // 2)
    elif kind == "byte in a signed revision":
        once = sign(content, field=SIGNER_FIELD, who=leader, ca=ca, reason="Ký ban hành công văn")
        reason_at = once.find(b"/Reason", len(content))
        candidate = _changed_byte(once, reason_at + 12)
    elif kind == "content after a signature":
        candidate = _content_added_after_signing(sign(content, field=SIGNER_FIELD, who=leader, ca=ca))
    elif kind == "seal only":
        candidate = sign(content, field=SEAL_FIELD, who=body, ca=ca)
    else:
        candidate = b"PK\x03\x04 not a pdf"
    with pytest.raises(SignatureRefused, match=message):
        verify_signed(finalised=content, signed=candidate, roots=[ca.asn1])


def test_a_signature_over_other_content_is_refused(finalised, ca, leader, body, demo):
    """A copy signed over a re-render of the same dispatch (other bytes) or over another dispatch's PDF."""
    dispatch, content = finalised
    data, text = dispatch_snapshot(dispatch=dispatch), pdf.dispatch_text(dispatch)
    rerendered = pdf.html_to_pdf(pdf.document_html(data=data, text=text), identifier="x", signature_fields=True)
    rank_months("2025-02")
    other = dispatch_render(dispatch=final_dispatch(legacy("328"), 2025, 2))
    with other.pdf.open("rb") as stored:
        other_content = stored.read()
    for candidate in (rerendered, other_content):
        signed = signed_by_all(candidate, leader=leader, body=body, ca=ca)
        with pytest.raises(SignatureRefused, match="Tệp không phải bản đã chốt của công văn này"):
            verify_signed(finalised=content, signed=signed, roots=[ca.asn1])


def test_attaching_stores_the_verified_copy_and_publishes_it(finalised, ca, leader, body):
    dispatch, content = finalised
    signed_bytes = signed_by_all(content, leader=leader, body=body, ca=ca)
    signed = dispatch_attach_signed(
        dispatch=dispatch, content=signed_bytes, number="193/UBND-VP", issued_on=datetime.date(2024, 9, 10)
    )
    dispatch.refresh_from_db()
    assert dispatch.status == Dispatch.Status.PUBLISHED
    assert signed.pdf.read() == signed_bytes and signed.issued_number == "193/UBND-VP"
    assert signed.signer_subject == "Nguyễn Thị Tố Uyên (UBND huyện Tiên Lữ)" and not signed.trusted
    assert [r["field"] for r in signed.report] == [SIGNER_FIELD, SEAL_FIELD, APPENDIX_FIELD]
    with pytest.raises(Exception, match="đã có bản ký số"):
        dispatch_attach_signed(
            dispatch=dispatch, content=signed_bytes, number="194/UBND-VP", issued_on=datetime.date(2024, 9, 10)
        )


def test_a_refused_copy_leaves_nothing_behind(finalised, ca, leader, body):
    dispatch, content = finalised
    tampered = _changed_byte(signed_by_all(content, leader=leader, body=body, ca=ca), 400)
    with pytest.raises(SignatureRefused):
        dispatch_attach_signed(
            dispatch=dispatch, content=tampered, number="193/UBND-VP", issued_on=datetime.date(2024, 9, 10)
        )
    dispatch.refresh_from_db()
    assert dispatch.status == Dispatch.Status.FINAL and not SignedDispatch.objects.exists()
    assert not default_storage.exists("dispatches/signed") or default_storage.listdir("dispatches/signed") == ([], [])
