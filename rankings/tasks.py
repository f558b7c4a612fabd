"""The ranking task: thin. It fetches the run by id and lets the service do the work."""

from celery import shared_task
from django.db import InterfaceError, OperationalError
from kombu.exceptions import OperationalError as BrokerError

from .services import ranking_run_execute, ranking_run_fail, rankings_requeue_stale

# Only errors that a later attempt can cure are retried: a dropped database connection, a
# deadlock or serialisation failure, a broker hiccup. A bug or bad data fails the run at once.
TRANSIENT = (OperationalError, InterfaceError, BrokerError)
MAX_RETRIES = 5


@shared_task(
    bind=True,
    acks_late=True,  # a worker killed half-way leaves the message to be delivered again
    reject_on_worker_lost=True,
    autoretry_for=TRANSIENT,
    retry_backoff=2,
    retry_backoff_max=120,
    retry_jitter=True,
    max_retries=MAX_RETRIES,
)
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
