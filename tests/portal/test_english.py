"""The English interface is complete: no Vietnamese left on an English page, outside names and data.

A page's text (what is shown, and the labels assistive technology reads: alt, aria-label, title,
placeholder) is searched for Vietnamese letters (ă, ơ, đ, tone marks …) once the names and data it
may quote are taken out: unit names, the catalogue's indicator names, import sources, and document
numbers such as "766/QĐ-TTg". Elements marked lang="vi" (the language switch) are Vietnamese on purpose.
"""

import re
from html.parser import HTMLParser

import pytest
from django.contrib.auth import get_user_model

from accounts.models import Role, UnitAssignment
from indicators.models import Framework, ImportRevision, Indicator
from units.models import AdministrativeUnit

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
    names.update(n for n in Indicator.objects.values_list("name", flat=True) if n)
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
