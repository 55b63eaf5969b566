"""Period forms of the report and export pages: dates or a preset, checked, never a crash."""

from django import forms
from django.utils.translation import gettext_lazy as _

from . import periods

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
DATE_FORMATS = ["%Y-%m-%d", "%d/%m/%Y"]


class PeriodForm(forms.Form):
    """A period: a preset, or from/to dates (inclusive). `period` is (start, end) when valid."""

    preset = forms.ChoiceField(
        label=_("Period"),
        choices=[("", _("Dates below"))] + periods.PRESET_CHOICES,
        required=False,
    )
    start = forms.DateField(
        label=_("From"), required=False, widget=DATE_INPUT, input_formats=DATE_FORMATS
    )
    end = forms.DateField(
        label=_("To"), required=False, widget=DATE_INPUT, input_formats=DATE_FORMATS
    )
    dates_required = True

    def clean(self):
        cleaned = super().clean()
        if self.errors:
            return cleaned
        preset, start, end = cleaned.get("preset"), cleaned.get("start"), cleaned.get("end")
        if preset:
            start, end = periods.preset_period(preset)
        elif self.dates_required and not (start and end):
            raise forms.ValidationError(_("Choose a period, or give both dates."), code="missing")
        if start and end and end < start:
            self.add_error("end", forms.ValidationError(_("The end is before the start."), "order"))
        elif start and end and periods.too_long(start, end):
            raise forms.ValidationError(
                _("A period can be at most %(years)d years long.") % {"years": periods.MAX_YEARS},
                code="too_long",
            )
        cleaned["start"], cleaned["end"] = start, end
        return cleaned

    @property
    def period(self):
        return self.cleaned_data["start"], self.cleaned_data["end"]


class ReportForm(PeriodForm):
    pass


class ExportForm(PeriodForm):
    """Which data, which format, and an optional period (all dates when left empty)."""

    dates_required = False

    def __init__(self, *args, exports=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["dataset"] = forms.ChoiceField(
            label=_("Data"), choices=[(e.name, e.title) for e in exports]
        )
        self.fields["format"] = forms.ChoiceField(
            label=_("Format"), choices=[("csv", "CSV"), ("xlsx", "XLSX (Excel)")]
        )
        self.order_fields(["dataset", "format", "preset", "start", "end"])
