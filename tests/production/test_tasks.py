"""Tasks queued in Redis and run by a separate RQ worker process; the periodic scheduler."""

import datetime
import io
import os
import signal
import subprocess
import sys
import time
from configparser import ConfigParser
from pathlib import Path

import django_rq
import pytest
import redis
from django.conf import settings as django_settings
from django.core.management import call_command, get_commands, load_command_class
from django.core.management.base import CommandError
from django_tasks import TaskResultStatus
from django_tasks.base import Task
from redis.exceptions import ConnectionError as RedisConnectionError

from jobs.schedule import SCHEDULE, Job
from jobs.scheduler import Scheduler
from tests.production import worker_tasks
from tests.production.conftest import database_url

REDIS_TEST_URL = "redis://127.0.0.1:6379/7"
QUEUES = ["default", "slow"]
WAIT_SECONDS = 30
ZONE = datetime.timezone(datetime.timedelta(hours=7))  # Asia/Ho_Chi_Minh has no DST


@pytest.fixture
def rq_redis(settings):
    """Redis database 7, emptied before and after; TASKS pointing at it through RQ."""
    conn = redis.Redis.from_url(REDIS_TEST_URL)
    try:
        conn.ping()
    except RedisConnectionError:
        pytest.skip(f"Redis is not reachable at {REDIS_TEST_URL}: the worker needs it")
    conn.flushdb()
    settings.RQ_QUEUES = {name: {"URL": REDIS_TEST_URL} for name in QUEUES}
    settings.TASKS = {"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": QUEUES}}
    yield conn
    conn.flushdb()
    conn.close()


