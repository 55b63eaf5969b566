"""Refresh the search index for rows changed without `save()` (bulk updates of a registry sync)."""

from wagtail.search.backends import get_search_backends


def reindex(queryset):
    """Write the search entries of every object in `queryset` again, in one batch per backend."""
    objects = list(queryset)
    if not objects:
        return 0
    for backend in get_search_backends(with_auto_update=True):
        backend.add_bulk(queryset.model, objects)
    return len(objects)
