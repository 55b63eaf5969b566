"""Background task (Django Tasks API): the daily alert digest, run by the scheduler."""

from django_tasks import task

from .sending import send_digest


@task()
def send_alerts_task():
    """Send what is new; safe to run as often as wanted (nothing is sent twice)."""
    return sum(message.count for message in send_digest())
