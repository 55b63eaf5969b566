"""Checkout stops before payment until the payment methods (VietQR, COD, Stripe) are built.

No order can be placed without a way to pay, so the payment step explains that and keeps
the basket; nothing is written.
"""

from django.contrib import messages
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from oscar.apps.checkout import views
from oscar.apps.checkout.views import *  # noqa: F403


class PaymentDetailsView(views.PaymentDetailsView):
    template_name = "oscar/checkout/payment_details.html"

    def get(self, request, *args, **kwargs):
        if self.preview:
            return redirect("checkout:payment-details")
        return super().get(request, *args, **kwargs)

    def post(self, request, *args, **kwargs):
        messages.info(
            request,
            _(
                "Online ordering opens soon: payment methods are not available yet. "
                "Your basket has been kept."
            ),
        )
        return redirect("checkout:payment-details")
