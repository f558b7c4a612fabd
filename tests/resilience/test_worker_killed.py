"""A Celery worker killed with SIGKILL in the middle of a dispatch render or an import apply: the
message goes back to the queue, a restarted worker finishes the job, and nothing is done twice.
(The ranking task's own test is tests/rankings/test_worker.py.)

The worker is stopped half-way by a lock that this test holds, as that test does: the job has done
part of its work (laid out and stored the PDF; read and checked the file) when it is killed.
"""

import datetime

import psycopg
import pytest
from django.contrib.auth import get_user_model
from django.core.files.storage import default_storage

from accounts.models import AuditEvent, UnitAssignment
from dispatches.models import Dispatch, RenderState
from dispatches.services import dispatch_draft, dispatch_freeze
from imports.models import ImportBatch
from imports.services import batch_create, batch_update, import_apply_enqueue, latest_revision_number
from indicators.models import ImportRevision, Period
from tests.dispatches.factories import rank_children
from tests.imports.conftest import xlsx_bytes
from tests.workers import _database_url, _wait
from units.models import AdministrativeUnit

pytestmark = [
    pytest.mark.redis,
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def _connect() -> psycopg.Connection:
    return psycopg.connect(_database_url().replace("postgres://", "postgresql://"))


def _waiting_on(query_start: str) -> bool:
    """A session (the worker's) waits for a lock in a statement that starts so."""
    with psycopg.connect(_database_url().replace("postgres://", "postgresql://"), autocommit=True) as conn:
        row = conn.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
            "AND wait_event_type = 'Lock' AND query ILIKE %s",
            [query_start + "%"],
        ).fetchone()
    return row[0] > 0


def test_a_render_killed_half_way_is_finished_by_the_next_worker_once(
    demo_committed, start_worker, worker_log, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    tien_lu = AdministrativeUnit.objects.get(tree="legacy", code="332")
    for month in (7, 8):
        rank_children(parent=tien_lu, year=2024, month=month)
    august = Period.objects.get(year=2024, month=8)
    dispatch = dispatch_freeze(dispatch=dispatch_draft(unit=tien_lu, period=august, user=None))  # queued

    # Another session holds the audit trail: the render lays out the pages and stores the file, then
    # waits to record it. The worker is killed there, half-way.
    blocker = _connect()
    blocker.execute("LOCK TABLE accounts_auditevent IN EXCLUSIVE MODE")
    try:
        worker = start_worker(MEDIA_ROOT=str(tmp_path))
        _wait(
            lambda: _waiting_on('INSERT INTO "accounts_auditevent"'),
            timeout=120,
            what="the render to wait for the audit trail",
            log=worker_log,
        )
        assert Dispatch.objects.get(pk=dispatch.pk).render_state == RenderState.RUNNING
        worker.kill()
    finally:
        blocker.rollback()
        blocker.close()
    assert Dispatch.objects.get(pk=dispatch.pk).render_state == RenderState.RUNNING  # left half-done

    start_worker(MEDIA_ROOT=str(tmp_path), CELERY_VISIBILITY_TIMEOUT="1")  # the message comes back
    _wait(
        lambda: Dispatch.objects.get(pk=dispatch.pk).render_state == RenderState.DONE,
        timeout=120,
        what="the redelivered render",
        log=worker_log,
    )
    done = Dispatch.objects.get(pk=dispatch.pk)
    assert default_storage.exists(done.pdf.name) and done.pdf.name.endswith(f"{done.render_key}.pdf")
    assert default_storage.listdir("dispatches")[1] == [f"{done.render_key}.pdf"]  # one file
    assert AuditEvent.objects.filter(action="dispatch_render", unit=tien_lu, period=august).count() == 1


def test_an_import_killed_half_way_is_applied_by_the_next_worker_once(demo_committed, start_worker, worker_log):
    tien_lu = AdministrativeUnit.objects.get(tree="legacy", code="332")
    august = Period.objects.get(year=2024, month=8)
    staff = get_user_model().objects.create_user("nhaplieu", password="mat-khau-dai-123")
    UnitAssignment.objects.create(user=staff, unit=tien_lu, role="staff")
    batch = batch_create(
        data=xlsx_bytes([["Tên đơn vị", "Điểm tổng hợp"], ["Xã Cương Chính", "95,00"]]),
        file_name="sua-cuong-chinh.xlsx",
        period=august,
        scope=tien_lu,
        data_as_of=datetime.datetime(2024, 9, 10, 8, tzinfo=datetime.UTC),
        user=staff,
    )
    batch_update(batch=batch, mapping={"Tên đơn vị": "unit", "Điểm tổng hợp": "total"})
    revisions = ImportRevision.objects.filter(scope=tien_lu, period=august).count()

    # Another session holds the month's revisions: the worker takes the batch and waits inside the
    # transaction that checks the latest revision and would write the file. It is killed there, half-way.
    blocker = _connect()
    blocker.execute(
        "SELECT 1 FROM indicators_importrevision WHERE scope_id = %s AND period_id = %s FOR UPDATE",
        [tien_lu.pk, august.pk],
    )
    try:
        worker = start_worker()
        # As the web's "Ghi" sends it: compared with the latest revision, no new unit to confirm.
        expected = latest_revision_number(period=august, scope=tien_lu)
        import_apply_enqueue(batch=batch, user=staff, expected_revision=expected, confirm_new_units=False)
        _wait(
            lambda: _waiting_on('SELECT %"indicators_importrevision"%FOR UPDATE'),
            timeout=60,
            what="the apply to wait for the revisions",
            log=worker_log,
        )
        assert ImportBatch.objects.get(pk=batch.pk).state == ImportBatch.State.APPLYING
        worker.kill()
    finally:
        blocker.rollback()
        blocker.close()
    half = ImportBatch.objects.get(pk=batch.pk)
    assert (half.state, half.revision) == (ImportBatch.State.APPLYING, None)
    assert ImportRevision.objects.filter(scope=tien_lu, period=august).count() == revisions  # nothing written

    start_worker(CELERY_VISIBILITY_TIMEOUT="1")
    _wait(
        lambda: ImportBatch.objects.get(pk=batch.pk).state == ImportBatch.State.APPLIED,
        timeout=120,
        what="the redelivered import",
        log=worker_log,
    )
    assert ImportRevision.objects.filter(scope=tien_lu, period=august).count() == revisions + 1
    assert ImportRevision.objects.filter(file_name="sua-cuong-chinh.xlsx").count() == 1
