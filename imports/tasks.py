"""Background import of large files, and re-sending what a broker outage held: thin, takes primary keys."""

from celery import shared_task
from django.contrib.auth import get_user_model

from config.enqueue import TASK_OPTIONS

from .models import ImportBatch
from .services import BatchAlreadyApplied, ImportRejected, import_apply, imports_requeue_stale


@shared_task(name="imports.apply", **TASK_OPTIONS)
def import_apply_task(
    batch_id: int, user_id: int | None, expected_revision: int | None = None, confirm_new_units: bool = False
) -> None:
    batch = ImportBatch.objects.select_related("period", "scope").get(pk=batch_id)
    user = get_user_model().objects.filter(pk=user_id).first()
    try:
        import_apply(batch=batch, user=user, expected_revision=expected_revision, confirm_new_units=confirm_new_units)
    except (BatchAlreadyApplied, ImportRejected):
        pass  # run twice, or refused: the outcome and its messages are on the batch


@shared_task(name="imports.requeue_stale")
def imports_requeue_stale_task() -> int:
    """Run by beat every minute: re-send background imports that a broker outage left waiting."""
    return imports_requeue_stale()


@shared_task(name="imports.national_fetch_due")
def national_fetch_due_task() -> int:
    """Beat: on the days the national portal publishes, prepare each watching scope's month."""
    from .national import national_fetch_due

    return national_fetch_due()
