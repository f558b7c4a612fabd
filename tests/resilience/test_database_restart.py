"""PostgreSQL restarted under a running portal and worker: pages answer 503 with Retry-After while it
is down (not a 500, not a hang) and recover without a restart; the jobs queued before it went down —
a dispatch render, a background import, ranking runs — finish once it is back, each exactly once.

The cluster is the test's own (tests/resilience/servers.py: initdb into a temporary folder, a copy
of the test database, a free port), and so is the Redis: the shared servers are never stopped.
"""

import datetime
import time

import psycopg
import pytest
from django.contrib.auth import get_user_model

from accounts.models import UnitAssignment
from dispatches.services import dispatch_draft
from imports.services import batch_create, batch_update
from indicators.models import ImportRevision, Period
from tests.dispatches.factories import rank_children
from tests.imports.conftest import xlsx_bytes
from tests.workers import _wait
from units.models import AdministrativeUnit

from .conftest import committed_database_url
from .servers import Browser, fetch

pytestmark = [
    pytest.mark.redis,
    pytest.mark.postgres,
    pytest.mark.needs("initdb", "pg_ctl", "pg_dump", "psql", "redis-server"),
    pytest.mark.argon2,  # gunicorn checks the passwords with the production hashers
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]
PASSWORD = "mat-khau-dai-123"


class Private:
    """Reads of the private database (the test's own Django connection is to the shared one)."""

    def __init__(self, url: str):
        self.url = url.replace("postgres://", "postgresql://")

    def value(self, sql: str, *params):
        try:
            with psycopg.connect(self.url, autocommit=True, connect_timeout=2) as conn:
                row = conn.execute(sql, params).fetchone()
        except psycopg.OperationalError:
            return None  # down (or still starting)
        return row[0] if row else None


def _status(url: str) -> tuple[int, str | None]:
    import urllib.error
    import urllib.request

    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, response.headers.get("Retry-After")
    except urllib.error.HTTPError as exc:
        return exc.code, exc.headers.get("Retry-After")


@pytest.fixture
def prepared(demo_committed):
    """The month's data, a leader and a staff member, a draft dispatch and an uploaded file, committed."""
    tien_lu = AdministrativeUnit.objects.get(tree="legacy", code="332")
    august = Period.objects.get(year=2024, month=8)
    for month in (7, 8):
        rank_children(parent=tien_lu, year=2024, month=month)
    users = {}
    for name, role in (("lanhdao", "leader"), ("nhaplieu", "staff")):
        users[name] = get_user_model().objects.create_user(name, password=PASSWORD)
        UnitAssignment.objects.create(user=users[name], unit=tien_lu, role=role)
    draft = dispatch_draft(unit=tien_lu, period=august, user=users["lanhdao"])
    batch = batch_create(
        data=xlsx_bytes([["Tên đơn vị", "Điểm tổng hợp"], ["Xã Cương Chính", "95,00"]]),
        file_name="sua-cuong-chinh.xlsx",
        period=august,
        scope=tien_lu,
        data_as_of=datetime.datetime(2024, 9, 10, 8, tzinfo=datetime.UTC),
        user=users["nhaplieu"],
    )
    batch_update(batch=batch, mapping={"Tên đơn vị": "unit", "Điểm tổng hợp": "total"})
    latest = ImportRevision.objects.filter(scope=tien_lu, period=august).order_by("-number").first()
    return {"tien_lu": tien_lu, "draft": draft, "batch": batch, "latest": latest}


