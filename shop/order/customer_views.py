"""Customers' order pages that Oscar's customer app gets wrong here, mounted before Oscar's own
URLs in config/urls.py.

- An order line in the account ("buy this again"): Oscar's view takes a POST (the reorder
  action). A GET looked for a template that does not exist and a line id that is not on the
  order raised DoesNotExist: both were 500s.
- A guest's order: Oscar asks for the email given at checkout, which a guest who gave only a
  phone number does not have. Here a guest finds the order by its number and the phone or email
  they gave, and Oscar's links lead to the shop's signed order page.
"""

from axes.handlers.proxy import AxesProxyHandler
from axes.helpers import get_cool_off
from django import forms
from django.conf import settings
from django.contrib.auth.signals import user_login_failed
from django.core.exceptions import ObjectDoesNotExist
from django.http import Http404
from django.shortcuts import redirect
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.generic import FormView
from oscar.core.loading import get_class, get_model

from .emails import status_path
from .lookup import find_guest_order

OscarOrderLineView = get_class("customer.views", "OrderLineView")
Order = get_model("order", "Order")


class OrderLineView(OscarOrderLineView):
    http_method_names = ["post"]  # anything else: 405

    def get_object(self, queryset=None):
        try:
            return super().get_object(queryset)
        except ObjectDoesNotExist:
            raise Http404 from None


# --- A guest's order, found again -----------------------------------------------------------


class OrderLookupForm(forms.Form):
    number = forms.CharField(label=_("Order number"), max_length=64)
    contact = forms.CharField(
        label=_("Phone number or email"),
        max_length=254,
        help_text=_("The phone number or email address you gave when you ordered."),
    )


class OrderLookupView(FormView):
    """Order number plus the phone or email given at checkout opens the guest's order page.

    Every wrong pair counts as a failed sign-in in django-axes, keyed on the order number and on
    the visitor's address (AXES_LOCKOUT_PARAMETERS), so neither one order's phone number nor
    many orders can be guessed: after LOGIN_FAILURE_LIMIT failures the form refuses (429) for
    LOGIN_LOCKOUT_MINUTES. A wrong pair and an unknown order get the same answer.
    """

    template_name = "oscar/customer/order_lookup.html"
    form_class = OrderLookupForm

    def get_initial(self):
        return {"number": self.request.GET.get("number", "")[:64]}

    def form_valid(self, form):
        number = form.cleaned_data["number"].strip()
        credentials = {"username": f"order {number}"}
        if settings.AXES_ENABLED and not AxesProxyHandler.is_allowed(self.request, credentials):
            return self.refused(form)
        order = find_guest_order(number, form.cleaned_data["contact"])
        if order is None:
            user_login_failed.send(
                sender=OrderLookupView, credentials=credentials, request=self.request
            )
            if getattr(self.request, "axes_locked_out", False):
                # This page says so itself, not axes' middleware with the sign-in lockout page.
                self.request.axes_locked_out = False
                return self.refused(form)
            form.add_error(
                None,
                _(
                    "We found no order with this number and this phone number or email. "
                    "Please check both and try again."
                ),
            )
            return self.form_invalid(form)
        return redirect(status_path(order))

    def refused(self, form):
        cool_off = get_cool_off(self.request)
        minutes = max(1, round(cool_off.total_seconds() / 60)) if cool_off else 15
        response = self.render_to_response(
            self.get_context_data(form=form, locked_minutes=minutes), status=429
        )
        response["Retry-After"] = str(minutes * 60)
        return response


@never_cache
def oscar_order_status(request, order_number, **kwargs):
    """Oscar's guest order links (which then ask for an email) lead to the order's page: the
    signed hash is the key, as in the links this shop gives."""
    order = Order.objects.filter(number=order_number).first()
    if order is None or not order.check_verification_hash(kwargs["hash"]):
        raise Http404(_("No order matches this link."))
    return redirect(status_path(order))
