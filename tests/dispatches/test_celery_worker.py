"""Finalising a dispatch queues its rendering on a real Celery worker through Redis (runs when REDIS_URL is set)."""

import time

import pytest
from django.core.files.storage import default_storage

from dispatches.models import Dispatch, RenderState
from dispatches.services import dispatch_draft, dispatch_freeze
from indicators.models import Period
from publishing.services import publication_publish
from units.models import AdministrativeUnit


@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_finalised_dispatch_is_rendered_by_a_worker_and_stored(demo, settings, tmp_path):
    from celery.contrib.testing.worker import start_worker

    from config.celery import app

    settings.MEDIA_ROOT = tmp_path
    town = AdministrativeUnit.objects.get(tree="legacy", code="328")
    publication_publish(period=Period.objects.get(year=2025, month=2), scope=town)
    draft = dispatch_draft(unit=town, period=Period.objects.get(year=2025, month=2), user=None)
    eager = app.conf.task_always_eager
    app.conf.task_always_eager = False
    try:
        with start_worker(app, pool="solo", perform_ping_check=False, loglevel="WARNING"):
            dispatch_freeze(dispatch=draft)  # autocommit: the task is sent at once
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline:
                state = Dispatch.objects.get(pk=draft.pk).render_state
                if state in (RenderState.DONE, RenderState.FAILED):
                    break
                time.sleep(0.2)
    finally:
        app.conf.task_always_eager = eager
    dispatch = Dispatch.objects.get(pk=draft.pk)
    assert dispatch.render_state == RenderState.DONE, dispatch.render_error
    assert default_storage.exists(dispatch.pdf.name) and dispatch.pdf.name.endswith(f"{dispatch.render_key}.pdf")
