"""The broker (Redis) down under a running portal: every kind of job the portal sends — a dispatch
render, a background import, a ranking run — is accepted and recorded as waiting, pages keep
answering, and once Redis is back the beat sweepers re-send them and a real worker finishes each
one exactly once.

The Redis here is the test's own (tests/resilience/servers.py): stopping it touches nobody else.
"""

import datetime
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model

from accounts.models import AuditEvent, UnitAssignment
from dispatches.models import Dispatch, RenderState
from dispatches.services import dispatch_draft
from imports.models import ImportBatch
from imports.services import batch_create, batch_update
from indicators.models import ImportRevision, Period
from rankings.models import RankingResult, RankingRun
from tests.dispatches.factories import rank_children
from tests.imports.conftest import xlsx_bytes
from tests.workers import _wait
from units.models import AdministrativeUnit

from .servers import Browser, fetch

pytestmark = [
    pytest.mark.redis,
    pytest.mark.postgres,
    pytest.mark.argon2,  # gunicorn checks the passwords with the production hashers
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

PASSWORD = "mat-khau-dai-123"
CUONG_CHINH = "12376"  # Xã Cương Chính, last in 8/2024 at 83,28


@pytest.fixture
def people(demo_committed):
    tien_lu = AdministrativeUnit.objects.get(tree="legacy", code="332")
    users = {}
    for name, role in (("lanhdao", "leader"), ("nhaplieu", "staff")):
        users[name] = get_user_model().objects.create_user(name, password=PASSWORD)
        UnitAssignment.objects.create(user=users[name], unit=tien_lu, role=role)
    return users


# Longer than 60 lines on purpose: one outage in order (before, during, after), each phase asserted where it happens.
def test_every_job_waits_while_redis_is_down_and_runs_once_when_it_is_back(
    demo_committed, people, private_redis, start_portal, start_worker, worker_log, tmp_path
):
    tien_lu = AdministrativeUnit.objects.get(tree="legacy", code="332")
    august = Period.objects.get(year=2024, month=8)
    for month in (7, 8):  # a dispatch is finalised from a published month
        rank_children(parent=tien_lu, year=2024, month=month)
    last_run = RankingRun.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    draft = dispatch_draft(unit=tien_lu, period=august, user=people["lanhdao"])
    batch = batch_create(
        data=xlsx_bytes([["Tên đơn vị", "Điểm tổng hợp"], ["Xã Cương Chính", "95,00"]]),
        file_name="sua-cuong-chinh.xlsx",
        period=august,
        scope=tien_lu,
        data_as_of=datetime.datetime(2024, 9, 10, 8, tzinfo=datetime.UTC),
        user=people["nhaplieu"],
    )
    batch_update(batch=batch, mapping={"Tên đơn vị": "unit", "Điểm tổng hợp": "total"})
    before = ImportRevision.objects.filter(scope=tien_lu, period=august).order_by("-number").first()

    # Every import goes to the worker; the sweepers look every second at jobs waiting 2 s or more.
    # The PDF goes to a folder of the test's own (a file left by another run would be found, not made).
    portal = start_portal(REDIS_URL=private_redis.url, IMPORT_BACKGROUND_BYTES="0", MEDIA_ROOT=str(tmp_path))
    leader, staff = Browser(portal.base), Browser(portal.base)
    leader.login("lanhdao", PASSWORD)
    staff.login("nhaplieu", PASSWORD)

    private_redis.stop()
    assert fetch(portal.base + "/") == 200
    assert fetch(portal.base + "/xep-hang/?parent=legacy.332&level=commune") == 200

    # The leader finalises the dispatch: accepted (not a 500), the render waits with the reason.
    assert leader.post(f"/cong-van/{draft.pk}/chot/", {}, form_page=f"/cong-van/{draft.pk}/") == 302
    draft.refresh_from_db()
    assert (draft.status, draft.render_state) == (Dispatch.Status.FINAL, RenderState.QUEUED)
    assert "chờ hàng đợi" in draft.render_error

    # Staff apply a file: the batch waits for a worker, nothing is written yet.
    assert staff.post(f"/nhap-lieu/{batch.pk}/ghi/", {}, form_page=f"/nhap-lieu/{batch.pk}/xem-truoc/") == 302
    batch.refresh_from_db()
    assert (batch.state, batch.progress) == (ImportBatch.State.APPLYING, 0)

    # Staff revert the month to its last revision: written at once, its ranking runs wait.
    revisions_page = f"/nhap-lieu/lich-su/{tien_lu.pk}/2024-08/"
    assert staff.post(f"/nhap-lieu/lich-su/{before.pk}/hoan-tac/", {}, form_page=revisions_page) == 302
    waiting = RankingRun.objects.filter(pk__gt=last_run)
    assert waiting.filter(period_key="2024-08").exists()
    assert set(waiting.values_list("state", flat=True)) == {RankingRun.State.QUEUED}
    assert all("chờ hàng đợi" in error for error in waiting.values_list("error", flat=True))

    private_redis.start()
    start_worker(
        beat=True,
        REDIS_URL=private_redis.url,
        MEDIA_ROOT=str(tmp_path),
        REQUEUE_INTERVAL_SECONDS="1",
        REQUEUE_AFTER_SECONDS="2",
    )

    def finished() -> bool:
        runs = set(RankingRun.objects.filter(pk__gt=last_run).values_list("state", flat=True))
        return (
            Dispatch.objects.get(pk=draft.pk).render_state == RenderState.DONE
            and ImportBatch.objects.get(pk=batch.pk).state == ImportBatch.State.APPLIED
            and runs == {RankingRun.State.DONE}
        )

    _wait(finished, timeout=180, what="the dispatch, the import and the ranking runs", log=worker_log)

    # Nothing lost: the PDF is stored, the file became one revision and ranks Cương Chính first.
    dispatch = Dispatch.objects.get(pk=draft.pk)
    assert dispatch.pdf and dispatch.pdf_sha256
    batch.refresh_from_db()
    assert batch.revision.number == before.number + 2  # the revert, then the file
    assert ImportRevision.objects.filter(scope=tien_lu, period=august, file_name="sua-cuong-chinh.xlsx").count() == 1
    # Sweeps every second may have re-sent a job before a worker took it; each ran to one result.
    assert AuditEvent.objects.filter(action="dispatch_render", unit=tien_lu, period=august).count() == 1
    first = RankingResult.objects.get(period_key="2024-08", scope="peer", unit__code=CUONG_CHINH, public=False)
    assert (first.total, first.rank) == (Decimal("95.00"), 1)
    # The public keeps the published month until a leader republishes it.
    public = RankingResult.objects.get(period_key="2024-08", scope="peer", unit__code=CUONG_CHINH, public=True)
    assert (public.total, public.rank) == (Decimal("83.28"), 15)
