"""The national portal as a source: a fake portal on loopback, built from the reference dispatches,
fetched through the real pipeline (stage → map → resolve → preview → apply), and every broken shape
refused with a message that names what differed, nothing written."""

import datetime
import threading

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.management import CommandError, call_command

from accounts.models import UnitAssignment
from imports.models import ImportBatch, NationalSource, NationalWatch, PortalUnitLink
from imports.national import national_batch_create, national_fetch_due
from imports.services import ImportRejected, import_apply, latest_revision_number
from indicators.formatting import format_number
from indicators.models import ImportRevision, Score
from indicators.services import period_parse
from units.models import AdministrativeUnit

from . import fake_portal
from .conftest import TIEN_LU_ROWS
from .test_hostile import snapshot

pytestmark = pytest.mark.django_db


@pytest.fixture
def portal(settings):
    app, url, stop = fake_portal.start()
    settings.NATIONAL_PORTAL_URL = url
    settings.NATIONAL_PORTAL_TIMEOUT = 1
    settings.NATIONAL_PORTAL_RETRIES = 2
    settings.NATIONAL_PORTAL_BACKOFF = 0.05
    settings.NATIONAL_PORTAL_USER_AGENT = "Cong ket qua Bo chi so (thu nghiem; quantri@example.vn)"
    yield app
    stop()


@pytest.fixture
def links(unit_tree):
    """The portal's ids of the scopes, as an administrator enters them once."""
    hung_yen = AdministrativeUnit.objects.get(tree="legacy", level="province", code="33")
    tien_lu = AdministrativeUnit.objects.get(tree="legacy", code="332")
    PortalUnitLink.objects.create(unit=hung_yen, portal_id=fake_portal.HUNG_YEN_ID)
    PortalUnitLink.objects.create(unit=tien_lu, portal_id=fake_portal.TIEN_LU_ID)
    return hung_yen, tien_lu


@pytest.fixture
def clerk(client, links):
    _hung_yen, tien_lu = links
    user = get_user_model().objects.create_user("nhaplieu", password="mat-khau-dai-123", email="nl@example.vn")
    UnitAssignment.objects.create(user=user, unit=tien_lu, role="staff")
    assert client.login(username="nhaplieu", password="mat-khau-dai-123")
    return user


def test_a_clerk_gets_the_tien_lu_month_into_a_preview_in_one_click_and_it_matches_the_reference(
    client, clerk, portal, demo, links
):
    _hung_yen, tien_lu = links
    thu_sy = AdministrativeUnit.objects.get(parent=tien_lu, short_name="Thủ Sỹ")
    portal.overrides["20001"] = {"MA_COQUAN": thu_sy.code}  # one row carries an official code

    page = client.get("/nhap-lieu/tai-len/").content.decode()
    assert "Lấy số liệu từ Cổng DVCQG" in page
    response = client.post("/nhap-lieu/cong-dvcqg/", {"national-period": "2024-08", "national-scope": "Huyện Tiên Lữ"})

    batch = ImportBatch.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/nhap-lieu/{batch.pk}/xem-truoc/"
    preview = client.get(response["Location"]).content.decode()
    assert "Chưa có gì được ghi." in preview and "<button>Ghi số liệu</button>" in preview
    assert "UBND xã Dị ché → Xã Dị Chế" in preview and "UBND TT Vương → Thị trấn Vương" in preview
    assert batch.source.startswith('Cổng DVCQG: report_tinh_766_service {"type":"ref","p_tinh_id":"11633"')
    assert '"p_nam":2024,"p_thang":8' in batch.source
    assert (
        b'"TEN": "UBND x\\u00e3 Th\\u1ee7 S\\u1ef9"' in bytes(batch.file_data)
        or "UBND xã Thủ Sỹ" in bytes(batch.file_data).decode()
    )

    client.post(f"/nhap-lieu/{batch.pk}/ghi/", {"base_revision": preview.split('name="base_revision" value="')[1][0]})

    batch.refresh_from_db()
    assert batch.state == "applied" and batch.revision.source == batch.source
    # Each confirmed match is remembered (next month resolves by the portal's id); through those
    # links, every commune's total is the appendix's, as printed.
    for index, (_stt, name, total, _change, _progress) in enumerate(TIEN_LU_ROWS, start=1):
        unit = PortalUnitLink.objects.get(portal_id=f"2{index:04d}").unit
        score = Score.objects.get(unit=unit, period=batch.period, indicator__code="total")
        assert format_number(score.points) == total and score.rank == index, name
    assert PortalUnitLink.objects.get(portal_id="20001").unit == thu_sy
    assert PortalUnitLink.objects.filter(unit__parent=tien_lu).count() == 15


