"""The ranking task: thin. It fetches the run by id and lets the service do the work."""

from celery import shared_task

from config.enqueue import MAX_RETRIES, TASK_OPTIONS, TRANSIENT

from .services import ranking_run_execute, ranking_run_fail, rankings_requeue_stale


@shared_task(name="rankings.compute", bind=True, **TASK_OPTIONS)
def rankings_compute_task(self, run_id: int) -> int:
    try:
        return ranking_run_execute(run_id=run_id).result_count
    except TRANSIENT as exc:
        if self.request.retries >= MAX_RETRIES:
            ranking_run_fail(run_id=run_id, reason=f"{type(exc).__name__}: {exc}")
        raise
    except Exception as exc:
        ranking_run_fail(run_id=run_id, reason=f"{type(exc).__name__}: {exc}")
        raise


@shared_task(name="rankings.requeue_stale")
def rankings_requeue_stale_task() -> int:
    """Run by beat every minute: re-send ranking runs that a broker outage left queued."""
    return rankings_requeue_stale()
