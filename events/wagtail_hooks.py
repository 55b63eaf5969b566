"""Wagtail admin: warn editors when a livestream features products without a current certificate.

Publishing stays allowed (a certificate may be renewed before the stream), but the E-commerce
Law asks sellers to hold quality documents, so the editor is told which products visitors will
not see.
"""

from django.contrib import messages
from django.utils.translation import gettext as _
from wagtail import hooks

from .models import LivestreamPage


def warn_uncertified_products(request, page):
    page = page.specific
    if not isinstance(page, LivestreamPage):
        return
    uncertified = page.uncertified_featured_products()
    if uncertified:
        messages.warning(
            request,
            _(
                "These featured products do not hold a current OCOP certificate and are not "
                "shown to visitors: %(products)s"
            )
            % {"products": ", ".join(product.get_title() for product in uncertified)},
        )


@hooks.register("after_create_page")
def warn_after_create(request, page):
    warn_uncertified_products(request, page)


@hooks.register("after_edit_page")
def warn_after_edit(request, page):
    warn_uncertified_products(request, page)