def test_my_hao_groups_and_published_rank_through_the_command(portal, links, demo, capsys):
    my_hao = AdministrativeUnit.objects.get(tree="legacy", code="328")

    call_command("fetch_national", "--period", "2025-02", "--scope", "Hưng Yên")

    out = capsys.readouterr().out
    assert "Cổng DVCQG: 1 dòng trong 1 lần hỏi." in out and "Đã nhập lần" in out
    scores = {
        s.indicator.code: s
        for s in Score.objects.filter(unit=my_hao, period__year=2025, period__month=2).select_related("indicator")
    }
    assert [str(scores[c].points) for c in ("total", "1", "2", "3", "4", "5", "6")] == [
        "91.34",
        "18.00",
        "20.00",
        "10.00",
        "9.60",
        "18.00",
        "15.80",
    ]
    assert scores["total"].rank == 1
    revision = scores["total"].revision
    assert revision.source.startswith("Cổng DVCQG: report_tinh_766_service") and revision.file_name.endswith(".json")
    kept = ImportBatch.objects.get(revision=revision)
    assert "UBND thị xã Mỹ Hào" in bytes(kept.file_data).decode()


def test_ha_noi_total_and_groups_are_kept_as_published_and_the_sum_is_a_warning(portal, links, demo, capsys):
    ha_noi = AdministrativeUnit.objects.get(tree="legacy", code="01")
    before = snapshot()

    call_command("fetch_national", "--period", "2024-12", "--scope", "Hà Nội", "--level", "province", "--dry-run")

    out = capsys.readouterr().out
    assert "Cổng DVCQG: 3 dòng trong 1 lần hỏi." in out
    assert "Tổng điểm các nhóm là 68,8, khác điểm tổng hợp công bố 62,28 (lưu như công bố)" in out
    assert "Hải Phòng" not in out  # the other provinces of the nationwide list are left out
    assert snapshot() == before

    call_command("fetch_national", "--period", "2024-12", "--scope", "Hà Nội", "--level", "province")
    total = Score.objects.get(unit=ha_noi, period__year=2024, period__month=12, indicator__code="total")
    assert str(total.points) == "62.28" and total.rank == 61


BROKEN = {
    "html": "Cổng DVCQG trả về một trang HTML thay vì dữ liệu JSON (bắt đầu bằng “<!DOCTYPE html><html><head>",
    "missing-key": "Câu trả lời của Cổng DVCQG thiếu khóa “TONG_SCORE” (dòng 1; các khóa có: ID, MA_COQUAN, TEN",
    "new-wrapper": "là một đối tượng với các khóa “result”, “status”, không phải danh sách dòng",
    "empty": "Cổng DVCQG không có số liệu cho Huyện Tiên Lữ tháng 8/2024 (danh sách rỗng)",
    "not-found": "Cổng DVCQG trả lời lỗi HTTP 404 (sau 1 lần thử)",
}


@pytest.mark.parametrize("mode", sorted(BROKEN))
def test_a_broken_answer_is_refused_with_what_differed_and_nothing_is_written(mode, portal, clerk, demo, links):
    _hung_yen, tien_lu = links
    portal.mode = mode
    before = snapshot()

    with pytest.raises(ImportRejected) as refused:
        national_batch_create(period=period_parse("2024-08"), scope=tien_lu, user=clerk)

    assert BROKEN[mode] in str(refused.value)
    assert snapshot() == before and ImportBatch.objects.count() == 0
    assert len(portal.requests) == 1  # neither a shape nor a 404 is retried


def test_a_broken_answer_on_the_button_is_shown_on_the_upload_page(client, clerk, portal, demo):
    portal.mode = "html"
    response = client.post("/nhap-lieu/cong-dvcqg/", {"national-period": "2024-08", "national-scope": "Tiên Lữ"})
    assert response.status_code == 400
    assert "trả về một trang HTML thay vì dữ liệu JSON" in response.content.decode()
    assert ImportBatch.objects.count() == 0


def test_the_list_wrapped_in_data_is_read_like_a_list(portal, clerk, demo, links):
    portal.mode = "wrapped"
    batch = national_batch_create(period=period_parse("2024-08"), scope=links[1], user=clerk)
    assert len(batch.staged["rows"]) == 15


