"""A model field for the provinces a delivery method reaches: province codes, ticked from a list.

Stored as a JSON list of ints so it works the same on SQLite (`make demo`) and PostgreSQL.
"""

from django import forms
from django.db import models
from django.utils.text import capfirst

from .regions import province_choices, validate_province_codes


class ProvinceCodesFormField(forms.TypedMultipleChoiceField):
    widget = forms.CheckboxSelectMultiple

    def __init__(self, **kwargs):
        super().__init__(choices=province_choices, coerce=int, empty_value=[], **kwargs)

    def clean(self, value):
        return sorted(set(super().clean(value)))


class ProvinceCodesField(models.JSONField):
    """A list of province codes; empty means every province."""

    default_validators = [validate_province_codes]

    def formfield(self, **kwargs):
        options = {
            "required": not self.blank,
            "label": capfirst(self.verbose_name),
            "help_text": self.help_text,
        }
        # Admin forms may pass a widget; a JSON textarea is never the right one here.
        widget = kwargs.get("widget")
        if widget is not None and not (
            isinstance(widget, type) and issubclass(widget, forms.Textarea)
        ):
            options["widget"] = widget
        return ProvinceCodesFormField(**options)
