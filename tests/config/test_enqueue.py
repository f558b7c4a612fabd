"""One way to send a task: by name, on commit, through config.enqueue; every kind of job has a sweeper."""

import re
from pathlib import Path

import pytest
from django.conf import settings

from config.enqueue import send, task_named

ROOT = Path(__file__).resolve().parents[2]
APPS = ["rankings", "dispatches", "imports", "indicators", "portal", "units", "accounts"]


def _sources():
    for app in APPS:
        for path in (ROOT / app).rglob("*.py"):
            if "migrations" not in path.parts and path.name != "tasks.py":
                yield path, path.read_text()


def test_no_code_sends_a_task_but_the_enqueue_helper():
    offenders = [
        str(path.relative_to(ROOT))
        for path, text in _sources()
        if re.search(r"\.delay\(|\.apply_async\(|send_task\(|from \.tasks import|from \w+\.tasks import", text)
    ]
    assert offenders == []


def test_every_task_the_portal_sends_is_registered_under_its_name_and_swept_by_beat():
    scheduled = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    for app, job in (
        ("rankings", "rankings.compute"),
        ("dispatches", "dispatches.render"),
        ("imports", "imports.apply"),
    ):
        assert task_named(job).name == job
        assert task_named(f"{app}.requeue_stale").name in scheduled


@pytest.mark.django_db
def test_a_task_run_in_process_that_fails_is_logged_not_raised_into_the_committed_request():
    import logging

    from config.celery import app

    records = []
    handler = logging.Handler(level=logging.ERROR)
    handler.emit = records.append  # the records the portal's log handlers receive from this module
    logger = logging.getLogger("config.enqueue")
    logger.addHandler(handler)
    eager = app.conf.task_always_eager
    app.conf.task_always_eager = True
    try:
        assert send("dispatches.render", args=[987654321]) is True  # no such dispatch: the task raises
    finally:
        app.conf.task_always_eager = eager
        logger.removeHandler(handler)
    (record,) = records
    assert record.getMessage() == "Task dispatches.render [987654321] failed (run in process)"
    assert record.exc_info and record.exc_info[0].__name__ == "DoesNotExist"
