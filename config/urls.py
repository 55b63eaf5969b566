"""URL map. Wagtail owns `/`; the shop lives under /shop/; Wagtail's catch-all comes last.

Vietnamese is served without a prefix, English under /en/.
"""

import re

from django.apps import apps
from django.conf import settings
from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.contrib.auth.decorators import login_required
from django.urls import include, path, re_path
from django.views.i18n import JavaScriptCatalog
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.documents import urls as wagtaildocs_urls

from config import views as config_views
from config.api import api
from seo import views as seo_views
from shop.order import customer_views
from shop.payments import views as payment_views
from sitesearch import views as sitesearch_views
from traceability import views as traceability_views

admin.site.site_header = settings.OCOP_SITE_NAME
admin.site.site_title = settings.OCOP_SITE_NAME

urlpatterns = [
    # Probed by load balancers: no language prefix, no redirect, no transaction.
    path("healthz", config_views.healthz, name="healthz"),
    path("readyz", config_views.readyz, name="readyz"),
    # Printed on labels: these never change meaning (see DESIGN.md).
    re_path(r"^01/(?P<rest>.+)$", traceability_views.resolve_digital_link),
    re_path(r"^[qQ]/(?P<code>[^/]+)/?$", traceability_views.resolve_short_code),
    path(".well-known/gs1resolver", traceability_views.resolver_description),
    path("robots.txt", seo_views.robots_txt, name="robots-txt"),
    path("sitemap.xml", seo_views.sitemap, name="sitemap"),
    path("favicon.ico", seo_views.favicon),
    path("admin/", include(wagtailadmin_urls)),
    path("django-admin/", admin.site.urls),
    path("documents/", include(wagtaildocs_urls)),
    path("api/v1/", api.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("shop/payments/stripe/webhook/", payment_views.stripe_webhook, name="stripe-webhook"),
]

urlpatterns += i18n_patterns(
    path("jsi18n/", JavaScriptCatalog.as_view(), name="javascript-catalog"),
    path("shop/payments/", include("shop.payments.urls")),
    path("shop/search/", sitesearch_views.legacy_shop_search),  # before Oscar's own search
    path(  # before Oscar's own: no 500 for a GET or an unknown line
        "shop/accounts/orders/<str:order_number>/<int:line_id>/",
        login_required(customer_views.OrderLineView.as_view()),
    ),
    # A guest's order: found by number and phone or email; Oscar's links (which would ask for
    # an email) lead to the signed order page. Before Oscar's own.
    path(
        "shop/accounts/order-status/",
        customer_views.OrderLookupView.as_view(),
        name="order-lookup",
    ),
    *(
        path(
            f"shop/accounts/{oscar}/<str:order_number>/<str:hash>/",
            customer_views.oscar_order_status,
        )
        for oscar in ("order-status", "order-status-form")
    ),
    path("shop/", include(apps.get_app_config("oscar").urls[0])),
    path("search/", sitesearch_views.search, name="sitesearch"),
    path("", include("events.urls")),  # .ics files of event pages (Wagtail paths have no dots)
    path("", include(wagtail_urls)),
    prefix_default_language=False,
)

if settings.SERVE_MEDIA and not settings.MEDIA_URL.startswith(("http://", "https://")):
    # Uploaded media from the site itself (dev and the demo; production leaves this to the web
    # server or the S3 host in front of it). Through the middleware, as any other answer.
    urlpatterns = [
        re_path(rf"^{re.escape(settings.MEDIA_URL.lstrip('/'))}(?P<path>.*)$", config_views.media),
        *urlpatterns,
    ]
