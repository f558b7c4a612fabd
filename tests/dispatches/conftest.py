"""Dispatch tests run Celery tasks in process, except those that start a real worker (marked redis)."""

import pytest


@pytest.fixture(autouse=True)
def _celery_in_process(request):
    from config.celery import app

    if "redis" in request.keywords:
        yield
        return
    eager = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = eager
