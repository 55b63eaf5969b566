"""English copies of the demo's Vietnamese pages, kept in step with them on every run.

A demo loader creates or updates a Vietnamese page, publishes it, then calls `translate_page`
with the texts that read differently in English. The English page is Wagtail's own translation
of the Vietnamese one (same translation key, found by `get_translations()`), made the first time
by `copy_for_translation` and updated in place afterwards.

What is copied and what is not: the Vietnamese page is the source of facts, the English spec of
words. On every run every field the page class adds to Wagtail's `Page` is copied from the
Vietnamese page unless the spec gives it (dates, places, producer, kind, images, phone …), and
every child relation (fair participants, products stocked or featured, related products, photos)
is replaced by a fresh copy of the Vietnamese one, so a re-run that moves a fair's dates or
changes a booth moves them in both languages. Copying everything except the given texts is
simpler and safer than listing what to sync, which would go stale as fields are added. Tags are
words, so an English spec gives its own; categories and other translatable snippets are swapped
for their English translations. Title, slug and the spec's fields come from the spec only.

Parents are translated first (index, then its items): `copy_for_translation(copy_parents=True)`
would otherwise make an untranslated parent an alias that shows the Vietnamese text.
"""

from modelcluster.fields import ParentalManyToManyField
from taggit.managers import TaggableManager
from wagtail.models import Locale, Page, TranslatableMixin

ENGLISH = "en"
PAGE_FIELDS = frozenset(field.name for field in Page._meta.get_fields())


def english_locale():
    return Locale.objects.get_or_create(language_code=ENGLISH)[0]


def english_home(home):
    """The home page's English translation, or None when the demo has not made it yet."""
    return home.get_translation_or_none(english_locale())


def in_locale(item, locale):
    """A translatable snippet's translation in `locale`, made as a copy when it has none."""
    if not isinstance(item, TranslatableMixin) or item.locale_id == locale.pk:
        return item
    found = item.get_translation_or_none(locale)
    if found is None:
        found = item.copy_for_translation(locale)
        found.save()
    return found


def _own_fields(model):
    for field in model._meta.get_fields():
        if field.name in PAGE_FIELDS or field.auto_created:
            continue
        if getattr(field, "remote_field", None) and getattr(field.remote_field, "parent_link", 0):
            continue
        if field.concrete or isinstance(field, (ParentalManyToManyField, TaggableManager)):
            yield field


def sync_from_source(source, target, texts):
    """Copy onto `target` the source's fields not in `texts` and its child relations."""
    locale = target.locale
    for field in _own_fields(type(source)):
        if field.name in texts:
            continue
        if isinstance(field, TaggableManager):
            continue  # tags are words: the English spec gives its own
        if isinstance(field, ParentalManyToManyField):
            items = [in_locale(item, locale) for item in getattr(source, field.name).all()]
            getattr(target, field.name).set(items)
        else:
            setattr(target, field.attname, getattr(source, field.attname))
    # Page-level relations (editors' comments) belong to each page, tags to each language.
    skip = set(source.default_exclude_fields_in_copy) | set(source.exclude_fields_in_copy)
    skip |= {
        field.through._meta.get_field("content_object").remote_field.related_name
        for field in _own_fields(type(source))
        if isinstance(field, TaggableManager)
    }
    source.copy_all_child_relations(target, exclude=sorted(skip))


def translate_page(source, texts, slug=None):
    """Create or update the English translation of the published page `source`, and publish it.

    `texts` maps field names to English values (title, intro, body …; `tags` a list of words).
    `slug` (or a "slug" key in `texts`) is the English slug; None keeps the Vietnamese one.
    """
    texts = dict(texts)
    slug = texts.pop("slug", None) or slug
    source = source.specific
    locale = english_locale()
    target = source.get_translation_or_none(locale)
    if target is None:
        target = source.copy_for_translation(locale, copy_parents=True)
    target = target.specific
    sync_from_source(source, target, texts)
    tags = texts.pop("tags", None)
    for name, value in texts.items():
        setattr(target, name, value)
    if tags is not None:
        target.tags.set(tags)
    target.slug = slug or source.slug
    target.save_revision().publish()
    return target
