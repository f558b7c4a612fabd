"""Celery task: render a final dispatch's PDF into storage (thin; the work is in services)."""

from celery import shared_task

from .models import Dispatch
from .services import dispatch_render


@shared_task(name="dispatches.render", acks_late=True)
def dispatch_render_task(dispatch_pk: int) -> str:
    dispatch = Dispatch.objects.select_related("unit", "period").get(pk=dispatch_pk)
    return dispatch_render(dispatch=dispatch).render_key
