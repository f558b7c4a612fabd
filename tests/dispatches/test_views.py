"""Staff draft with a live preview, the leader finalises, downloads and publishes; citizens download published ones."""

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from accounts.models import Role, UnitAssignment
from dispatches.models import Dispatch, RenderState
from dispatches.services import dispatch_draft
from indicators.models import Period
from units.models import AdministrativeUnit

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def person(username: str, unit: AdministrativeUnit | None, role: str | None):
    user = get_user_model().objects.create_user(username=username, password="mật-khẩu-dài-123")
    if unit is not None:
        UnitAssignment.objects.create(user=user, unit=unit, role=role)
    return user


def client_for(client, user):
    client.force_login(user)
    return client


@pytest.fixture
def draft(tien_lu):
    return dispatch_draft(unit=tien_lu, period=Period.objects.get(year=2024, month=8), user=None)


def test_anonymous_is_sent_to_login_and_other_units_staff_is_refused(client, draft):
    url = reverse("dispatches:dispatch-edit", args=[draft.pk])
    response = client.get(url)
    assert response.status_code == 302 and "/login/" in response["Location"]
    other = AdministrativeUnit.objects.get(tree="legacy", code="328")  # Mỹ Hào
    client_for(client, person("khac", other, Role.STAFF))
    assert client.get(url).status_code == 403
    assert client.post(reverse("dispatches:dispatch-finalise", args=[draft.pk])).status_code == 403


def test_staff_of_the_province_edits_and_previews_a_district_draft(client, draft):
    province = draft.unit.parent
    client_for(client, person("canbo", province, Role.STAFF))
    page = client.get(reverse("dispatches:dispatch-edit", args=[draft.pk]))
    assert page.status_code == 200
    assert "Xem trước" in page.content.decode()
    form = {
        "subject": "công khai kết quả Bộ chỉ số tháng 8/2024",
        "recipients": draft.recipients,
        "legal_bases": draft.legal_bases,
        "requirements": "1. Yêu cầu đã sửa.",
        "cc": draft.cc,
    }
    # The live preview renders the unsaved text with the PDF's own template.
    preview = client.post(reverse("dispatches:dispatch-preview", args=[draft.pk]), form)
    html = preview.content.decode()
    assert preview.status_code == 200 and preview["X-Frame-Options"] == "SAMEORIGIN"
    assert "frame-ancestors 'self'" in preview["Content-Security-Policy"]
    assert "V/v công khai kết quả Bộ chỉ số tháng 8/2024" in html
    assert "Độc lập - Tự do - Hạnh phúc" in html and "/static/css/dispatch.css" in html
    draft.refresh_from_db()
    assert draft.requirements != "1. Yêu cầu đã sửa."
    saved = client.post(reverse("dispatches:dispatch-edit", args=[draft.pk]), form)
    assert saved.status_code == 302
    draft.refresh_from_db()
    assert draft.requirements == "1. Yêu cầu đã sửa."
    # Staff may not approve.
    assert client.post(reverse("dispatches:dispatch-finalise", args=[draft.pk])).status_code == 403


def test_empty_subject_is_refused_with_a_message_and_nothing_changes(client, draft):
    client_for(client, person("canbo", draft.unit, Role.STAFF))
    before = draft.subject
    response = client.post(
        reverse("dispatches:dispatch-edit", args=[draft.pk]),
        {"subject": "", "recipients": "x", "legal_bases": "y", "requirements": "z", "cc": "w"},
    )
    assert response.status_code == 400
    assert "Trường này là bắt buộc" in response.content.decode()
    draft.refresh_from_db()
    assert draft.subject == before and draft.recipients != "x"


