"""Address forms for Việt Nam, shared by the address book and the checkout's shipping step.

`VietnameseAddressForm` holds the rules; `UserAddressForm` (address book, loaded by Oscar as
`address.forms.UserAddressForm`) and the checkout's `ShippingAddressForm` only name their model.
"""

from django import forms
from django.core.exceptions import ValidationError
from django.forms.utils import ErrorDict
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from oscar.apps.address.forms import *  # noqa: F403  Oscar's forking convention
from oscar.apps.address.forms import AbstractAddressForm
from oscar.core.loading import get_model

from .vietnam import (
    commune,
    commune_choices,
    format_phone,
    is_commune_of,
    parse_phone,
    province,
    province_choices,
    vietnam_country,
)

#: Name of the submit button that asks for the communes of the chosen province (no JavaScript).
CHOOSE_PROVINCE = "choose_province"


class VietnamesePhoneField(forms.CharField):
    """A Vietnamese phone number, typed any usual way; cleans to a `PhoneNumber` (E.164 stored).

    Oscar's `PhoneNumberMixin` accepts any country's number in international form; couriers
    here call Vietnamese numbers, so this field accepts those only.
    """

    widget = forms.TextInput(attrs={"type": "tel", "autocomplete": "tel", "inputmode": "tel"})
    default_error_messages = {
        "invalid": _("Enter a Vietnamese phone number, for example 0912 345 678."),
    }

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 32)
        super().__init__(**kwargs)

    def clean(self, value):
        value = super().clean(value)
        if value in self.empty_values:
            return ""
        try:
            return parse_phone(value)
        except ValueError:
            raise ValidationError(self.error_messages["invalid"], code="invalid") from None


class PlaceField(forms.IntegerField):
    """A province or commune picked from a list, by code."""

    widget = forms.Select


