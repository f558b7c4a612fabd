"""Dispatch tests run Celery tasks in process, except those that start a real worker (marked redis)."""

import pytest

from .factories import legacy, publish_months, rank_months


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


@pytest.fixture
def tien_lu(demo):
    """Huyện Tiên Lữ with its communes ranked for 7/2024 and 8/2024 by the ranking service, both months
    published by its leader (a final dispatch quotes only published figures)."""
    rank_months("2024-07", "2024-08")
    publish_months(legacy("332"), "2024-07", "2024-08")
    return legacy("332")
