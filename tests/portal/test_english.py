"""The English interface is complete: no Vietnamese left on an English page, outside names and data.

A page's text (what is shown, and the labels assistive technology reads: alt, aria-label, title,
placeholder) is searched for Vietnamese letters (ă, ơ, đ, tone marks …) once the names and data it
may quote are taken out: unit names, the catalogue's indicator names, import sources, and document
numbers such as "766/QĐ-TTg". Elements marked lang="vi" (the language switch, a dispatch's text) are
Vietnamese on purpose. Staff pages are checked the same way, where they may also quote the uploaded file.
"""

import re
from html.parser import HTMLParser

import pytest
from django.contrib.auth import get_user_model

from accounts.models import Role, UnitAssignment
from dispatches.services import dispatch_draft
from imports.models import ImportBatch
from indicators.models import Framework, ImportRevision, Indicator, Period
from units.models import AdministrativeUnit

from ..imports.conftest import TIEN_LU_HEADERS, TIEN_LU_ROWS, TIEN_LU_TITLE, tien_lu_xlsx

pytestmark = pytest.mark.django_db

VIETNAMESE = re.compile("[àáảãạăằắẳẵặâầấẩẫậđèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữựỳýỷỹỵ]", re.IGNORECASE)
DOCUMENT_NUMBER = re.compile(r"\d+/[0-9A-ZĐ]+(?:-[0-9A-ZĐa-z]+)+")  # 766/QĐ-TTg, 30/2020/NĐ-CP
LABELS = ("alt", "aria-label", "title", "placeholder")


class _Text(HTMLParser):
    """Visible text and accessible labels, without <script>/<style> and without elements marked lang="vi"."""

    VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.stack: list[tuple[str, bool]] = []  # (tag, hidden)

    def _hidden(self) -> bool:
        return any(hidden for _tag, hidden in self.stack)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        hidden = tag in ("script", "style") or attrs.get("lang") == "vi" or attrs.get("hreflang") == "vi"
        if not hidden and not self._hidden():
            self.parts += [attrs[a] for a in LABELS if attrs.get(a)]
            if tag == "input" and attrs.get("type") in ("submit", "button") and attrs.get("value"):
                self.parts.append(attrs["value"])
        if tag not in self.VOID:
            self.stack.append((tag, hidden))

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag not in self.VOID:
            self.stack.pop()

    def handle_endtag(self, tag):
        while self.stack:
            if self.stack.pop()[0] == tag:
                break

    def handle_data(self, data):
        if not self._hidden() and data.strip():
            self.parts.append(data)


def _names_and_data() -> list[str]:
    """What an English page quotes as it is, longest first (so "Xã Thủ Sỹ" goes before "Thủ Sỹ")."""
    names = set()
    for name, short in AdministrativeUnit.objects.values_list("name", "short_name"):
        names.update(n for n in (name, short) if n)
    for name, short in Indicator.objects.values_list("name", "short_name"):
        names.update(n for n in (name, short) if n)
    for framework in Framework.objects.all():
        names.update(n for n in (framework.name, framework.legal_basis) if n)
    names.update(s for s in ImportRevision.objects.values_list("source", flat=True) if s)
    return sorted(names, key=len, reverse=True)


def _leftovers(html: str, names: list[str]) -> list[str]:
    parser = _Text()
    parser.feed(html)
    text = "\n".join(parser.parts)
    for name in names:
        text = text.replace(name, " ")
    text = DOCUMENT_NUMBER.sub(" ", text)
    return sorted({line.strip() for line in text.splitlines() if VIETNAMESE.search(line)})


@pytest.fixture
def english(client):
    client.cookies["django_language"] = "en"
    return client


PAGES = [
    "/",
    "/xep-hang/?parent=legacy.332&level=commune&period=2024-08",
    "/xep-hang/?parent=legacy.332&level=commune&period=2024-Q2",
    "/xep-hang/?parent=all",
    "/don-vi/legacy/332/",
    "/don-vi/legacy/12367/",
    "/don-vi/legacy/12367/?period=2024-07",
    "/don-vi/legacy/12364/",
    "/don-vi/legacy/332/bang-diem/",
    "/so-sanh/?u=legacy.12367&u=legacy.12346",
    "/so-sanh/?q=thu+sy",
    "/ban-do/?parent=legacy.332&period=2024-08",
    "/phuong-phap/?period=2024-08",
    "/du-lieu-mo/",
    "/tim-kiem/?q=tien+lu",
    "/tim-kiem/?q=khong+co+dau",
    "/nhung/don-vi/legacy/332/",
    "/nhung/xep-hang/legacy/332/",
    "/tai-khoan/login/",
    "/tai-khoan/password_reset/",
]


@pytest.mark.parametrize("url", PAGES)
def test_english_page_has_no_vietnamese_outside_names_and_data(english, all_published, url):
    response = english.get(url)
    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="en">' in html
    assert _leftovers(html, _names_and_data()) == []


