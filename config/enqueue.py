"""The one way the portal sends a Celery task: by name, once the current transaction commits.

Every task has a row that records it is waiting (a ranking run, a dispatch's render state, an
import batch), written in the caller's transaction. The message is sent after the commit, so the
worker never reads what is not committed yet; when the broker cannot be reached the send is given
up quickly (CELERY_TASK_PUBLISH_RETRY_POLICY), the row stays waiting with the reason, and the beat
sweepers (`requeue_stale` of each app) send it again once the broker is back. Tasks are named, so
services send them without importing their task modules (which import the services).

Without a broker (the embedded default) Celery runs the task here, at once: its errors are the
task's own and are recorded on its row by the task, so they are logged and not raised into a
request that has already committed.
"""

import datetime
import logging
from collections.abc import Callable, Iterable

from django.conf import settings
from django.db import InterfaceError, OperationalError, transaction
from kombu.exceptions import OperationalError as BrokerError

from .celery import app

logger = logging.getLogger(__name__)

# Only errors that a later attempt can cure are retried: a dropped database connection (a restart),
# a deadlock or serialisation failure, a broker hiccup. A bug or bad data fails the job at once.
# Ten retries backing off to two minutes ride out about ten minutes of outage; past that the
# sweepers send what is still waiting again.
TRANSIENT = (OperationalError, InterfaceError, BrokerError)
MAX_RETRIES = 10
# Options of every task the portal defines: acknowledged after it ran (a worker killed half-way
# leaves the message to be delivered again) and retried, backing off, on a transient error.
TASK_OPTIONS = {
    "acks_late": True,
    "reject_on_worker_lost": True,
    "autoretry_for": TRANSIENT,
    "retry_backoff": 2,
    "retry_backoff_max": 120,
    "retry_jitter": True,
    "max_retries": MAX_RETRIES,
}


def task_named(name: str):
    """The registered task of that name (the task modules are imported on first use)."""
    if name not in app.tasks:
        app.loader.import_default_modules()  # Celery's autodiscovery of every app's tasks.py
    return app.tasks[name]


def send(name: str, *, args: Iterable = (), task_id: str | None = None, on_unsent: Callable | None = None) -> bool:
    """Hand the task to the broker now. False when the broker is unreachable: `on_unsent(error)` records why."""
    task = task_named(name)
    if app.conf.task_always_eager:
        try:
            task.apply_async(args=list(args), task_id=task_id)
        except Exception:
            logger.exception("Task %s %s failed (run in process)", name, list(args))
        return True
    try:
        task.apply_async(args=list(args), task_id=task_id)
    except Exception as exc:  # kombu and redis raise several types for an unreachable broker: none may lose the job
        logger.warning("Could not queue %s %s yet: %s", name, list(args), exc)
        if on_unsent is not None:
            on_unsent(exc)
        return False
    return True


def enqueue(name: str, *, args: Iterable = (), task_id: str | None = None, on_unsent: Callable | None = None) -> None:
    """Send the task once the current transaction commits (at once outside a transaction)."""
    args = list(args)
    transaction.on_commit(lambda: send(name, args=args, task_id=task_id, on_unsent=on_unsent))


def stale_before(older_than: datetime.timedelta | None = None) -> datetime.datetime:
    """The time before which a waiting job counts as held (a sweeper sends it again)."""
    from django.utils import timezone

    if older_than is None:
        older_than = datetime.timedelta(seconds=settings.REQUEUE_AFTER_SECONDS)
    return timezone.now() - older_than
