"""Checkout: the customer picks a payment method, confirms, and the order is written at once.

Whatever the method, placing the order is one transaction: the order, its lines, its addresses
and the stock it holds are written together or not at all (an exception, a lost database
connection or a sold-out line leaves the basket as it was, ready to retry). Card orders then go to
Stripe's payment page; transfer orders show their VietQR code; cash-on-delivery orders are done.
"""

import logging

from django import forms
from django.db import DatabaseError, IntegrityError, transaction
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from oscar.apps.checkout import exceptions, views
from oscar.apps.checkout.views import *  # noqa: F403
from oscar.core.loading import get_class, get_model

from shop.order import actions, emails
from shop.payments import methods

Order = get_model("order", "Order")
OutOfStock = get_class("order.utils", "OutOfStock")

logger = logging.getLogger("shop.checkout")


class IndexView(views.IndexView):
    """Oscar's gateway, whose form signs a returning customer in. Oscar builds that form without
    the request, so the password check bypassed the sign-in throttle (config/login_throttle.py);
    with the request it is counted like every other login form."""

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "request": self.request}


class PaymentMethodForm(forms.Form):
    method = forms.ChoiceField(
        label=gettext_lazy("How would you like to pay?"), widget=forms.RadioSelect
    )

    def __init__(self, *args, choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["method"].choices = choices


def chosen_method(checkout_session):
    return checkout_session._get("payment", "method")


class PaymentMethodView(views.PaymentMethodView):
    template_name = "oscar/checkout/payment_method.html"
    skip_conditions = []

    def get_form(self, data=None):
        initial = {"method": chosen_method(self.checkout_session)}
        return PaymentMethodForm(data, choices=methods.choices(), initial=initial)

    def get(self, request, *args, **kwargs):
        return self.render_to_response(self.get_context_data(form=self.get_form()))

    def post(self, request, *args, **kwargs):
        form = self.get_form(request.POST)
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(form=form))
        self.checkout_session._set("payment", "method", form.cleaned_data["method"])
        return redirect("checkout:preview")


@method_decorator(transaction.non_atomic_requests, name="dispatch")
class PaymentDetailsView(views.PaymentDetailsView):
    """Only the preview is used: there are no card details to type on our pages.

    Placing the order is its own transaction (`submit`), not the request's: when the database
    connection is lost while the order is written, that transaction is rolled back and the
    connection dropped, and the customer still gets the preview page with a message, on a new
    connection, instead of a server error."""

    pre_conditions = views.PaymentDetailsView.pre_conditions + ["check_payment_method_is_chosen"]

    def check_payment_method_is_chosen(self, request):
        if chosen_method(self.checkout_session) not in methods.available():
            raise exceptions.FailedPreCondition(
                url=reverse("checkout:payment-method"),
                message=_("Please choose how you would like to pay."),
            )

    def get(self, request, *args, **kwargs):
        if not self.preview:
            return redirect("checkout:preview")
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        method = chosen_method(self.checkout_session)
        context["payment_method_label"] = dict(methods.choices()).get(method, "")
        return context

    def submit(self, user, basket, shipping_address, shipping_method, shipping_charge,
               billing_address, order_total, payment_kwargs=None, order_kwargs=None,
               surcharges=None):  # fmt: skip
        method = chosen_method(self.checkout_session)
        order_number = self.generate_order_number(basket)
        self.checkout_session.set_order_number(order_number)
        try:
            with transaction.atomic():
                order = self.place_order(
                    order_number=order_number,
                    user=user,
                    basket=basket,
                    shipping_address=shipping_address,
                    shipping_method=shipping_method,
                    shipping_charge=shipping_charge,
                    order_total=order_total,
                    billing_address=billing_address,
                    surcharges=surcharges,
                    **(order_kwargs or {}),
                    **actions.initial_fields(method, get_language() or "vi"),
                )
                basket.submit()
        except OutOfStock as sold_out:
            return self.render_preview(self.request, error=str(sold_out))
        except (IntegrityError, ValueError) as refused:
            # A second click on "Place order" while the first was being written finds its order.
            existing = Order.objects.filter(number=order_number, basket=basket).first()
            if existing is not None:
                self.order_placed_before = True  # its email went out with the first press
                return self.handle_successful_order(existing)
            logger.warning("Order #%s not placed: %s", order_number, refused)
            message = str(refused) if isinstance(refused, ValueError) else ""
            return self.render_preview(
                self.request,
                error=message or _("We could not place your order. Please check it and try again."),
            )
        except DatabaseError:
            logger.exception("Order #%s: database error while placing it", order_number)
            return self.render_preview(
                self.request,
                error=_(
                    "We could not save your order just now. Nothing was charged; please try again."
                ),
            )
        logger.info("Order #%s placed (%s)", order.number, method)
        return self.handle_successful_order(order)

    order_placed_before = False

    def send_order_placed_email(self, order):
        if not self.order_placed_before:
            transaction.on_commit(lambda: emails.notify(order, emails.ORDER_PLACED))
