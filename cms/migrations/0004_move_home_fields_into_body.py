"""Move the home page's fixed headline, introduction and product count into its blocks.

The page keeps what it showed (hero, livestreams, featured products) and gains the fairs,
news and communes map blocks, which show nothing until there is content for them. Revisions
are moved too: the editor opens the latest revision, which must not come up empty.
"""

import json
import uuid

from django.db import migrations

OLD_FIELDS = ("hero_title", "intro", "featured_count")


def body_from(title, hero_title, intro, featured_count):
    def block(kind, value):
        return {"type": kind, "value": value, "id": str(uuid.uuid4())}

    return [
        block("hero", {"heading": hero_title or title, "text": intro or "", "shop_button": True}),
        block("livestreams", {"heading": ""}),
        block(
            "featured_products",
            {"heading": "", "source": "automatic", "count": featured_count or 8, "products": []},
        ),
        block("upcoming_fairs", {"heading": "", "count": 3}),
        block("latest_news", {"heading": "", "count": 3, "category": None}),
        block("communes_map", {"heading": "", "text": ""}),
    ]


def forwards(apps, schema_editor):
    HomePage = apps.get_model("cms", "HomePage")
    Revision = apps.get_model("wagtailcore", "Revision")
    ContentType = apps.get_model("contenttypes", "ContentType")
    for page in HomePage.objects.all():
        if not page.body:
            raw = body_from(page.title, page.hero_title, page.intro, page.featured_count)
            HomePage.objects.filter(pk=page.pk).update(body=raw)
    content_type = ContentType.objects.filter(app_label="cms", model="homepage").first()
    if content_type is None:
        return
    for revision in Revision.objects.filter(content_type=content_type):
        content = dict(revision.content)
        if "body" in content and content["body"] not in (None, "", "[]", []):
            continue
        content["body"] = json.dumps(
            body_from(
                content.get("title", ""),
                content.get("hero_title", ""),
                content.get("intro", ""),
                content.get("featured_count", 8),
            )
        )
        for name in OLD_FIELDS:
            content.pop(name, None)
        revision.content = content
        revision.save(update_fields=["content"])


def backwards(apps, schema_editor):
    HomePage = apps.get_model("cms", "HomePage")
    for page in HomePage.objects.all():
        fields = {}
        for child in page.body.raw_data:
            value = child["value"]
            if child["type"] == "hero" and "hero_title" not in fields:
                fields["hero_title"] = value.get("heading", "")
                fields["intro"] = value.get("text", "")
            if child["type"] == "featured_products" and "featured_count" not in fields:
                fields["featured_count"] = value.get("count") or 8
        if fields:
            HomePage.objects.filter(pk=page.pk).update(**fields)


class Migration(migrations.Migration):
    dependencies = [
        ("cms", "0003_home_body_and_social_links"),
        ("wagtailcore", "0098_apitoken"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
