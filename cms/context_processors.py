"""Context every page needs for its header and footer: the language switch."""

from django.conf import settings
from django.urls import translate_url
from django.utils.translation import get_language


def site_chrome(request):
    current = get_language()
    path = request.get_full_path()
    return {
        "language_links": [
            {
                "code": code,
                "name": name,
                "url": translate_url(path, code),
                "active": code == current,
            }
            for code, name in settings.LANGUAGES
        ],
        "site_name": settings.OCOP_SITE_NAME,
    }
