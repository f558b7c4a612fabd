"""Digital signatures on a dispatch (pyHanko): the empty fields of Decree 30/2020 (Phụ lục I, phần II) on
the final PDF, and the verification of the copy that comes back signed.

Where the fields go is read from the rendered file itself: the template marks the places with element
ids, which WeasyPrint writes as named destinations (page and top-left corner), so the layout alone decides
and nothing here measures text.
"""

import datetime
import io
from dataclasses import asdict, dataclass
from pathlib import Path

from asn1crypto import x509
from django.conf import settings
from django.utils.translation import gettext as _
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.metadata.model import VENDOR
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.diff_analysis import DEFAULT_DIFF_POLICY, ModificationLevel, SuspiciousModification
from pyhanko.sign.fields import SigFieldSpec, append_signature_field
from pyhanko.sign.general import load_certs_from_pemder_data
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko.sign.validation.errors import SignatureValidationError
from pyhanko.sign.validation.status import SignatureCoverageLevel
from pyhanko_certvalidator import ValidationContext

MM = 72 / 25.4
# The signer's signature: centred between the signer's title and name (the template draws this box).
SIGNER_FIELD = "ChuKyNguoiKy"
SIGNER_ANCHOR = "ky-so-nguoi-ky"
SIGNER_BOX_MM = (56, 26)
# The issuing body's signature (its seal image): about a third over the signer's, on the left.
SEAL_FIELD = "ChuKyCoQuan"
SEAL_SIZE_MM = 30
# The body's signature information on the appendices of the same file: top right of their first page.
APPENDIX_FIELD = "ChuKyCoQuanPhuLuc"
APPENDIX_ANCHOR = "ky-so-phu-luc"
APPENDIX_BOX_MM = (62, 15)  # inside the top margin, right-aligned with the text
RIGHT_MARGIN_MM, TOP_OFFSET_MM = 15, 4
FIELDS = (SIGNER_FIELD, SEAL_FIELD, APPENDIX_FIELD)


@dataclass(frozen=True)
class FieldPlace:
    name: str
    page: int  # 0-based
    box: tuple[float, float, float, float]  # x1, y1, x2, y2 in PDF points from the bottom-left


def _destinations(reader: PdfFileReader) -> dict[str, list]:
    """Named destinations of the document: name → [page ref, /XYZ, left, top, zoom]."""
    found: dict[str, list] = {}

    def walk(node) -> None:
        names = node.get("/Names")
        for i in range(0, len(names or []), 2):
            found[str(names[i])] = list(names[i + 1])
        for kid in node.get("/Kids", []):
            walk(kid.get_object())

    names = reader.root.get("/Names")
    if names is not None and "/Dests" in names:
        walk(names["/Dests"])
    return found


def _page_refs(reader: PdfFileReader) -> list[tuple[int, generic.ArrayObject]]:
    """(object number, media box) of every page, in order."""
    pages = []

    def walk(node) -> None:
        for kid_ref in node["/Kids"]:
            kid = kid_ref.get_object()
            if kid["/Type"] == "/Pages":
                walk(kid)
            else:
                pages.append((kid_ref.idnum, kid["/MediaBox"]))

    walk(reader.root["/Pages"])
    return pages


def field_places(content: bytes) -> list[FieldPlace]:
    """Where the signature fields of this rendered dispatch go."""
    reader = PdfFileReader(io.BytesIO(content))
    destinations = _destinations(reader)
    pages = _page_refs(reader)
    index = {idnum: n for n, (idnum, _box) in enumerate(pages)}
    places = []
    if SIGNER_ANCHOR in destinations:
        ref, _kind, left, top = destinations[SIGNER_ANCHOR][:4]
        page = index[ref.idnum]
        width, height = SIGNER_BOX_MM[0] * MM, SIGNER_BOX_MM[1] * MM
        signer = (float(left), float(top) - height, float(left) + width, float(top))
        places.append(FieldPlace(SIGNER_FIELD, page, signer))
        side = SEAL_SIZE_MM * MM
        right = signer[0] + width / 3
        middle = (signer[1] + signer[3]) / 2
        places.append(FieldPlace(SEAL_FIELD, page, (right - side, middle - side / 2, right, middle + side / 2)))
    if APPENDIX_ANCHOR in destinations:
        ref = destinations[APPENDIX_ANCHOR][0]
        page = index[ref.idnum]
        media = [float(v) for v in pages[page][1]]
        right, top = media[2] - RIGHT_MARGIN_MM * MM, media[3] - TOP_OFFSET_MM * MM
        width, height = APPENDIX_BOX_MM[0] * MM, APPENDIX_BOX_MM[1] * MM
        places.append(FieldPlace(APPENDIX_FIELD, page, (right - width, top - height, right, top)))
    return places


