"""Wagtail admin: a "Shipping" menu where staff set up delivery methods and pick-up points."""

from django.utils.translation import gettext_lazy as _
from oscar.templatetags.currency_filters import currency
from wagtail import hooks
from wagtail.admin.panels import FieldPanel, FieldRowPanel, InlinePanel, MultiFieldPanel
from wagtail.admin.ui.tables import BooleanColumn, Column
from wagtail.admin.viewsets.model import ModelViewSet, ModelViewSetGroup

from .methods import CURRENCY
from .models import OrderAndItemCharges, PickupPoint, WeightBased


def money(field):
    def value(method):
        amount = getattr(method, field)
        return "" if amount is None else currency(amount, CURRENCY)

    return value


def checkout_panel():
    return MultiFieldPanel(
        [FieldRowPanel([FieldPanel("is_active"), FieldPanel("sort_order")])],
        heading=_("At checkout"),
    )


def status_columns():
    return [BooleanColumn("is_active", label=_("Active")), Column("sort_order", label=_("Order"))]


class ShippingMethodViewSet(ModelViewSet):
    add_to_admin_menu = False
    list_filter = ["is_active"]
    search_fields = ["name", "description"]
    search_backend_name = None  # a handful of rows: the database searches them directly
    ordering = ["sort_order", "name"]
    inspect_view_enabled = False


class FlatRateViewSet(ShippingMethodViewSet):
    model = OrderAndItemCharges
    name = "shipping_flat_rates"
    url_prefix = "shipping/flat-rates"
    icon = "site"
    menu_label = _("Flat-rate delivery")
    list_display = [
        "name",
        Column("price_per_order", label=_("Charge per order"), accessor=money("price_per_order")),
        Column(
            "free_shipping_threshold",
            label=_("Free delivery from"),
            accessor=money("free_shipping_threshold"),
        ),
        Column("provinces", label=_("Provinces"), accessor="region_label"),
        *status_columns(),
    ]
    panels = [
        FieldPanel("name"),
        FieldPanel("description"),
        FieldRowPanel([FieldPanel("price_per_order"), FieldPanel("free_shipping_threshold")]),
        FieldPanel("provinces"),
        checkout_panel(),
    ]


class WeightBasedViewSet(ShippingMethodViewSet):
    model = WeightBased
    name = "shipping_weight_based"
    url_prefix = "shipping/weight-based"
    icon = "decimal"
    menu_label = _("Weight-based delivery")
    list_display = [
        "name",
        Column("provinces", label=_("Provinces"), accessor="region_label"),
        Column(
            "free_shipping_threshold",
            label=_("Free delivery from"),
            accessor=money("free_shipping_threshold"),
        ),
        *status_columns(),
    ]
    panels = [
        FieldPanel("name"),
        FieldPanel("description"),
        FieldPanel("provinces"),
        InlinePanel(
            "bands",
            heading=_("Weight bands"),
            label=_("Weight band"),
            min_num=1,
            panels=[FieldRowPanel([FieldPanel("upper_limit"), FieldPanel("charge")])],
        ),
        FieldRowPanel([FieldPanel("price_per_extra_kg"), FieldPanel("default_weight")]),
        FieldPanel("free_shipping_threshold"),
        checkout_panel(),
    ]


class PickupPointViewSet(ShippingMethodViewSet):
    model = PickupPoint
    name = "shipping_pickup_points"
    url_prefix = "shipping/pick-up-points"
    icon = "home"
    menu_label = _("Pick-up points")
    search_fields = ["name", "address", "description"]
    list_display = ["name", "address", "opening_hours", *status_columns()]
    panels = [
        FieldPanel("name"),
        FieldPanel("description"),
        FieldPanel("address"),
        FieldPanel("opening_hours"),
        checkout_panel(),
    ]


class ShippingViewSetGroup(ModelViewSetGroup):
    menu_label = _("Shipping")
    menu_icon = "site"
    menu_order = 9000
    items = (FlatRateViewSet, WeightBasedViewSet, PickupPointViewSet)


@hooks.register("register_admin_viewset")
def register_shipping_viewsets():
    return ShippingViewSetGroup()
