"""Tasks used only by the tests of the real worker."""

import os
import time

from django_tasks import task


@task()
def whoami(number):
    """Which process ran this, and a value computed from the argument."""
    return {"pid": os.getpid(), "square": number * number}


@task()
def tag_from_worker(name):
    """Write a row, so the test can see the worker used the same database."""
    from taggit.models import Tag

    tag = Tag.objects.create(name=name, slug=name)
    return {"pid": os.getpid(), "tag_id": tag.pk}


@task()
def explode():
    raise ValueError("this task always fails")


@task()
def slow(seconds):
    time.sleep(seconds)
    return os.getpid()


@task()
def ping():
    return os.getpid()