@pytest.mark.parametrize(
    ("url", "status", "heading"),
    [
        ("/don-vi/legacy/999999/", 404, "Page not found"),
        ("/xep-hang/?parent=legacy.332&period=2030-01", 404, "Page not found"),
        ("/xep-hang/?period=banana", 400, "Bad request"),
    ],
)
def test_english_error_pages_have_no_vietnamese(english, all_published, url, status, heading):
    response = english.get(url)
    assert response.status_code == status
    html = response.content.decode()
    assert heading in html and "Back to the home page" in html
    assert _leftovers(html, _names_and_data()) == []


def test_english_forbidden_page_gives_the_reason_in_english(english, all_published):
    clerk = get_user_model().objects.create_user("canbo-en", password="x")
    UnitAssignment.objects.create(user=clerk, unit=all_published, role=Role.STAFF)
    english.force_login(clerk)
    response = english.post(f"/cong-bo/{all_published.pk}/2024-08/cong-bo/")
    assert response.status_code == 403
    assert "Access denied" in response.content.decode()


def test_the_check_finds_vietnamese_it_should(all_published):
    """The check itself: an untranslated phrase is caught, a name or a document number is not."""
    names = _names_and_data()
    assert _leftovers("<p>Ranked 1/15 in Huyện Tiên Lữ under 766/QĐ-TTg</p>", names) == []
    assert _leftovers("<p>Figures as of 12h00 ngày 05/09/2024</p>", names) == ["Figures as of 12h00 ngày 05/09/2024"]
    assert _leftovers('<a href="/" aria-label="Bỏ Xã Thủ Sỹ">x</a>', names) == ["Bỏ"]
    assert _leftovers('<a lang="vi" href="/">Tiếng Việt</a>', names) == []


# What the import wizard quotes from the uploaded file (its title, headers and unit names, as the clerk wrote them).
FILE_TEXT = [
    text
    for text in (*TIEN_LU_TITLE, *TIEN_LU_HEADERS, *(cell for row in TIEN_LU_ROWS for cell in row))
    if VIETNAMESE.search(text)
]


@pytest.fixture
def eager_tasks():
    """Imports and PDFs run in the request, as without a broker (a staff page shows their outcome)."""
    from config.celery import app

    eager = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = eager


def _staff(client, unit, role, username):
    user = get_user_model().objects.create_user(username, password="x")
    UnitAssignment.objects.create(user=user, unit=unit, role=role)
    client.force_login(user)
    return user


class _Pages:
    """Fetches staff pages in English and keeps, per page, what was left in Vietnamese."""

    def __init__(self, client):
        self.client = client
        self.names = sorted({*_names_and_data(), *FILE_TEXT}, key=len, reverse=True)
        self.leftovers: dict[str, list[str]] = {}

    def check(self, response, label: str) -> str:
        assert response.status_code == 200, (label, response.status_code)
        html = response.content.decode()
        assert '<html lang="en">' in html, label
        found = _leftovers(html, self.names)
        if found:
            self.leftovers[label] = found
        return html

    def get(self, url: str) -> str:
        return self.check(self.client.get(url), url)

    def post(self, url: str, data=None) -> str:
        return self.check(self.client.post(url, data or {}, follow=True), f"POST {url}")


def test_english_import_wizard_has_no_vietnamese_outside_names_and_data(english, all_published, eager_tasks):
    import re

    from django.core.files.uploadedfile import SimpleUploadedFile

    _staff(english, all_published, Role.STAFF, "canbo-en")
    pages = _Pages(english)
    assert "Monthly import of figures" in pages.get("/nhap-lieu/")
    assert "Upload a data file" in pages.get("/nhap-lieu/tai-len/")
    upload = {"period": "2024-08", "scope": "Huyện Tiên Lữ", "data_as_of": "2024-09-05T12:00"}
    response = english.post("/nhap-lieu/tai-len/", {**upload, "file": SimpleUploadedFile("t8.xlsx", tien_lu_xlsx())})
    assert response.status_code == 302
    batch = ImportBatch.objects.get()
    html = pages.get(f"/nhap-lieu/{batch.pk}/ghep-cot/")
    assert "the column headers are on row 5" in html
    chosen = {}
    for name, options in re.findall(r'<select id="(col-\d+)" name="col-\d+">(.*?)</select>', html, re.S):
        selected = re.search(r'<option value="([^"]*)" selected>', options)
        chosen[name] = selected.group(1) if selected else ""
    english.post(f"/nhap-lieu/{batch.pk}/ghep-cot/", chosen)
    assert "Every row has been matched to a unit." in pages.get(f"/nhap-lieu/{batch.pk}/don-vi/")
    english.post(f"/nhap-lieu/{batch.pk}/don-vi/")
    html = pages.get(f"/nhap-lieu/{batch.pk}/xem-truoc/")
    assert "Nothing has been written yet." in html
    base = re.search(r'name="base_revision" value="([^"]*)"', html).group(1)
    html = pages.post(f"/nhap-lieu/{batch.pk}/ghi/", {"base_revision": base})
    assert "Next step:" in html
    revisions = f"/nhap-lieu/lich-su/{all_published.pk}/2024-08/"
    assert "Imports of figures" in pages.get(revisions)
    assert "Differences between import 1 and import 2" in pages.get(f"{revisions}?a=1&b=2")
    assert pages.leftovers == {}


