"""Context every page needs for its header and footer: the language switch."""

from django.conf import settings
from django.urls import translate_url
from django.utils.translation import get_language
from wagtail.models import Page


def _page_translation_urls(request):
    """{language code: URL} of the served Wagtail page's live translations, else None.

    Translations have their own slugs (/tin-tuc/ is /en/news/), so swapping the language
    prefix of the path would lead nowhere; a language without a translation gets its home page.
    """
    match = getattr(request, "resolver_match", None)
    if match is None or match.url_name != "wagtail_serve":
        return None
    # Routed (and cached on the request) by Wagtail's serve view already: no new query.
    page = Page.find_for_request(request, match.kwargs.get("path", ""))
    if page is None:
        return None
    translations = page.get_translations(inclusive=True).live().select_related("locale")
    return {other.locale.language_code: other.get_url(request) for other in translations}


def site_chrome(request):
    current = get_language()
    path = request.get_full_path()
    page_urls = _page_translation_urls(request)

    def url_in(code):
        if page_urls is None:
            return translate_url(path, code)
        return page_urls.get(code) or translate_url("/", code)

    return {
        "language_links": [
            {"code": code, "name": name, "url": url_in(code), "active": code == current}
            for code, name in settings.LANGUAGES
        ],
        "site_name": settings.OCOP_SITE_NAME,
    }