# Longer than 60 lines on purpose: one outage in order (before, during, after), each phase asserted where it happens.
def test_pages_answer_503_while_postgres_is_down_and_every_queued_job_finishes_once_after(
    prepared, private_postgres, private_redis, start_portal, start_worker, worker_log, tmp_path
):
    database = private_postgres.copy_database(source_url=committed_database_url(), name="portal")
    private = Private(database)
    env = {"DATABASE_URL": database, "REDIS_URL": private_redis.url}
    portal = start_portal(**env, IMPORT_BACKGROUND_BYTES="0", MEDIA_ROOT=str(tmp_path))
    search = portal.base + "/api/v1/units/?q=thu%20sy"  # never cached: it needs the database
    assert fetch(portal.base + "/") == 200 and fetch(search) == 200

    # Jobs queued while everything is up, and no worker yet.
    draft, batch, tien_lu = prepared["draft"], prepared["batch"], prepared["tien_lu"]
    leader, staff = Browser(portal.base), Browser(portal.base)
    leader.login("lanhdao", PASSWORD)
    staff.login("nhaplieu", PASSWORD)
    assert leader.post(f"/cong-van/{draft.pk}/chot/", {}, form_page=f"/cong-van/{draft.pk}/") == 302
    assert staff.post(f"/nhap-lieu/{batch.pk}/ghi/", {}, form_page=f"/nhap-lieu/{batch.pk}/xem-truoc/") == 302
    revisions = f"/nhap-lieu/lich-su/{tien_lu.pk}/2024-08/"
    assert staff.post(f"/nhap-lieu/lich-su/{prepared['latest'].pk}/hoan-tac/", {}, form_page=revisions) == 302

    private_postgres.stop()
    try:
        started = time.monotonic()
        health, (api, retry_after), home = fetch(portal.base + "/healthz"), _status(search), fetch(portal.base + "/")
        # An error answer at once, not a hung connection; a page already in the cache may still be served.
        assert (health, api, retry_after) == (503, 503, "30")
        assert home in (200, 503)
        assert "thử lại sau" in Browser(portal.base).get("/api/v1/units/?q=x")[1]
        print(f"\nanswers while the database is down: {time.monotonic() - started:.2f} s for three requests")
        # A worker starts now: every job it takes fails to reach the database and is retried later.
        start_worker(
            beat=True, **env, MEDIA_ROOT=str(tmp_path), REQUEUE_INTERVAL_SECONDS="2", REQUEUE_AFTER_SECONDS="5"
        )
        _wait(lambda: "Retry in" in worker_log.read_text(errors="replace"), timeout=60, what="a retry", log=worker_log)
    finally:
        private_postgres.start()

    for _ in range(60):
        if fetch(portal.base + "/healthz") == 200:
            break
        time.sleep(0.5)
    assert [fetch(search) for _ in range(6)] == [200] * 6  # every web worker recovered, without a restart

    def finished() -> bool:
        return (
            private.value("SELECT render_state FROM dispatches_dispatch WHERE id = %s", draft.pk) == "done"
            and private.value("SELECT state FROM imports_importbatch WHERE id = %s", batch.pk) == "applied"
            # The revert's runs, and the demo's that nobody sent (the sweeper sends them now).
            and private.value("SELECT COUNT(*) FROM rankings_rankingrun WHERE state <> 'done'") == 0
        )

    _wait(finished, timeout=240, what="every queued job to finish", log=worker_log)
    # Nothing duplicated: one revision from the file, one rendered file recorded.
    assert private.value("SELECT COUNT(*) FROM indicators_importrevision WHERE file_name = 'sua-cuong-chinh.xlsx'") == 1
    assert (
        private.value(
            "SELECT COUNT(*) FROM accounts_auditevent WHERE action = 'dispatch_render' AND unit_id = %s", tien_lu.pk
        )
        == 1
    )
    assert (
        private.value(
            "SELECT rank FROM rankings_rankingresult r JOIN units_administrativeunit u ON u.id = r.unit_id "
            "WHERE r.period_key = '2024-08' AND r.scope = 'peer' AND u.tree = 'legacy' AND u.code = '12376' "
            "AND NOT r.public"
        )
        == 1
    )
    # The public keeps the published month (Cương Chính last) until a leader republishes it.
    assert (
        private.value(
            "SELECT rank FROM rankings_rankingresult r JOIN units_administrativeunit u ON u.id = r.unit_id "
            "WHERE r.period_key = '2024-08' AND r.scope = 'peer' AND u.tree = 'legacy' AND u.code = '12376' "
            "AND r.public"
        )
        == 15
    )