def test_leader_finalises_downloads_publishes_and_anyone_downloads(client, draft, django_capture_on_commit_callbacks):
    leader = person("lanhdao", draft.unit, Role.LEADER)
    client_for(client, leader)
    public_url = reverse("dispatches:public-pdf", args=[draft.unit.code, "2024-08"])
    assert client.get(public_url).status_code == 404
    assert public_url not in client.get(reverse("dispatches:public-list")).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("dispatches:dispatch-finalise", args=[draft.pk]))
    assert response.status_code == 302
    status = client.get(reverse("dispatches:dispatch-status", args=[draft.pk])).json()
    assert status["state"] == RenderState.DONE and status["progress"] == 100
    download = client.get(status["pdf_url"])
    body = b"".join(download.streaming_content)
    assert download["Content-Type"] == "application/pdf" and body.startswith(b"%PDF")
    assert 'filename="cong-van-332-2024-08.pdf"' in download["Content-Disposition"]

    assert client.post(reverse("dispatches:dispatch-publish", args=[draft.pk])).status_code == 302
    assert Dispatch.objects.get(pk=draft.pk).status == Dispatch.Status.PUBLISHED
    client.logout()
    public = client.get(public_url)
    assert public.status_code == 200 and b"".join(public.streaming_content) == body
    listing = client.get(reverse("dispatches:public-list")).content.decode()
    assert public_url in listing and "Huyện Tiên Lữ" in listing
    assert client.get(reverse("dispatches:public-pdf", args=[draft.unit.code, "2031-01"])).status_code == 404
    from indicators.models import Period as P

    assert not P.objects.filter(year=2031).exists()


def test_new_draft_form_resolves_the_unit_by_name_and_rejects_unknown_ones(client, tien_lu):
    client_for(client, person("canbo", tien_lu, Role.STAFF))
    response = client.post(reverse("dispatches:dispatch-new"), {"unit": "Huyện Tiên Lữ", "period": "2024-08"})
    dispatch = Dispatch.objects.get(unit=tien_lu, period__year=2024, period__month=8)
    assert response["Location"] == reverse("dispatches:dispatch-edit", args=[dispatch.pk])
    bad = client.post(reverse("dispatches:dispatch-new"), {"unit": "Mỹ Hào", "period": "2025-02"})
    assert bad.status_code == 400 and "không được phân công" in bad.content.decode()
    assert not Dispatch.objects.filter(unit__code="328").exists()
    listing = client.get(reverse("dispatches:dispatch-list"))
    assert "Huyện Tiên Lữ" in listing.content.decode()


def test_preview_keeps_numbers_unlocalised_in_any_interface_language(client, draft):
    client_for(client, person("canbo", draft.unit, Role.STAFF))
    client.cookies["django_language"] = "en"
    html = client.get(reverse("dispatches:dispatch-preview", args=[draft.pk])).content.decode()
    assert "năm 2024" in html and "2,024" not in html and "2.024" not in html
    assert "88,03/100 điểm" in html


def test_dispatch_list_query_count_does_not_grow_with_rows(client, tien_lu, django_assert_num_queries):
    client_for(client, person("canbo", tien_lu.parent, Role.STAFF))
    for month in (7, 8):
        dispatch_draft(unit=tien_lu, period=Period.objects.get(year=2024, month=month), user=None)
    url = reverse("dispatches:dispatch-list")
    client.get(url)
    # session, user, assignments, the home unit of the page header (two), dispatches with unit and period
    with django_assert_num_queries(6):
        first = client.get(url)
    dispatch_draft(unit=tien_lu, period=Period.objects.get(year=2024, month=6), user=None)
    with django_assert_num_queries(6):
        second = client.get(url)
    assert first.content.decode().count("<tr>") + 1 == second.content.decode().count("<tr>")


def test_only_the_preview_may_be_framed_and_the_edit_page_has_no_inline_script(client, draft):
    import re

    client_for(client, person("canbo", draft.unit, Role.STAFF))
    page = client.get(reverse("dispatches:dispatch-edit", args=[draft.pk]))
    assert "frame-ancestors 'none'" in page["Content-Security-Policy"] and page["X-Frame-Options"] == "DENY"
    assert "script-src 'self'" in page["Content-Security-Policy"]
    html = page.content.decode()
    scripts = re.findall(r"<script([^>]*)>(.*?)</script>", html, flags=re.S)
    assert scripts and all('src="/static/js/' in attrs and not body.strip() for attrs, body in scripts)
    preview = client.get(reverse("dispatches:dispatch-preview", args=[draft.pk]))
    policy = preview["Content-Security-Policy"]
    assert "frame-ancestors 'self'" in policy and "'none'" not in policy.split("frame-ancestors")[1].split(";")[0]
    # The preview's sizes come in its one style block, admitted by the response's nonce; no style attribute
    # (which the policy would block, so the preview's columns would differ from the PDF's).
    body = preview.content.decode()
    style_src = re.search(r"style-src ([^;]+)", policy).group(1)
    nonce = re.search(r"'nonce-([^']+)'", style_src).group(1)
    assert "'unsafe-inline'" not in style_src
    assert re.findall(r"<style([^>]*)>", body) == [f' nonce="{nonce}"']
    assert " style=" not in body and re.search(r"\.p1c1 \{ width: [0-9.]+%; \}", body)
    assert 'class="p1c1"' in body
    # Other staff pages keep the site's policy.
    listing = client.get(reverse("dispatches:dispatch-list"))
    assert "frame-ancestors 'none'" in listing["Content-Security-Policy"]


