"""Background tasks (Django Tasks API): the rollups rebuilt on a schedule."""

from django_tasks import task

from .services import refresh_and_prepare


@task()
def refresh_rollups_task(full=False):
    return refresh_and_prepare(full=full)
