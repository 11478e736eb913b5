"""Forms of the activity pages. They read and shape what a person typed; the rules (who may,
which state, how long, how many) are the services' and come back onto the form as messages."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from civic.ids import IdField, parse_id

from .filters import MonthField
from .models import Kind, Stage, State
from .services.photos import MAX_PER_ACTIVITY

DATETIME_FORMAT = "%Y-%m-%dT%H:%M"
MAX_UPLOADS = 10  # photos in one upload


class LocalDateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs):
        super().__init__(format=DATETIME_FORMAT, **kwargs)


def local_datetime(label, *, required: bool = True, help_text: str = "") -> forms.DateTimeField:
    return forms.DateTimeField(
        label=label,
        required=required,
        widget=LocalDateTimeInput(),
        input_formats=[DATETIME_FORMAT, "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"],
        help_text=help_text,
    )


def year_field(**kwargs) -> forms.IntegerField:
    return forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100, **kwargs)


class SiteChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return obj.label


KIND_CHOICES = [(value, label) for value, label in Kind.choices if value != Kind.ORDER]


class ActivityForm(forms.Form):
    """A draft's details (the site only when creating: an activity stays at its site)."""

    site = SiteChoiceField(label=_("Site"), queryset=None, empty_label=None)
    title = forms.CharField(label=_("Title"), max_length=200)
    kind = forms.ChoiceField(label=_("Kind"), choices=KIND_CHOICES, initial=Kind.REGULAR)
    platform = forms.ModelChoiceField(label=_("Service platform"), queryset=None, required=False)
    theme = forms.CharField(label=_("Theme"), max_length=100, required=False)
    starts_at = local_datetime(_("Starts"))
    ends_at = local_datetime(_("Ends"))
    place = forms.CharField(label=_("Place"), max_length=200, required=False)
    latitude = forms.DecimalField(
        label=_("Latitude"), max_digits=9, decimal_places=6, required=False, help_text=_("For the sign-in check.")
    )
    longitude = forms.DecimalField(label=_("Longitude"), max_digits=9, decimal_places=6, required=False)
    capacity = forms.IntegerField(
        label=_("Volunteers needed"), min_value=1, max_value=100_000, required=False, help_text=_("Empty: no limit.")
    )
    hours_cap = forms.DecimalField(
        label=_("Hours cap"),
        max_digits=4,
        decimal_places=2,
        required=False,
        help_text=_("At most this many service hours per volunteer (empty: no cap)."),
    )
    team = forms.ModelChoiceField(label=_("Team"), queryset=None, required=False)
    brand_project = forms.ModelChoiceField(label=_("Brand project"), queryset=None, required=False)
    in_plan = forms.BooleanField(label=_("Part of the year's annual plan"), required=False)
    description = forms.CharField(label=_("Description"), widget=forms.Textarea(attrs={"rows": 4}), required=False)

    def __init__(self, *args, sites=None, platforms=None, teams=None, projects=None, **kwargs):
        super().__init__(*args, **kwargs)
        if sites is None:
            del self.fields["site"]
        else:
            self.fields["site"].queryset = sites
        self.fields["platform"].queryset = platforms
        self.fields["team"].queryset = teams
        self.fields["brand_project"].queryset = projects

    def clean(self):
        data = super().clean()
        starts, ends = data.get("starts_at"), data.get("ends_at")
        if starts and ends and ends <= starts:
            self.add_error("ends_at", _("The end must come after the start."))
        if (data.get("latitude") is None) != (data.get("longitude") is None):
            self.add_error("latitude", _("Give both latitude and longitude, or neither."))
        return data


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=200, required=False, widget=forms.Textarea({"rows": 2}))


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class PhotosField(forms.FileField):
    """Several photos in one input (their content is checked by the service)."""

    widget = MultipleFileInput(attrs={"accept": "image/jpeg,image/png,image/webp"})

    def clean(self, data, initial=None):
        files = [item for item in (data if isinstance(data, (list, tuple)) else [data]) if item]
        if not files:
            if self.required:
                raise forms.ValidationError(self.error_messages["required"], code="required")
            return []
        if len(files) > MAX_UPLOADS:
            raise forms.ValidationError(_("Add at most %(n)s photos at a time.") % {"n": MAX_UPLOADS})
        return [forms.FileField.clean(self, item, initial) for item in files]


class FinishForm(forms.Form):
    summary = forms.CharField(label=_("Summary"), widget=forms.Textarea(attrs={"rows": 4}), required=False)
    people_served = forms.IntegerField(label=_("People served"), min_value=0, max_value=10_000_000, required=False)
    photos = PhotosField(
        label=_("Photos"),
        required=False,
        help_text=_("JPEG, PNG or WebP, at most 10 MB each; at least one photo in all (up to %(n)s).")
        % {"n": MAX_PER_ACTIVITY},
    )


class PhotoForm(forms.Form):
    image = PhotosField(
        label=_("Photos"), help_text=_("JPEG, PNG or WebP, at most 10 MB each. Location data is removed.")
    )
    caption = forms.CharField(label=_("Caption"), max_length=200, required=False)


class CaptionForm(forms.Form):
    caption = forms.CharField(label=_("Caption"), max_length=200, required=False)


