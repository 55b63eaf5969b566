"""Themes: the default one has every template a shopper meets; another theme is only the files
that differ (here the high-contrast one) and the site renders with it."""

import pytest
from django.contrib.staticfiles import finders
from django.template.loader import get_template

from config.themes import THEMES_DIR, theme_static_dirs, theme_template_dirs
from tests.factories import certified_product

pytestmark = pytest.mark.django_db

# Oscar templates our design system restyles; without them a shopper page falls back to
# Oscar's Bootstrap markup (or its jQuery-only actions).
SHOPPER_TEMPLATES = [
    "oscar/layout.html",
    "oscar/layout_2_col.html",
    "oscar/partials/nav_primary.html",
    "oscar/partials/mini_basket.html",
    "oscar/partials/alert_messages.html",
    "oscar/partials/form_field.html",
    "oscar/partials/pagination.html",
    "oscar/partials/search.html",
    "oscar/catalogue/browse.html",
    "oscar/catalogue/detail.html",
    "oscar/catalogue/partials/product.html",
    "oscar/catalogue/partials/stock_record.html",
    "oscar/basket/basket.html",
    "oscar/basket/partials/basket_content.html",
    "oscar/checkout/layout.html",
    "oscar/checkout/nav.html",
    "oscar/checkout/gateway.html",
    "oscar/checkout/shipping_address.html",
    "oscar/checkout/shipping_methods.html",
    "oscar/checkout/payment_method.html",
    "oscar/checkout/preview.html",
    "oscar/checkout/thank_you.html",
    "oscar/customer/address/address_form.html",
    "oscar/customer/address/address_fields.html",
    "oscar/customer/anon_order.html",
    "oscar/customer/order/order_detail.html",
    "oscar/order/payment_status.html",
]


def use_theme(settings, name):
    templates = [dict(settings.TEMPLATES[0], DIRS=theme_template_dirs(name))]
    settings.TEMPLATES = templates  # resets the template engines
    settings.STATICFILES_DIRS = theme_static_dirs(name)  # resets the static file finders


def test_default_theme_has_every_shopper_template():
    default = THEMES_DIR / "default" / "templates"
    missing = [t for t in SHOPPER_TEMPLATES if not (default / t).exists()]
    assert missing == []
    for name in SHOPPER_TEMPLATES:
        assert str(get_template(name).origin.name).startswith(str(THEMES_DIR / "default")), name


def test_contrast_theme_holds_only_what_differs():
    contrast = THEMES_DIR / "contrast"
    files = sorted(str(p.relative_to(contrast)) for p in contrast.rglob("*") if p.is_file())
    assert files == ["static/ocop/css/theme.css", "templates/includes/theme_head.html"]


def test_pages_link_the_contrast_stylesheet_when_that_theme_is_active(client, settings):
    tea = certified_product(title="Chè Shan tuyết Tủa Chùa")
    use_theme(settings, "contrast")
    assert finders.find("ocop/css/theme.css").startswith(str(THEMES_DIR / "contrast"))
    assert finders.find("ocop/css/site.css").startswith(str(THEMES_DIR / "default"))
    for url in ("/shop/catalogue/", tea.get_absolute_url()):
        response = client.get(url)
        page = response.content.decode()
        assert response.status_code == 200, url
        assert page.index("ocop/css/site.css") < page.index("ocop/css/theme.css"), url
        assert "Chè Shan tuyết Tủa Chùa" in page, url


def test_default_theme_links_no_theme_stylesheet(client):
    page = client.get("/shop/catalogue/").content.decode()
    assert "ocop/css/site.css" in page and "theme.css" not in page
