"""URLs ending in `.ics` for trade-fair calendars.

Wagtail's catch-all pattern accepts no dot in a path, so `<page>/event.ics` and
`<index>/calendar.ics` need this gateway: it hands the request to Wagtail's own page serving
(view restrictions and serve hooks included), where the pages' routable views answer.
Include it in the project's URL map before Wagtail's catch-all:
`path("", include("events.urls"))` inside the i18n patterns.
"""

from django.urls import re_path
from wagtail import views as wagtail_views


def serve_ics(request, page_path, name):
    return wagtail_views.serve(request, f"{page_path}{name}.ics/")


urlpatterns = [
    re_path(
        r"^(?P<page_path>(?:[\w\-]+/)*)(?P<name>event|calendar)\.ics$",
        serve_ics,
        name="events-ics",
    ),
]