def start_worker(*options, database=False):
    """`manage.py rqworker default slow` in its own process, with the test's settings."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "TASKS_BACKEND": "rq",
        "TASKS_REDIS_URL": REDIS_TEST_URL,
    }
    if database:
        env["DATABASE_URL"] = database_url()
    return subprocess.Popen(
        [sys.executable, "manage.py", "rqworker", *QUEUES, *options],
        cwd=django_settings.BASE_DIR,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def finish(worker, timeout=WAIT_SECONDS):
    """Wait for the worker to exit; its output (killed, with the output, if it hangs)."""
    try:
        output, _ = worker.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        worker.kill()
        output, _ = worker.communicate()
        pytest.fail(f"the worker did not exit within {timeout} s:\n{output}")
    return output


def wait_for(result, statuses, timeout=WAIT_SECONDS):
    deadline = time.monotonic() + timeout
    while True:
        result.refresh()
        if result.status in statuses or time.monotonic() > deadline:
            return result
        time.sleep(0.1)


def test_a_task_runs_in_a_separate_worker_process(rq_redis):
    result = worker_tasks.whoami.enqueue(12)
    # Queued in Redis, not run by the process that enqueued it.
    result.refresh()
    assert result.status == TaskResultStatus.READY
    assert django_rq.get_queue("default").count == 1

    output = finish(start_worker("--burst"))

    result.refresh()
    assert result.status == TaskResultStatus.SUCCESSFUL, output
    assert result.return_value["square"] == 144
    assert result.return_value["pid"] != os.getpid()
    assert result.worker_ids and result.finished_at is not None
    assert django_rq.get_queue("default").count == 0


def test_the_worker_uses_the_same_database(rq_redis, committed_db):
    from taggit.models import Tag

    result = worker_tasks.tag_from_worker.enqueue("made-by-the-worker")
    output = finish(start_worker("--burst", database=True))

    result.refresh()
    assert result.status == TaskResultStatus.SUCCESSFUL, output
    assert result.return_value["pid"] != os.getpid()
    tag = Tag.objects.get(pk=result.return_value["tag_id"])
    assert tag.name == "made-by-the-worker"


def test_a_failing_task_is_reported_failed(rq_redis):
    result = worker_tasks.explode.enqueue()
    finish(start_worker("--burst"))

    result.refresh()
    assert result.status == TaskResultStatus.FAILED
    assert [error.exception_class_path for error in result.errors] == ["builtins.ValueError"]
    assert "this task always fails" in result.errors[0].traceback
    assert django_rq.get_queue("default").failed_job_registry.count == 1


def test_sigterm_lets_the_running_task_finish(rq_redis):
    result = worker_tasks.slow.using(queue_name="slow").enqueue(2)
    worker = start_worker()
    try:
        running = wait_for(
            result, {TaskResultStatus.RUNNING, TaskResultStatus.SUCCESSFUL, TaskResultStatus.FAILED}
        )
        assert running.status == TaskResultStatus.RUNNING
        worker.send_signal(signal.SIGTERM)
        output = finish(worker)
    finally:
        if worker.poll() is None:
            worker.kill()
            worker.communicate()
    result.refresh()
    assert result.status == TaskResultStatus.SUCCESSFUL, output
    assert worker.returncode == 0, output


# --- The scheduler ----------------------------------------------------------------------------


def test_the_schedule():
    jobs = {job.name: job for job in SCHEDULE}
    minute = datetime.timedelta(minutes=1)
    assert {name: job.every for name, job in jobs.items() if job.every} == {
        "flush_scans": minute,
        "expire_orders": 5 * minute,
        "refresh_rollups": 10 * minute,
        "sync_registry": 30 * minute,
        "reconcile_payments": 60 * minute,
    }
    assert jobs["send_alerts"].at == datetime.time(7, 0)
    assert jobs["update_index"].at.hour < 5  # at night
    for job in SCHEDULE:
        assert isinstance(job.task, Task)
        assert job.task.queue_name == job.queue
        assert job.queue in django_settings.TASK_QUEUES
    assert {job.name for job in SCHEDULE if job.queue == "slow"} == {
        "refresh_rollups",
        "sync_registry",
        "update_index",
    }


def test_slots():
    every_five = Job("x", "tests.production.worker_tasks.ping", every=datetime.timedelta(minutes=5))
    at_seven = Job("y", "tests.production.worker_tasks.ping", at=datetime.time(7, 0))
    day = datetime.datetime(2026, 3, 2, 6, 59, 59, tzinfo=ZONE)
    assert every_five.slot(day) == every_five.slot(day.replace(minute=55))
    assert every_five.slot(day) != every_five.slot(day.replace(hour=7, minute=0, second=0))
    assert at_seven.slot(day) is None
    assert at_seven.slot(day.replace(hour=7, second=0)) == "2026-03-02"
    assert at_seven.slot(day + datetime.timedelta(days=1, hours=1)) == "2026-03-03"
    assert at_seven.next_run(day) == datetime.datetime(2026, 3, 2, 7, 0, tzinfo=ZONE)
    with pytest.raises(ValueError):
        Job("z", "tests.production.worker_tasks.ping")


PING_EVERY_MINUTE = (
    Job("ping", "tests.production.worker_tasks.ping", every=datetime.timedelta(minutes=1)),
)


def test_two_schedulers_enqueue_each_slot_once(rq_redis):
    first = Scheduler(rq_redis, PING_EVERY_MINUTE, name="node-a")
    second = Scheduler(rq_redis, PING_EVERY_MINUTE, name="node-b")
    now = datetime.datetime(2026, 3, 2, 10, 0, 5, tzinfo=ZONE)
    try:
        assert first.tick(now) == ["ping"]
        assert second.tick(now) == []  # not the leader
        assert first.tick(now + datetime.timedelta(seconds=30)) == []  # same minute
        first.release()  # node a stops: b takes the lead but does not repeat a's minute
        assert second.tick(now + datetime.timedelta(seconds=40)) == []
        assert second.tick(now + datetime.timedelta(seconds=60)) == ["ping"]
        assert first.tick(now + datetime.timedelta(seconds=120)) == []  # b leads now
    finally:
        first.release()
        second.release()
    assert django_rq.get_queue("default").count == 2


def test_a_dead_leader_is_replaced_when_its_lock_expires(rq_redis):
    first = Scheduler(rq_redis, PING_EVERY_MINUTE, lock_seconds=1, name="node-a")
    second = Scheduler(rq_redis, PING_EVERY_MINUTE, lock_seconds=1, name="node-b")
    now = datetime.datetime(2026, 3, 2, 10, 0, 5, tzinfo=ZONE)
    assert first.lead() and not second.lead()
    time.sleep(1.2)  # node a stopped renewing
    assert second.tick(now + datetime.timedelta(minutes=1)) == ["ping"]
    assert first.tick(now + datetime.timedelta(minutes=2)) == []
    second.release()


def test_the_command_enqueues_the_due_jobs_on_their_queues(rq_redis):
    out = io.StringIO()
    call_command("ocop_scheduler", "--once", stdout=out)
    interval_jobs = {job.name for job in SCHEDULE if job.every}
    assert interval_jobs <= set(out.getvalue().split(": ", 1)[1].strip().split(", "))
    # Nothing ran: the jobs wait in Redis for a worker, each on its own queue.
    assert django_rq.get_queue("default").count >= 3
    assert django_rq.get_queue("slow").count >= 2

    out = io.StringIO()
    call_command("ocop_scheduler", "--once", stdout=out)
    assert out.getvalue().strip() == "enqueued: nothing due"


def test_the_command_lists_the_schedule_and_refuses_a_bad_interval():
    out = io.StringIO()
    call_command("ocop_scheduler", "--list", stdout=out)
    lines = out.getvalue().splitlines()
    assert [line.split()[0] for line in lines] == [job.name for job in SCHEDULE]
    with pytest.raises(CommandError):
        call_command("ocop_scheduler", "--interval", "0")


# --- The systemd units ------------------------------------------------------------------------

UNITS = Path(django_settings.BASE_DIR) / "deploy" / "systemd"


def manage_commands(unit):
    parser = ConfigParser(interpolation=None, strict=False)
    parser.optionxform = str
    parser.read(unit, encoding="utf-8")
    for line in parser["Service"]["ExecStart"].splitlines():
        words = line.replace("%i", "default").split()
        position = next(i for i, word in enumerate(words) if word.endswith("manage.py"))
        yield parser, words[position + 1], words[position + 2 :]


@pytest.mark.parametrize("unit", sorted(UNITS.glob("*.service")), ids=lambda path: path.name)
def test_each_unit_runs_a_management_command_that_exists(unit):
    commands = get_commands()
    for parser, name, args in manage_commands(unit):
        assert name in commands, f"{unit.name}: no command {name!r}"
        # The arguments parse as the command expects them.
        load_command_class(commands[name], name).create_parser("manage.py", name).parse_args(args)
        if parser["Service"].get("Type") != "oneshot":  # long-running: stop cleanly, restart
            assert parser["Service"]["KillSignal"] == "SIGTERM"
            assert parser["Service"]["Restart"] == "always"


def test_the_units_cover_the_worker_queues_and_the_scheduler():
    units = {path.name for path in UNITS.glob("*.service")}
    assert {"ocop-worker@.service", "ocop-scheduler.service"} <= units
