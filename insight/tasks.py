"""Background tasks (Django Tasks API): the rollups rebuilt on a schedule."""

from django_tasks import task

from .rollups import refresh_rollups


@task()
def refresh_rollups_task(full=False):
    return refresh_rollups(full=full)