class MarkForm(forms.Form):
    """A volunteer marked present by hand (elderly volunteers without a phone)."""

    volunteer = IdField(widget=forms.HiddenInput)
    signed_in_at = local_datetime(_("Signed in"))
    signed_out_at = local_datetime(_("Signed out"), required=False)
    hours = forms.DecimalField(
        label=_("Service hours"),
        max_digits=5,
        decimal_places=2,
        min_value=Decimal("0"),
        max_value=Decimal("24"),
        required=False,
        help_text=_("Empty: counted from the times by the county's rule."),
    )
    note = forms.CharField(label=_("Note"), max_length=200, required=False)


class AttendanceForm(MarkForm):
    """The times, hours and note of one attendance (the volunteer is the record's)."""

    volunteer = None  # type: ignore[assignment]


class SignUpForm(forms.Form):
    volunteer = IdField(required=False, widget=forms.HiddenInput)


class ScanForm(forms.Form):
    """A sign-in (or sign-out) from a scanned code: who of the family on this phone, and where
    the phone was (filled in by the page's script where the place is checked)."""

    volunteer = IdField(required=False)
    action = forms.ChoiceField(choices=[("in", "in"), ("out", "out")], required=False)
    latitude = forms.CharField(required=False, max_length=40, widget=forms.HiddenInput)
    longitude = forms.CharField(required=False, max_length=40, widget=forms.HiddenInput)

    @staticmethod
    def _degrees(value: str) -> Decimal | None:
        try:
            number = Decimal((value or "").strip())
        except InvalidOperation:
            return None
        return number if number.is_finite() else None

    def position(self) -> tuple[Decimal, Decimal] | None:
        """The phone's position, or None when the browser gave none (or nonsense)."""
        lat = self._degrees(self.cleaned_data.get("latitude", ""))
        lon = self._degrees(self.cleaned_data.get("longitude", ""))
        return None if lat is None or lon is None else (lat, lon)


class ActivityFilterForm(forms.Form):
    """The list's filters; anything it cannot read is left out of the filter, with a message."""

    q = forms.CharField(label=_("Search"), max_length=100, required=False)
    site = forms.TypedChoiceField(label=_("Site and everything under it"), required=False, coerce=parse_id)
    platform = forms.TypedChoiceField(label=_("Service platform"), required=False, coerce=parse_id)
    kind = forms.ChoiceField(label=_("Kind"), required=False)
    state = forms.ChoiceField(label=_("State"), required=False)
    month = MonthField(label=_("Month"), required=False, widget=forms.TextInput(attrs={"type": "month"}))

    def __init__(self, *args, sites=(), platforms=(), **kwargs):
        super().__init__(*args, **kwargs)
        every = [("", _("All"))]
        self.fields["site"].choices = every + [(s.pk, s.label) for s in sites]
        self.fields["platform"].choices = every + [(p.pk, p.label) for p in platforms]
        self.fields["kind"].choices = every + list(Kind.choices)
        self.fields["state"].choices = every + list(State.choices)
        if not sites:
            del self.fields["site"]


class TemplateForm(forms.Form):
    """A recurring activity ("every month, mid-month")."""

    title = forms.CharField(label=_("Title"), max_length=200)
    kind = forms.ChoiceField(label=_("Kind"), choices=KIND_CHOICES, initial=Kind.THEME)
    day_of_month = forms.IntegerField(label=_("Day of the month"), min_value=1, max_value=28, initial=15)
    start_time = forms.TimeField(label=_("Start time"), initial="09:00", widget=forms.TimeInput(attrs={"type": "time"}))
    duration_minutes = forms.IntegerField(label=_("Length (minutes)"), min_value=15, max_value=24 * 60, initial=120)
    platform = forms.ModelChoiceField(label=_("Service platform"), queryset=None, required=False)
    team = forms.ModelChoiceField(label=_("Team"), queryset=None, required=False)
    theme = forms.CharField(label=_("Theme"), max_length=100, required=False)
    place = forms.CharField(label=_("Place"), max_length=200, required=False)
    capacity = forms.IntegerField(label=_("Volunteers needed"), min_value=1, max_value=100_000, required=False)
    hours_cap = forms.DecimalField(label=_("Hours cap"), max_digits=4, decimal_places=2, required=False)
    description = forms.CharField(label=_("Description"), widget=forms.Textarea(attrs={"rows": 3}), required=False)
    is_active = forms.BooleanField(label=_("Active"), required=False, initial=True)

    def __init__(self, *args, platforms=None, teams=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["platform"].queryset = platforms
        self.fields["team"].queryset = teams


class FillForm(forms.Form):
    year = year_field()


class PlanSubmitForm(forms.Form):
    note = forms.CharField(label=_("Note"), widget=forms.Textarea(attrs={"rows": 2}), required=False)


class ProjectForm(forms.Form):
    name = forms.CharField(label=_("Project name"), max_length=100)
    platform = forms.ModelChoiceField(label=_("Service platform"), queryset=None, required=False)
    established_on = forms.DateField(
        label=_("Established"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    description = forms.CharField(label=_("Description"), widget=forms.Textarea(attrs={"rows": 3}), required=False)

    def __init__(self, *args, platforms=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["platform"].queryset = platforms


class AdvanceForm(forms.Form):
    stage = forms.ChoiceField(choices=Stage.choices)


class ArchiveForm(forms.Form):
    site = SiteChoiceField(label=_("Site"), queryset=None, empty_label=None)
    year = year_field(initial=lambda: timezone.localdate().year - 1)

    def __init__(self, *args, sites=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["site"].queryset = sites
