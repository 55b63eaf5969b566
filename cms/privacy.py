"""Pages a visitor may see without signing in, in the same query as the pages themselves.

Wagtail's `PageQuerySet.public()` first reads every view restriction (a query of its own), then
excludes the pages under them. Lists that are counted in query budgets (the scan page's
producer-page map, the home page's livestream strip) and sub-queries use this instead: a page
is public when no page on its path (itself or an ancestor) carries a view restriction.
"""

from django.db.models import Exists, OuterRef
from django.db.models.functions import Length, Substr
from wagtail.models import PageViewRestriction


def restricted_on_path():
    """An Exists() true for a page under a view restriction (password, login, groups)."""
    return Exists(
        PageViewRestriction.objects.filter(
            page__path=Substr(OuterRef("path"), 1, Length("page__path"))
        )
    )


def public_live(queryset):
    """The live pages of `queryset` that ask visitors for nothing (no view restriction)."""
    return queryset.live().exclude(restricted_on_path())
