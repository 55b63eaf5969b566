"""Existing news categories become the default language's categories, each its own translation."""

import uuid

from django.conf import settings
from django.db import migrations
from wagtail.coreutils import get_supported_content_language_variant


def into_default_locale(apps, schema_editor):
    NewsCategory = apps.get_model("news", "NewsCategory")
    Locale = apps.get_model("wagtailcore", "Locale")
    categories = list(NewsCategory.objects.filter(translation_key__isnull=True))
    if not categories:
        return
    language = get_supported_content_language_variant(settings.LANGUAGE_CODE)
    locale, _ = Locale.objects.get_or_create(language_code=language)
    for category in categories:
        category.translation_key = uuid.uuid4()
        category.locale = locale
    NewsCategory.objects.bulk_update(categories, ["translation_key", "locale"])


class Migration(migrations.Migration):
    dependencies = [("news", "0002_newscategory_locale_fields")]

    operations = [migrations.RunPython(into_default_locale, migrations.RunPython.noop)]
