"""Orders as Oscar keeps them, plus what a Vietnamese storefront needs to know about payment.

An order is written when the customer places it, whatever the payment method, so stock is held
and nothing a customer paid for can lack an order: a VietQR order then waits for its transfer, a
card order for Stripe's signed webhook, a cash-on-delivery order for the courier. `status` is the
order's stage (see `shop.order.statuses`); `paid_at` says whether the money has arrived.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _
from oscar.apps.address.abstract_models import AbstractBillingAddress, AbstractShippingAddress
from oscar.apps.order.abstract_models import AbstractOrder

from shop.address.vietnam import VietnameseAddress

from .statuses import PAYMENT_METHOD_CHOICES, status_label


class Order(AbstractOrder):
    payment_method = models.CharField(
        _("payment method"), max_length=16, choices=PAYMENT_METHOD_CHOICES, blank=True
    )
    payment_due = models.DateTimeField(
        _("pay by"),
        null=True,
        blank=True,
        db_index=True,
        help_text=_("An unpaid order is cancelled after this time and its stock released."),
    )
    paid_at = models.DateTimeField(_("paid at"), null=True, blank=True)
    language = models.CharField(_("language"), max_length=10, default="vi")

    class Meta(AbstractOrder.Meta):
        # The staff dashboard and the alerts list orders by stage, oldest first.
        indexes = [models.Index(fields=["status", "date_placed"], name="order_status_placed")]

    @property
    def is_paid(self):
        return self.paid_at is not None

    @property
    def status_label(self):
        return status_label(self.status)


class ShippingAddress(VietnameseAddress, AbstractShippingAddress):
    class Meta(AbstractShippingAddress.Meta):
        pass


class BillingAddress(VietnameseAddress, AbstractBillingAddress):
    class Meta(AbstractBillingAddress.Meta):
        pass


from oscar.apps.order.models import *  # noqa: E402,F403