class VietnameseAddressForm(AbstractAddressForm):
    """One address in Việt Nam: who receives it, how to call them, and where (two tiers).

    The recipient's name is one "full name" field, family name first ("Nguyễn Thị Lan"), as
    Vietnamese people write it and as every Vietnamese shop asks for it. It is stored whole in
    Oscar's `first_name` with `last_name` left empty, so Oscar's `name` and `salutation` print it
    in the right order; splitting it would print "Thị Lan Nguyễn".

    Province and commune are picked by code; their names go into `state` and `line4` (Oscar's
    "city"). Country is always Việt Nam. Choosing the commune works without JavaScript: a form
    sent with a province but no commune comes back with that province's communes and the one
    message "choose your commune", whatever else is still empty.
    """

    full_name = forms.CharField(
        label=_("Full name"),
        max_length=255,
        help_text=_("Family name first, for example Nguyễn Thị Lan."),
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    phone_number = VietnamesePhoneField(
        label=_("Phone number"),
        help_text=_("The courier calls this number before delivering."),
    )
    province_code = PlaceField(
        label=_("Province or city"),
        error_messages={
            "required": _("Choose your province or city."),
            "invalid": _("Choose a province or city from the list."),
        },
    )
    commune_code = PlaceField(
        label=_("Commune or ward"),
        error_messages={
            "required": _("Choose your commune or ward."),
            "invalid": _("Choose a commune or ward from the list."),
        },
    )

    field_order = [
        "full_name",
        "phone_number",
        "province_code",
        "commune_code",
        "line1",
        "postcode",
        "notes",
    ]

    class Meta:
        fields = ["phone_number", "province_code", "commune_code", "line1", "postcode", "notes"]
        labels = {
            "line1": _("House number and street, or village"),
            "postcode": _("Postcode (optional)"),
            "notes": _("Delivery notes (optional)"),
        }
        help_texts = {
            "line1": _("For example: 12 Phố Huế, or Bản Tả Phìn."),
            "postcode": _("Five digits."),
            "notes": _("A landmark, or when you are at home."),
        }
        widgets = {
            "line1": forms.TextInput(attrs={"autocomplete": "street-address"}),
            "postcode": forms.TextInput(
                attrs={"autocomplete": "postal-code", "inputmode": "numeric"}
            ),
            "notes": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.country = vietnam_country()
        if "full_name" not in self.initial:
            # From the session's saved fields at checkout, or from the address being edited.
            names = [
                self.initial.get(name, getattr(self.instance, name, ""))
                for name in ("first_name", "last_name")
            ]
            full_name = " ".join(name for name in names if name)
            if full_name:
                self.initial["full_name"] = full_name
        if self.initial.get("phone_number"):
            # "+84 912 …" from the session, a PhoneNumber from the database: shown as written here.
            self.initial["phone_number"] = format_phone(self.initial["phone_number"])
        self.province = province(self["province_code"].value())
        self._set_place_choices()

    def _set_place_choices(self):
        province_widget = self.fields["province_code"].widget
        province_widget.choices = [("", _("Choose your province or city"))] + list(
            province_choices()
        )
        commune_widget = self.fields["commune_code"].widget
        if self.province is None:
            commune_widget.choices = [("", _("Choose your province first"))]
        else:
            commune_widget.choices = [("", _("Choose your commune or ward"))] + list(
                commune_choices(self.province.code)
            )
        # For the small script that fills the commune list when the province changes.
        url = reverse("checkout:communes", kwargs={"province_code": 0})
        province_widget.attrs.update(
            {
                "autocomplete": "address-level1",
                "data-communes-url": url[: -len("0/")],
                "data-commune-select": self["commune_code"].auto_id,
            }
        )
        commune_widget.attrs.update(
            {
                "autocomplete": "address-level2",
                "data-placeholder": _("Choose your commune or ward"),
            }
        )

    def clean_province_code(self):
        code = self.cleaned_data.get("province_code")
        if code is not None and province(code) is None:
            raise ValidationError(
                self.fields["province_code"].error_messages["invalid"], code="invalid"
            )
        return code

    def clean_commune_code(self):
        code = self.cleaned_data.get("commune_code")
        if code is not None and commune(code) is None:
            raise ValidationError(
                self.fields["commune_code"].error_messages["invalid"], code="invalid"
            )
        return code

    def clean(self):
        cleaned_data = super().clean()
        province_code = cleaned_data.get("province_code")
        commune_code = cleaned_data.get("commune_code")
        if province_code is not None and commune_code is not None:
            if is_commune_of(commune_code, province_code):
                self.instance.set_commune(commune_code)
            else:
                chosen, elsewhere = commune(commune_code), province(province_code)
                self.add_error(
                    "commune_code",
                    ValidationError(
                        _(
                            "%(commune)s is not in %(province)s. "
                            "Choose a commune or ward of %(province)s."
                        ),
                        code="wrong_province",
                        params={"commune": chosen.name, "province": elsewhere.name},
                    ),
                )
        if cleaned_data.get("full_name"):
            self.instance.first_name = cleaned_data["full_name"]
            self.instance.last_name = ""
        return cleaned_data

    def full_clean(self):
        super().full_clean()
        if self.is_bound and self.is_choosing_commune():
            self._keep_only_errors_of_typed_fields()
            message = self.fields["commune_code"].error_messages["required"]
            self.add_error("commune_code", ValidationError(message, code="required"))

    def is_choosing_commune(self):
        """Whether this submission only chose the province (the step before the commune)."""
        if self.province is None:
            return False
        chosen = self["commune_code"].value()
        if chosen in (None, ""):
            return True
        # A "show communes" press after changing province sends the old province's commune.
        pressed = self.add_prefix(CHOOSE_PROVINCE) in self.data
        return pressed and not is_commune_of(chosen, self.province.code)

    def _keep_only_errors_of_typed_fields(self):
        # Fields not filled in yet are not mistakes at this step; a value typed wrong still is.
        kept = ErrorDict()
        for name, errors in self._errors.items():
            if name in self.fields and name != "commune_code" and self[name].data not in ("", None):
                kept[name] = errors
        self._errors = kept


class UserAddressForm(VietnameseAddressForm):
    """An address of the customer's address book."""

    class Meta(VietnameseAddressForm.Meta):
        model = get_model("address", "UserAddress")

    def __init__(self, user, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.user = user