def add_signature_fields(content: bytes) -> bytes:
    """The same PDF with its empty signature fields added in one incremental update (the bytes before it
    are kept as they are, so the file stays PDF/A-2b: printable widgets with an appearance, no actions)."""
    writer = IncrementalPdfFileWriter(io.BytesIO(content))
    for place in field_places(content):
        box = tuple(round(v, 2) for v in place.box)
        append_signature_field(writer, SigFieldSpec(place.name, on_page=place.page, box=box))
    # "Signatures exist, append only" from the start, as the first signature will set them: the form's flags
    # are then the same before and after signing, and any other change stands out in the verification.
    acroform = writer.root["/AcroForm"]
    acroform["/SigFlags"] = generic.NumberObject(3)
    writer.update_container(acroform)
    # pyHanko rewrites the XMP metadata with itself as producer and appends itself to the information
    # dictionary's; PDF/A (ISO 19005-2, 6.6.3) wants both to say the same, so the dictionary says it too.
    info = writer.trailer["/Info"]
    info["/Producer"] = generic.TextStringObject(VENDOR)
    writer.update_container(info)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


class SignatureRefused(ValueError):
    """A signed file the portal does not accept; the message says why, in Vietnamese."""


@dataclass(frozen=True)
class SignatureCheck:
    """What the verification found about one signature."""

    field: str
    signer: str
    signed_at: datetime.datetime
    intact: bool
    trusted: bool
    trust_problem: str
    coverage: str

    def as_json(self) -> dict:
        return {**asdict(self), "signed_at": self.signed_at.isoformat()}


@dataclass(frozen=True)
class Verification:
    signatures: list[SignatureCheck]

    @property
    def signer(self) -> SignatureCheck:
        return next(s for s in self.signatures if s.field == SIGNER_FIELD)

    @property
    def trusted(self) -> bool:
        return all(s.trusted for s in self.signatures)


def trust_roots() -> list[x509.Certificate]:
    """The CA certificates signatures are trusted against (`SIGNATURE_TRUST_ROOTS`, a PEM bundle); none if unset."""
    path = getattr(settings, "SIGNATURE_TRUST_ROOTS", "")
    if not path:
        return []
    return list(load_certs_from_pemder_data(Path(path).read_bytes()))


def _revisions(content: bytes) -> int:
    return PdfFileReader(io.BytesIO(content), strict=False).xrefs.total_revisions


def _check_prefix(*, finalised: bytes, signed: bytes) -> None:
    if not signed.startswith(b"%PDF-"):
        raise SignatureRefused(_("Tệp tải lên không phải tệp PDF."))
    if signed == finalised:
        raise SignatureRefused(_("Tệp chưa có chữ ký số nào: đây vẫn là bản cổng đã tạo để ký."))
    if not signed.startswith(finalised):
        raise SignatureRefused(
            _(
                "Tệp không phải bản đã chốt của công văn này: phần trước các chữ ký khác với tệp PDF cổng đã tạo "
                "(tệp của công văn khác, bản tạo lại, hoặc tệp đã bị sửa)."
            )
        )


def _subject(certificate: x509.Certificate) -> str:
    """ "Nguyễn Thị Tố Uyên (UBND huyện Tiên Lữ)": the certificate's holder and organisation."""
    subject = certificate.subject.native
    name = subject.get("common_name") or certificate.subject.human_friendly
    organisation = subject.get("organization_name")
    return f"{name} ({organisation})" if organisation and organisation != name else name


