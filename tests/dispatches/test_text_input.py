"""Dispatch text as staff type it: direction overrides never reach the PDF, and each text has a limit."""

import io

import pdfplumber
import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from accounts.models import Role, UnitAssignment
from dispatches import pdf
from dispatches.models import Dispatch
from dispatches.services import TEXT_LIMITS, dispatch_draft, dispatch_freeze
from indicators.models import Period
from units.models import AdministrativeUnit

from .factories import rank_children

pytestmark = pytest.mark.django_db
RLO, PDF_ = "\u202e", "\u202c"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def draft(demo):
    district = AdministrativeUnit.objects.get(tree="legacy", code="332")
    rank_children(parent=district, year=2024, month=8)
    return dispatch_draft(unit=district, period=Period.objects.get(year=2024, month=8), user=None)


@pytest.fixture
def staff(client, draft):
    user = get_user_model().objects.create_user(username="canbo", password="mat-khau-dai-123")
    UnitAssignment.objects.create(user=user, unit=draft.unit, role=Role.STAFF)
    client.force_login(user)
    return user


def _form(draft, **changes):
    text = {f: getattr(draft, f) for f in TEXT_LIMITS}
    return {**text, **changes}


def test_direction_overrides_typed_in_the_text_are_removed_before_saving_and_printing(client, staff, draft):
    # "ềd ấv náhp ềv" typed after U+202E prints as "về phán vấn đề" reversed: a spoofed sentence.
    spoof = f"1. Giao Phòng Nội vụ {RLO}ềd ấv náhp ềv{PDF_} theo dõi."
    url = reverse("dispatches:dispatch-edit", args=[draft.pk])
    preview = client.post(reverse("dispatches:dispatch-preview", args=[draft.pk]), _form(draft, requirements=spoof))
    assert RLO not in preview.content.decode()
    assert client.post(url, _form(draft, requirements=spoof, subject=f"V/v {RLO}kết quả")).status_code == 302
    draft.refresh_from_db()
    assert draft.requirements == "1. Giao Phòng Nội vụ ềd ấv náhp ềv theo dõi."
    assert RLO not in draft.subject
    content = pdf.dispatch_pdf(dispatch_freeze(dispatch=draft))
    with pdfplumber.open(io.BytesIO(content)) as document:
        text = "".join(page.extract_text() or "" for page in document.pages)
    assert "ềd ấv náhp ềv" in text and RLO not in text


def test_a_text_over_its_limit_is_refused_with_a_vietnamese_message_and_nothing_changes(client, staff, draft):
    before = Dispatch.objects.get(pk=draft.pk).requirements
    huge = "Yêu cầu." * 11_250  # 90.000 characters; the limit is 30.000
    response = client.post(reverse("dispatches:dispatch-edit", args=[draft.pk]), _form(draft, requirements=huge))
    assert response.status_code == 400
    assert "“Yêu cầu” dài 90.000 ký tự, vượt giới hạn 30.000 ký tự." in response.content.decode()
    assert Dispatch.objects.get(pk=draft.pk).requirements == before


def test_the_service_holds_every_text_to_its_limit_too(draft):
    from django.core.exceptions import ValidationError

    from dispatches.services import dispatch_update

    text = _form(draft, cc="x" * (TEXT_LIMITS["cc"] + 1))
    with pytest.raises(ValidationError) as error:
        dispatch_update(dispatch=draft, **text)
    assert "“Nơi nhận” dài 3.001 ký tự" in str(error.value)


def test_the_editor_page_has_no_inline_script_or_style(client, staff, draft):
    import re

    html = client.get(reverse("dispatches:dispatch-edit", args=[draft.pk])).content.decode()
    assert not re.search(r"<script(?![^>]*\bsrc=)", html) and "<style" not in html and 'style="' not in html
    assert "js/dispatch-edit.js" in html
