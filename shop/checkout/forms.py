"""Checkout forms for Việt Nam: the shipping address, and a gateway where a guest may give a
phone number instead of an email address.

Oscar loads these by name (`checkout.forms.ShippingAddressForm`, `checkout.forms.GatewayForm`);
the rest of Oscar's checkout forms are used unchanged.
"""

from django import forms
from django.conf import settings
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _
from oscar.apps.checkout import forms as oscar_forms
from oscar.apps.checkout.forms import *  # noqa: F403  Oscar's forking convention
from oscar.apps.customer.utils import normalise_email
from oscar.core.loading import get_classes, get_model

from shop.address.vietnam import format_phone

VietnameseAddressForm, VietnamesePhoneField = get_classes(
    "address.forms", ["VietnameseAddressForm", "VietnamesePhoneField"]
)


class ShippingAddressForm(VietnameseAddressForm):
    """Where the order goes: the same rules as the address book (see `VietnameseAddressForm`)."""

    class Meta(VietnameseAddressForm.Meta):
        model = get_model("order", "ShippingAddress")

    def load_from_checkout(self, checkout_session):
        # A guest who gave their phone at the gateway should not have to type it again.
        phone = checkout_session.get_guest_phone()
        if phone and not self.initial.get("phone_number"):
            self.initial["phone_number"] = format_phone(phone)


class GatewayForm(oscar_forms.GatewayForm):
    """Who is buying: a guest (reached by email, phone or both), a new or a returning customer.

    Many shoppers here have no email address they read, and couriers and shops reach them by
    phone; a guest may therefore give either. An account still needs an email address, as
    Oscar's accounts are keyed on it.
    """

    username = forms.EmailField(
        label=_("Email address"),
        required=False,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    phone = VietnamesePhoneField(label=_("Phone number"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["options"].widget.attrs["class"] = "form-check-input"

    def load_from_checkout(self, checkout_session):
        phone = checkout_session.get_guest_phone()
        if phone and not self.initial.get("phone"):
            self.initial["phone"] = format_phone(phone)

    def save_to_checkout(self, checkout_session):
        # Oscar's view has stored the email already; the phone is only a guest's business.
        phone = self.cleaned_data.get("phone") if self.is_guest_checkout() else None
        checkout_session.set_guest_phone(phone.as_e164 if phone else "")

    def clean_username(self):
        email = self.cleaned_data["username"]
        return normalise_email(email) if email else ""

    def clean(self):
        email = self.cleaned_data.get("username")
        if not (self.is_guest_checkout() or self.is_new_account_checkout()):
            # A returning customer signs in with their account's email and password.
            if not email:
                if "username" not in self.errors:
                    self.add_error("username", _("Enter the email address of your account."))
                return self.cleaned_data
            return super().clean()

        if "password" in self.errors:
            del self.errors["password"]
        if self.is_guest_checkout():
            if not email and not self.cleaned_data.get("phone") and not self.errors:
                raise forms.ValidationError(
                    _("Give us an email address or a phone number so we can reach you."),
                    code="no_contact",
                )
        elif not email and "username" not in self.errors:
            self.add_error("username", _("An account needs an email address."))
        # As in Oscar: a guest using an account's email signs in instead, unless configured not
        # to; a new account may not reuse one. Only checked for an email actually given.
        skip_existing_check = (
            self.is_guest_checkout() and settings.OSCAR_ALLOW_GUEST_CHECKOUT_WITH_ACCOUNT
        )
        if email and not skip_existing_check:
            if get_user_model()._default_manager.filter(email__iexact=email).exists():
                self.add_error("username", _("A user with that email address already exists"))
                self.data = self.data.copy()
                self.data[self.add_prefix("options")] = self.EXISTING
        return self.cleaned_data
