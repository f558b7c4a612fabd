"""Celery tasks: render a final dispatch's PDF into storage, and re-send renders a broker outage held (thin)."""

from celery import shared_task

from config.enqueue import TASK_OPTIONS

from .models import Dispatch
from .services import dispatch_render, dispatches_requeue_stale


@shared_task(name="dispatches.render", **TASK_OPTIONS)
def dispatch_render_task(dispatch_pk: int) -> str:
    dispatch = Dispatch.objects.select_related("unit", "period").get(pk=dispatch_pk)
    return dispatch_render(dispatch=dispatch).render_key


@shared_task(name="dispatches.requeue_stale")
def dispatches_requeue_stale_task() -> int:
    """Run by beat every minute: re-send renders that a broker outage left queued."""
    return dispatches_requeue_stale()
