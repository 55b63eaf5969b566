"""What a storefront page tells search engines and link previews: its canonical address, its
language versions (hreflang), and the Open Graph / Twitter card description of it.

Everything here works from objects the page already has (the Wagtail page, the Oscar product
or category) and the request; a template asks for it through `{% seo_meta %}`.
"""

import html
import re
from urllib.parse import urlencode

from django.conf import settings
from django.templatetags.static import static
from django.urls import translate_url
from django.utils.html import strip_tags
from django.utils.text import Truncator
from django.utils.translation import get_language
from wagtail.models import Page

from config.origin import absolute_url

from .images import page_share_rendition

# Query parameters that select a different page of a list; every other parameter (sorting,
# filters, tracking tags) is left out of the canonical address.
PAGINATION_PARAMS = ("page", "past_page")
PAGE_NUMBER = re.compile(r"[0-9]{1,6}")
OG_LOCALES = {"vi": "vi_VN", "en": "en_US"}
DEFAULT_IMAGE = "ocop/img/share-default.png"
DEFAULT_IMAGE_SIZE = (1200, 630)
DESCRIPTION_LENGTH = 200
# Page fields that describe a page, in order of preference.
DESCRIPTION_FIELDS = ("search_description", "intro", "description", "story")


def plain(text, length=DESCRIPTION_LENGTH):
    """Rich text or HTML as one line of plain text, cut at a word."""
    text = " ".join(html.unescape(strip_tags(str(text or ""))).split())
    return Truncator(text).chars(length)


def pagination_query(request):
    """`?page=N` (and the like) when the request asks for a page after the first, else ''."""
    kept = []
    for name in PAGINATION_PARAMS:
        value = request.GET.get(name, "")
        if PAGE_NUMBER.fullmatch(value) and int(value) > 1:
            kept.append((name, int(value)))
    return "?" + urlencode(kept) if kept else ""


def page_versions(page, request):
    """{language code: path} of a Wagtail page's live, public versions (itself included)."""
    versions = {}
    translations = page.get_translations(inclusive=True).live().public().select_related("locale")
    for translation in translations:
        url = translation.get_url(request)
        if url:
            versions[translation.locale.language_code] = url
    return versions


def path_versions(path):
    """{language code: path} of a Django view's page in every language of the site."""
    return {code: translate_url(path, code) for code, _name in settings.LANGUAGES}


def wagtail_page_description(page):
    for field in DESCRIPTION_FIELDS:
        text = plain(getattr(page, field, ""))
        if text:
            return text
    return ""


def share_image(page=None, product=None):
    """{url, width, height} of the picture for link previews: the page's or product's own,
    else the site's default picture."""
    found = None
    if product is not None:
        from shop.catalogue.images import share_thumbnail

        found = share_thumbnail(product)
    elif page is not None:
        found = page_share_rendition(page)
    if found is not None:
        return {
            "url": absolute_url(found.url),
            "width": found.width,
            "height": found.height,
        }
    width, height = DEFAULT_IMAGE_SIZE
    url = absolute_url(static(DEFAULT_IMAGE))
    return {"url": url, "width": width, "height": height}


def share_metadata(
    request,
    page=None,
    product=None,
    category=None,
    title="",
    description="",
    og_type="",
    site_name="",
):
    """Everything `includes/seo_meta.html` prints for one page.

    `title`, `description` and `og_type` given by a template win over what is found on the
    page, product or category.
    """
    if not isinstance(page, Page):
        page = None
    language = get_language() or settings.LANGUAGE_CODE
    query = pagination_query(request)

    if page is not None:
        path = page.get_url(request) or request.path
        versions = page_versions(page, request) if page.live else {}
        title = title or page.seo_title or page.title
        description = description or wagtail_page_description(page)
        og_type = og_type or getattr(page, "og_type", "website")
    else:
        path = request.path
        # Oscar's and our own views: the same path exists under every language prefix.
        versions = path_versions(path)
        if product is not None:
            title = title or product.get_title()
            description = description or plain(product.get_meta_description())
            og_type = og_type or "product"
        elif category is not None:
            title = title or category.name
            description = description or plain(category.get_meta_description())
    language_code = language.split("-")[0]
    alternates = [
        {"code": code, "url": absolute_url(url + query)}
        for code, _name in settings.LANGUAGES
        if (url := versions.get(code))
    ]
    default_url = versions.get(settings.LANGUAGE_CODE)
    if default_url:
        alternates.append({"code": "x-default", "url": absolute_url(default_url + query)})
    image = share_image(page=page, product=product)
    return {
        "title": " ".join(str(title or "").split()) or site_name,
        "description": plain(description),
        "canonical": absolute_url(path + query),
        "alternates": alternates,
        "og_type": og_type or "website",
        "og_locale": OG_LOCALES.get(language_code, language_code),
        "og_locale_alternates": [
            OG_LOCALES.get(item["code"], item["code"])
            for item in alternates
            if item["code"] not in ("x-default", language_code)
        ],
        "image": image,
        "twitter_card": "summary_large_image" if image else "summary",
        "site_name": site_name,
    }
