"""Background tasks (Django Tasks API) that have no home in a domain app."""

import io

from django.core.management import call_command
from django_tasks import task


@task()
def update_search_index_task():
    """Rebuild the site search index (the same as `manage.py update_index`)."""
    out = io.StringIO()
    call_command("update_index", stdout=out, stderr=out)
    return out.getvalue()[-2000:]
