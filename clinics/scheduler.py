"""Periodic work, run by the task worker: no cron.

Apps register a task to be enqueued every so many seconds (``periodic``).
``manage.py run_worker`` runs Django's task worker with this scheduler
beside it; each period is claimed in the shared cache with ``cache.add``, so
with several workers each period's task is enqueued once, by whichever
worker gets there first, and any worker runs it.
"""

import logging
import threading
import time
from dataclasses import dataclass

from django.core.cache import cache
from django.db import close_old_connections

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class PeriodicTask:
    task: object  # a django_tasks Task
    every: int  # seconds

    @property
    def name(self):
        return self.task.module_path


PERIODIC = {}


def periodic(every):
    """Decorate a ``@task()``: the scheduler enqueues it every ``every`` s."""

    def register(task):
        PERIODIC[task.module_path] = PeriodicTask(task, every)
        return task

    return register


def enqueue_due(now=None):
    """Enqueue each periodic task whose period has begun and that no other
    worker has enqueued for it; the names of those enqueued."""
    now = time.time() if now is None else now
    enqueued = []
    for job in PERIODIC.values():
        period = int(now // job.every)
        if cache.add(f"scheduler:{job.name}:{period}", 1, timeout=job.every * 2):
            job.task.enqueue()
            enqueued.append(job.name)
    return enqueued


def run_forever(interval, stop):
    while not stop.wait(0 if interval is None else interval):
        try:
            enqueue_due()
        except Exception:  # a database or cache outage: try again next time
            logger.exception("The scheduler could not enqueue periodic tasks")
        finally:
            close_old_connections()


def start(interval):
    """The scheduler in a daemon thread of the worker process."""
    stop = threading.Event()
    thread = threading.Thread(
        target=run_forever, args=(interval, stop), name="scheduler", daemon=True
    )
    thread.start()
    return stop