_TRUST_PROBLEMS = {
    "NO_CERTIFICATE_CHAIN_FOUND": "không dẫn tới chứng thư gốc nào được cấu hình là tin cậy",
    "REVOKED": "chứng thư đã bị thu hồi",
    "OUT_OF_BOUNDS_NO_POE": "chứng thư hết hạn hoặc chưa có hiệu lực",
    "EXPIRED": "chứng thư hết hạn",
    "NOT_YET_VALID": "chứng thư chưa có hiệu lực",
    "CHAIN_CONSTRAINTS_FAILURE": "chuỗi chứng thư không hợp lệ",
}


def _trust_problem(indication) -> str:
    if indication is None:
        return "không xác minh được chuỗi chứng thư"
    return _TRUST_PROBLEMS.get(indication.name, f"không xác minh được chuỗi chứng thư ({indication.name})")


def _check_signature(embedded, context: ValidationContext, base: int) -> SignatureCheck:
    name = embedded.field_name
    try:
        status = validate_pdf_signature(embedded, signer_validation_context=context)
    except (SignatureValidationError, ValueError) as error:
        raise SignatureRefused(
            _("Không kiểm tra được chữ ký số “%(name)s”: %(error)s") % {"name": name, "error": error}
        ) from None
    if not (status.intact and status.valid):
        raise SignatureRefused(
            _("Chữ ký số “%(name)s” không còn nguyên vẹn: nội dung đã bị thay đổi sau khi ký.") % {"name": name}
        )
    if embedded.signed_revision <= base:
        raise SignatureRefused(_("Chữ ký số “%(name)s” không phủ bản công văn đã chốt.") % {"name": name})
    if status.coverage not in (SignatureCoverageLevel.ENTIRE_FILE, SignatureCoverageLevel.ENTIRE_REVISION):
        raise SignatureRefused(_("Chữ ký số “%(name)s” không phủ toàn bộ văn bản.") % {"name": name})
    if status.coverage == SignatureCoverageLevel.ENTIRE_REVISION and not (
        status.modification_level is not None and status.modification_level <= ModificationLevel.FORM_FILLING
    ):
        raise SignatureRefused(_("Sau chữ ký số “%(name)s”, tệp có thay đổi khác ngoài chữ ký số.") % {"name": name})
    when = status.signer_reported_dt or (status.timestamp_validity.timestamp if status.timestamp_validity else None)
    if when is None:
        raise SignatureRefused(_("Chữ ký số “%(name)s” không ghi thời điểm ký.") % {"name": name})
    return SignatureCheck(
        field=name,
        signer=_subject(status.signing_cert),
        signed_at=when,
        intact=True,
        trusted=bool(status.trusted),
        trust_problem="" if status.trusted else _trust_problem(status.trust_problem_indic),
        coverage=status.coverage.name,
    )


def verify_signed(*, finalised: bytes, signed: bytes, roots: list[x509.Certificate] | None = None) -> Verification:
    """Check a signed copy against the final PDF it must extend; raise SignatureRefused with the reason.

    Accepted: the final PDF's bytes unchanged at the start, then only signature updates of its fields;
    every signature intact, covering the document; the signer's field signed. Trust is recorded, not
    required: an intact signature from a CA outside `roots` is kept as untrusted.
    """
    _check_prefix(finalised=finalised, signed=signed)
    reader = PdfFileReader(io.BytesIO(signed), strict=False)
    base = _revisions(finalised) - 1
    signatures = reader.embedded_signatures
    if not signatures:
        raise SignatureRefused(_("Tệp chưa có chữ ký số nào."))
    diff = DEFAULT_DIFF_POLICY.review_file(reader, base_revision=base)
    if isinstance(diff, SuspiciousModification) or diff.modification_level > ModificationLevel.FORM_FILLING:
        raise SignatureRefused(_("Sau khi cổng chốt công văn, tệp có thay đổi khác ngoài chữ ký số."))
    unknown = set(diff.changed_form_fields) - set(FIELDS)
    if unknown:
        raise SignatureRefused(
            _("Tệp có trường ký không thuộc công văn: %(fields)s.") % {"fields": ", ".join(sorted(unknown))}
        )
    context = ValidationContext(trust_roots=roots if roots is not None else trust_roots(), allow_fetching=False)
    checks = [_check_signature(embedded, context, base) for embedded in signatures]
    if SIGNER_FIELD not in {c.field for c in checks}:
        raise SignatureRefused(_("Chưa có chữ ký số của người ký tại ô chữ ký của công văn."))
    return Verification(signatures=checks)