def test_regenerate_page_shows_what_changes_before_replacing(client, tien_lu):
    from .factories import apply_figures, rank_months

    september = Period.objects.get_or_create(year=2024, month=9)[0]
    apply_figures(period=september, scope=tien_lu, figures={tien_lu: {"total": {"points": 86}}})
    dispatch = dispatch_draft(unit=tien_lu, period=september, user=None)
    communes = list(tien_lu.children.valid_on(september.last_day).order_by("code")[:5])
    apply_figures(
        period=september,
        scope=tien_lu,
        figures={c: {"total": {"points": 70 + n}} for n, c in enumerate(communes)},
        name="xa.xlsx",
    )
    rank_months("2024-09")
    client_for(client, person("canbo", tien_lu, Role.STAFF))
    edit = client.get(reverse("dispatches:dispatch-edit", args=[dispatch.pk])).content.decode()
    assert "Nội dung tạo từ số liệu đã cũ" in edit and "Tạo lại từ số liệu" in edit
    page = client.get(reverse("dispatches:dispatch-regenerate", args=[dispatch.pk])).content.decode()
    assert 'name="fields" value="requirements" checked' in page and "còn thấp so với các đơn vị còn lại" in page
    before = Dispatch.objects.get(pk=dispatch.pk).requirements
    assert "còn thấp" not in before  # nothing replaced by looking
    client.post(reverse("dispatches:dispatch-regenerate", args=[dispatch.pk]), {"fields": ["requirements"]})
    assert "còn thấp so với các đơn vị còn lại" in Dispatch.objects.get(pk=dispatch.pk).requirements


def test_upstream_page_offers_last_months_pattern_and_saves_this_months(client, demo):
    import datetime

    from dispatches.models import UpstreamDocument
    from dispatches.services import upstream_document_add

    hung_yen = AdministrativeUnit.objects.get(tree="legacy", code="33")
    upstream_document_add(
        scope=hung_yen,
        period=Period.objects.get_or_create(year=2024, month=8)[0],
        kind="Công văn",
        number="303/VPUB-PVHCC&KSTT",
        issued_on=datetime.date(2024, 9, 5),
        issuer="Văn phòng UBND tỉnh Hưng Yên",
        subject="công bố kết quả đánh giá Bộ chỉ số tháng 8/2024",
    )
    client_for(client, person("canbo", hung_yen, Role.STAFF))
    url = reverse("dispatches:upstream-list") + "?unit=33&period=2024-09"
    page = client.get(url).content.decode()
    assert 'value="/VPUB-PVHCC&amp;KSTT"' in page and "công bố kết quả đánh giá Bộ chỉ số tháng 9/2024" in page
    bad = client.post(
        url, {"kind": "Công văn", "number": "/VPUB", "issued_on": "2024-10-05", "issuer": "VP", "subject": "x"}
    )
    assert bad.status_code == 400 and "phải có số trước dấu" in bad.content.decode()
    saved = client.post(
        url,
        {
            "kind": "Công văn",
            "number": "333/VPUB-PVHCC&KSTT",
            "issued_on": "2024-10-05",
            "issuer": "Văn phòng UBND tỉnh Hưng Yên",
            "subject": "công bố kết quả đánh giá Bộ chỉ số tháng 9/2024",
        },
    )
    assert saved.status_code == 302
    assert UpstreamDocument.objects.filter(period__month=9, number="333/VPUB-PVHCC&KSTT").exists()