def _correct_thu_sy(scope):
    """A clerk's correction of Thủ Sỹ's August total after publication: an unpublished change."""
    import datetime
    from decimal import Decimal

    from indicators.selectors import framework_for, total_indicator
    from indicators.services import Value, revision_apply

    thu_sy = AdministrativeUnit.objects.get(tree="legacy", code="12367")
    return revision_apply(
        period=Period.objects.get(year=2024, month=8),
        scope=scope,
        values=[
            Value(unit_id=thu_sy.pk, indicator_id=total_indicator(framework=framework_for()).pk, points=Decimal("90.5"))
        ],
        file_name="sua-t8.xlsx",
        file_sha256="ab",
        data_as_of=datetime.datetime(2024, 9, 20, 12, tzinfo=datetime.UTC),
        user=None,
    )


def test_english_publication_desk_and_log_have_no_vietnamese_outside_names_and_data(english, all_published):
    _correct_thu_sy(all_published)
    scope = all_published.pk
    _staff(english, all_published, Role.STAFF, "canbo-en")
    pages = _Pages(english)
    assert "Leader publishes" in pages.get("/cong-bo/")
    assert "A leader reviews and publishes; this account can only preview." in pages.get(
        f"/cong-bo/{scope}/2024-08/xem-lai/"
    )

    _staff(english, all_published, Role.LEADER, "lanhdao-en")
    html = pages.get("/cong-bo/")
    assert "Has unpublished changes" in html and "Review and republish" in html
    html = pages.get(f"/cong-bo/{scope}/2024-08/xem-lai/")
    assert "Differences from the published version" in html and ">Republish</button>" in html
    assert "Tick the box confirming" in pages.post(f"/cong-bo/{scope}/2024-08/cong-bo/")
    assert "(version 2)" in pages.post(f"/cong-bo/{scope}/2024-08/cong-bo/", {"confirm": "yes"})
    html = pages.get("/phuong-phap/?period=2024-08")
    assert "Republished — Huyện Tiên Lữ" in html and "Published — Huyện Tiên Lữ" in html
    html = pages.get("/don-vi/legacy/12367/?period=2024-08")  # a public page says the month was corrected
    assert "Updated on " in html and "(publication 2, after a correction" in html
    assert "A reason for unpublishing is required." in pages.post(f"/cong-bo/{scope}/2024-08/go/", {"reason": " "})
    assert "Unpublished the results" in pages.post(f"/cong-bo/{scope}/2024-08/go/", {"reason": "Figures to check"})
    assert "Unpublished — Huyện Tiên Lữ" in pages.get("/phuong-phap/?period=2024-08")
    assert ">Publish</button>" not in pages.get(f"/cong-bo/{scope}/2024-08/xem-lai/")  # republishing, not a first time
    assert pages.leftovers == {}


def test_english_dispatch_pages_have_no_vietnamese_outside_names_and_data(
    english, all_published, eager_tasks, settings, tmp_path, django_capture_on_commit_callbacks
):
    settings.MEDIA_ROOT = tmp_path
    _staff(english, all_published, Role.LEADER, "lanhdao-en")
    pages = _Pages(english)
    draft = dispatch_draft(unit=all_published, period=Period.objects.get(year=2024, month=8), user=None)
    assert "Write a new dispatch" in pages.get("/cong-van/")
    html = pages.get(f"/cong-van/{draft.pk}/")
    assert "Approve and finalise the figures" in html and 'lang="vi"' in html  # the dispatch's own text
    assert "there is nothing to regenerate" in pages.get(f"/cong-van/{draft.pk}/tao-lai/")
    with django_capture_on_commit_callbacks(execute=True):  # the PDF is rendered once the finalising commits
        english.post(f"/cong-van/{draft.pk}/chot/")
    html = pages.get(f"/cong-van/{draft.pk}/")
    assert "The dispatch is finalised; its PDF is being created." in html and "Upload the signed copy" in html
    assert "Upstream documents of the month" in pages.get("/cong-van/can-cu/")
    upstream = "/cong-van/can-cu/?unit=Huy%E1%BB%87n+Ti%C3%AAn+L%E1%BB%AF&period=2024-08"
    assert "Add a document" in pages.get(upstream)
    document = {"kind": "Công văn", "number": "303/VPUB-PVHCC&KSTT", "issued_on": "2024-09-05"}
    document |= {"issuer": "Văn phòng UBND tỉnh Hưng Yên", "subject": "Kết quả Bộ chỉ số tháng 8/2024"}
    html = pages.post(upstream, document)
    assert "upstream document was saved." in html and "303/VPUB-PVHCC&amp;KSTT" in html
    assert "Public address:" in pages.post(f"/cong-van/{draft.pk}/cong-khai/")
    html = pages.get("/cong-van/cong-khai/")
    assert "Issued dispatches" in html and "Not signed" in html and "Download PDF" in html
    assert pages.leftovers == {}
