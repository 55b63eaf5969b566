"""Checkout views' shared behaviour: a guest may be reached by phone instead of email.

Oscar's views (not forked here) build their forms through `get_form` and hand a valid form to
their own `form_valid`, which knows nothing of a guest's phone. Forms of this shop may therefore
offer two hooks that the checkout views call: `load_from_checkout(checkout_session)` when the
form is built (to prefill it) and `save_to_checkout(checkout_session)` after Oscar's view
accepted it.
"""

from django.http import HttpResponseNotAllowed
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from oscar.apps.checkout import exceptions, session
from oscar.apps.checkout.session import *  # noqa: F403  Oscar's forking convention


class CheckoutSessionMixin(session.CheckoutSessionMixin):
    def check_user_email_is_captured(self, request):
        """Oscar wants a guest's email; an email or a Vietnamese phone number will do here."""
        if request.user.is_authenticated:
            return
        if self.checkout_session.get_guest_email() or self.checkout_session.get_guest_phone():
            return
        raise exceptions.FailedPreCondition(
            url=reverse("checkout:index"),
            message=_("Please sign in, or give us an email address or a phone number."),
        )

    def get_form(self, form_class=None):
        form = super().get_form(form_class)
        if hasattr(form, "load_from_checkout"):
            form.load_from_checkout(self.checkout_session)
        # The form the view validated. Oscar's get_context_data builds a second, unvalidated
        # copy; checking that one in `post` validated the submission twice, and the gateway's
        # sign-in counted each wrong password twice against the sign-in throttle.
        if getattr(self, "checkout_form", None) is None:
            self.checkout_form = form
        return form

    def post(self, request, *args, **kwargs):
        handler = getattr(super(), "post", None)
        if handler is None:  # a view of Oscar's that takes no POST keeps refusing it
            allowed = [method for method in self._allowed_methods() if method != "POST"]
            return HttpResponseNotAllowed(allowed)
        response = handler(request, *args, **kwargs)
        form = getattr(self, "checkout_form", None)
        if form is not None and form.is_bound and not form.errors:
            if hasattr(form, "save_to_checkout"):
                # Signing in as another account at the gateway flushed the session this view
                # started with (its checkout data too): write to the session as it is now.
                form.save_to_checkout(type(self.checkout_session)(request))
        return response