def test_a_swapped_group_key_is_caught_by_the_groups_maximum(portal, links, demo, capsys):
    portal.mode = "swapped"  # CKMB (max 18) now carries Mỹ Hào's 20 points of TDGQ
    before = snapshot()
    with pytest.raises(CommandError, match="lỗi; không có gì được ghi"):
        call_command("fetch_national", "--period", "2025-02", "--scope", "Hưng Yên")
    out = capsys.readouterr().out
    assert "cột “CKMB”: 20 điểm vượt điểm tối đa 18 của “Công khai, minh bạch”" in out
    assert snapshot() == before


def test_500s_and_timeouts_are_retried_with_back_off_then_succeed(portal, clerk, demo, links):
    portal.failures = 2  # two 500s, then the answer
    batch = national_batch_create(period=period_parse("2024-08"), scope=links[1], user=clerk)
    assert len(batch.staged["rows"]) == 15
    first, second, third = (r["at"] for r in portal.requests)
    assert third - second > second - first >= 0.05  # the wait doubles

    portal.requests.clear()
    portal.mode, portal.failures = "timeout", 1  # one answer slower than the client waits, then the answer
    national_batch_create(period=period_parse("2024-08"), scope=links[1], user=clerk)
    assert len(portal.requests) == 2


def test_timeouts_past_the_retries_stop_with_a_message(portal, clerk, demo, links):
    portal.mode, portal.failures = "timeout", 5
    before = snapshot()
    with pytest.raises(ImportRejected, match="Cổng DVCQG không trả lời trong 1 giây \\(sau 3 lần thử\\)"):
        national_batch_create(period=period_parse("2024-08"), scope=links[1], user=clerk)
    assert snapshot() == before and ImportBatch.objects.count() == 0


def test_requests_name_the_portal_and_page_through_the_answer(portal, clerk, demo, links):
    source = NationalSource.objects.get(level="communes")
    source.page_size = 5  # 15 communes: three pages
    source.save()

    batch = national_batch_create(period=period_parse("2024-08"), scope=links[1], user=clerk)

    assert len(batch.staged["rows"]) == 15
    assert [r["params"]["pageIndex"] for r in portal.requests] == [1, 2, 3, 4]  # the fourth is empty: the end
    first = portal.requests[0]
    assert first["user_agent"] == "Cong ket qua Bo chi so (thu nghiem; quantri@example.vn)"
    assert first["requested_with"] == "XMLHttpRequest"
    assert first["content_type"] == "application/x-www-form-urlencoded; charset=UTF-8"
    assert first["params"]["service"] == "report_tinh_766_service" and first["params"]["p_huyen_id"] == "11638"
    assert first["params"]["pageSize"] == 5


