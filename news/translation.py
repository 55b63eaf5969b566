"""Translating articles keeps each language's news under its own language's categories.

Wagtail copies an article for translation with the same category rows as the source; this
moves the copy to the categories' translations, creating a translation (to be renamed by an
editor) for a category that has none in that language yet.
"""

from django.dispatch import receiver
from wagtail.signals import copy_for_translation_done

from .models import NewsArticlePage, NewsCategory


def category_in_locale(category, locale):
    """The category's translation in `locale`; a copy under a free slug when it has none."""
    found = category.get_translation_or_none(locale)
    if found is not None:
        return found
    copy = category.copy_for_translation(locale)
    slug, number = copy.slug, 1
    while NewsCategory.objects.filter(slug=copy.slug, locale=locale).exists():
        number += 1
        copy.slug = f"{slug}-{number}"
    copy.save()
    return copy


@receiver(copy_for_translation_done)
def file_translation_under_own_categories(sender, source_obj, target_obj, **kwargs):
    if not isinstance(target_obj, NewsArticlePage):
        return
    categories = [
        category_in_locale(category, target_obj.locale) for category in source_obj.categories.all()
    ]
    target_obj.categories.set(categories)
    target_obj.save(update_fields=["categories"], clean=False)
    revision = target_obj.latest_revision
    if revision is not None:
        # The editor opens the latest revision: it must name the same categories.
        revision.content["categories"] = [category.pk for category in categories]
        revision.save(update_fields=["content"])
