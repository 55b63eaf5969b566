"""Enqueue the periodic jobs on time; one node at a time holds the lead through a Redis lock."""

import logging
import os
import socket
import threading

import django_rq
from django.conf import settings
from django.utils import timezone
from redis.exceptions import LockError

from .schedule import SCHEDULE

log = logging.getLogger(__name__)

KEY_PREFIX = "ocop:scheduler"


def redis_connection():
    """The Redis the task queues live in."""
    return django_rq.get_connection("default")


class Scheduler:
    """Enqueues each job of `schedule` once per slot while it holds the leader lock."""

    def __init__(self, connection=None, schedule=SCHEDULE, lock_seconds=None, name=None):
        self.connection = connection if connection is not None else redis_connection()
        self.schedule = schedule
        self.lock_seconds = lock_seconds or settings.SCHEDULER_LOCK_SECONDS
        self.name = name or f"{socket.gethostname()}:{os.getpid()}"
        self.lock = self.connection.lock(
            f"{KEY_PREFIX}:leader", timeout=self.lock_seconds, thread_local=False
        )
        self.stopping = threading.Event()
        self._seen = {}  # job name -> last slot handled by this process

    def lead(self):
        """Take or renew the leader lock; True while this scheduler leads."""
        try:
            if self.lock.owned():
                self.lock.reacquire()
                return True
        except LockError:
            log.warning("scheduler %s lost the lead", self.name)
        self._seen.clear()
        return bool(self.lock.acquire(blocking=False, token=self.name))

    def claim(self, job, slot):
        """Mark `slot` of `job` as enqueued; False when some scheduler already did."""
        key = f"{KEY_PREFIX}:{job.name}:{slot}"
        return bool(self.connection.set(key, self.name, nx=True, ex=job.ttl))

    def run_due(self, now=None):
        """Enqueue every job whose current slot nobody has enqueued yet; return their names."""
        now = now or timezone.now()
        started = []
        for job in self.schedule:
            slot = job.slot(now)
            if slot is None or self._seen.get(job.name) == slot:
                continue
            self._seen[job.name] = slot
            if not self.claim(job, slot):
                continue
            try:
                result = job.task.enqueue()
            except Exception:
                # One job failing to enqueue (or, in-process, to run) must not stop the others.
                log.exception("scheduler could not enqueue %s", job.name)
                continue
            log.info("enqueued %s (%s) as %s", job.name, slot, result.id)
            started.append(job.name)
        return started

    def tick(self, now=None):
        return self.run_due(now) if self.lead() else []

    def run(self, interval=5.0):
        """Tick until stop() (SIGTERM/SIGINT in the command), then hand the lead over."""
        try:
            while not self.stopping.is_set():
                self.tick()
                self.stopping.wait(interval)
        finally:
            self.release()

    def stop(self, *args):
        self.stopping.set()

    def release(self):
        try:
            if self.lock.owned():
                self.lock.release()
        except LockError:
            pass