def test_requests_go_one_at_a_time_to_a_host(portal, settings):
    from imports.national import post

    portal.delay = 0.1
    params = {"service": "report_tinh_766_service", "p_loaidonvi": 3, "p_nam": 2024, "p_thang": 8}
    threads = [
        threading.Thread(target=post, args=(settings.NATIONAL_PORTAL_URL, {**params, "pageIndex": n})) for n in range(6)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert len(portal.requests) == 6 and portal.most_in_flight == 1


def test_an_unknown_portal_id_of_the_scope_is_a_message_for_the_administrator(portal, clerk, demo, links):
    PortalUnitLink.objects.filter(portal_id=fake_portal.TIEN_LU_ID).delete()
    with pytest.raises(ImportRejected, match="Chưa biết mã của Huyện Tiên Lữ trên Cổng DVCQG"):
        national_batch_create(period=period_parse("2024-08"), scope=links[1], user=clerk)
    assert portal.requests == []


def test_a_stale_fetched_preview_is_refused_like_a_file(portal, clerk, demo, links):
    batch = national_batch_create(period=period_parse("2024-08"), scope=links[1], user=clerk)
    base = latest_revision_number(period=batch.period, scope=batch.scope)
    call_command("fetch_national", "--period", "2024-08", "--scope", "Tiên Lữ")
    with pytest.raises(ImportRejected, match="Hãy xem lại bản xem trước"):
        import_apply(batch=batch, user=clerk, expected_revision=base)


def test_the_job_is_off_by_default_and_prepares_a_preview_for_each_watching_scope_on_publishing_days(
    portal, clerk, demo, links, settings
):
    from django.conf import settings as live

    assert live.NATIONAL_PORTAL_FETCH_ENABLED is False
    assert "national-portal-fetch" not in live.CELERY_BEAT_SCHEDULE
    NationalWatch.objects.create(scope=links[1], level="communes", requested_by=clerk)

    assert national_fetch_due(today=datetime.date(2024, 9, 15)) == 0  # not a publishing day
    assert national_fetch_due(today=datetime.date(2024, 9, 5)) == 1
    assert national_fetch_due(today=datetime.date(2024, 9, 5)) == 0  # once a day

    batch = ImportBatch.objects.get()
    assert batch.period.key == "2024-08" and batch.created_by == clerk and batch.state == "mapped"
    assert ImportRevision.objects.filter(source__startswith="Cổng DVCQG").count() == 0  # a person applies
    assert mail.outbox[0].to == ["nl@example.vn"]
    assert "đã sẵn sàng để xem trước" in mail.outbox[0].subject and f"/nhap-lieu/{batch.pk}/xem-truoc/" in (
        mail.outbox[0].body
    )


def test_a_clerk_turns_the_monthly_fetch_on_and_off_for_their_scope_and_each_change_is_audited(
    portal, clerk, client, links
):
    from accounts.models import AuditEvent

    _hung_yen, tien_lu = links
    page = client.get("/nhap-lieu/tai-len/").content.decode()
    assert "Huyện Tiên Lữ</strong>: chưa bật" in page and "Bật cho Huyện Tiên Lữ" in page

    response = client.post("/nhap-lieu/cong-dvcqg/tu-dong/", {"scope": tien_lu.pk, "active": "1"}, follow=True)
    page = response.content.decode()
    assert "vào các ngày 1-10 hằng tháng" in page
    assert "chưa bật việc lấy tự động" in page  # this server has the job off: the clerk is told
    assert "Huyện Tiên Lữ</strong>: đang tự động lấy" in page and "Tắt cho Huyện Tiên Lữ" in page
    watch = NationalWatch.objects.get()
    assert (watch.scope, watch.level, watch.active, watch.requested_by) == (tien_lu, "communes", True, clerk)

    client.post("/nhap-lieu/cong-dvcqg/tu-dong/", {"scope": tien_lu.pk, "active": "1"})  # again: nothing changes
    client.post("/nhap-lieu/cong-dvcqg/tu-dong/", {"scope": tien_lu.pk, "active": "0"})
    assert NationalWatch.objects.get().active is False
    events = list(AuditEvent.objects.filter(action="national_watch").order_by("pk").values_list("summary", "after"))
    assert [summary.split(" (")[0].split(" cho ")[0] for summary, _after in events] == [
        "Bật tự động lấy số liệu từ Cổng DVCQG",
        "Tắt tự động lấy số liệu từ Cổng DVCQG",
    ]
    assert events[0][1] == {"active": True, "level": "communes"}


def test_a_clerk_cannot_turn_the_fetch_on_for_a_scope_they_are_not_assigned_to(portal, clerk, client, links):
    hung_yen, _tien_lu = links
    response = client.post("/nhap-lieu/cong-dvcqg/tu-dong/", {"scope": hung_yen.pk, "active": "1"})
    assert response.status_code == 403
    assert not NationalWatch.objects.exists()
    assert client.post("/nhap-lieu/cong-dvcqg/tu-dong/", {"scope": "x", "active": "1"}).status_code == 404


def test_a_quarter_is_fetched_as_its_three_months_checked_before_any_is_written(
    portal, links, demo, capsys, monkeypatch
):
    my_hao = AdministrativeUnit.objects.get(tree="legacy", code="328")
    before = snapshot()
    # The portal has only February: January's empty answer stops the quarter, and nothing is written.
    with pytest.raises(CommandError, match=r"Tháng 1/2025: .*\(danh sách rỗng\)"):
        call_command("fetch_national", "--period", "2025-Q1", "--scope", "Hưng Yên")
    assert snapshot() == before

    monkeypatch.setattr(fake_portal, "HUNG_YEN_MONTHS", {(2025, 1), (2025, 2), (2025, 3)})
    call_command("fetch_national", "--period", "2025-q1", "--scope", "Hưng Yên")
    totals = Score.objects.filter(unit=my_hao, period__year=2025, indicator__code="total").order_by("period__month")
    assert [(t.period.month, str(t.points), t.rank) for t in totals] == [
        (1, "91.34", 1),
        (2, "91.34", 1),
        (3, "91.34", 1),
    ]
    requested = [(r["params"]["p_nam"], r["params"]["p_thang"]) for r in portal.requests]
    assert requested[-3:] == [(2025, 1), (2025, 2), (2025, 3)]

    with pytest.raises(CommandError, match="không phải cả năm"):
        call_command("fetch_national", "--period", "2025", "--scope", "Hưng Yên")
