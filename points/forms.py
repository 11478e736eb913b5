"""Forms of the points pages. They check shapes only; the rules live in ``points.services``."""

from __future__ import annotations

from datetime import date

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from civic.ids import is_digits

from .models import MAX_STOCK_MOVE, Certificate, Goods
from .selectors import PERIODS

MAX_PHOTO_BYTES = 5 * 1024 * 1024
MAX_IMPORT_BYTES = 10 * 1024 * 1024
DEDUCTION_ROWS = 5  # named deductions a rule page offers at once
STARS = range(1, 6)


class IsoDateInput(forms.DateInput):
    """A date input (``type="date"``), whose value is always ISO (2026-01-01), which is the
    only format a browser's date input reads whatever the page's language."""

    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%d")


class WholeNumberField(forms.IntegerField):
    """A whole number typed in ASCII digits (an optional minus sign): other scripts' digits,
    which ``int()`` would read, are refused with the field's message."""

    def to_python(self, value):
        text = str(value).strip() if value is not None else ""
        if text and not is_digits(text.removeprefix("-")):
            raise ValidationError(self.error_messages["invalid"], code="invalid")
        return super().to_python(text)


def iso_date_field(label, **kwargs) -> forms.DateField:
    """A date field of the points pages: an ISO date input, and ISO typed in also read."""
    return forms.DateField(label=label, widget=IsoDateInput(), input_formats=["%Y-%m-%d"], **kwargs)


def _image(upload, *, required: bool):
    if not upload:
        if required:
            raise ValidationError(_("Choose an image."))
        return None
    if upload.size > MAX_PHOTO_BYTES:
        raise ValidationError(_("The image is larger than 5 MB."))
    return upload


class GoodsForm(forms.ModelForm):
    class Meta:
        model = Goods
        fields = ["name", "price", "is_active", "photo"]
        widgets = {"photo": forms.FileInput(attrs={"accept": "image/*"})}

    def clean_photo(self):
        """A newly uploaded photo, or None to keep the one there is."""
        upload = self.files.get(self.add_prefix("photo"))
        if upload is None:
            return None
        forms.ImageField().clean(upload)
        return _image(upload, required=False)


class StockForm(forms.Form):
    IN, OFF = "in", "off"
    direction = forms.ChoiceField(
        label=gettext_lazy("What happened"),
        choices=[(IN, gettext_lazy("Goods arrived")), (OFF, gettext_lazy("Write off (damaged, lost, expired)"))],
        widget=forms.RadioSelect,
        initial=IN,
    )
    quantity = forms.IntegerField(label=gettext_lazy("Quantity"), min_value=1, max_value=MAX_STOCK_MOVE)
    note = forms.CharField(
        label=gettext_lazy("Note"), max_length=200, required=False, help_text=gettext_lazy("Required for a write-off.")
    )

    def signed_quantity(self) -> int:
        q = self.cleaned_data["quantity"]
        return q if self.cleaned_data["direction"] == self.IN else -q


class PickupForm(forms.Form):
    pickup_code = forms.CharField(
        label=gettext_lazy("Pickup code"),
        max_length=24,  # spaces and dashes as typed; the service reads the digits
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off", "autofocus": True}),
    )


class RedeemForm(forms.Form):
    quantity = forms.IntegerField(label=gettext_lazy("Quantity"), min_value=1, max_value=99, initial=1)


class ReasonForm(forms.Form):
    reason = forms.CharField(label=gettext_lazy("Reason"), max_length=200, required=False)


class ReverseForm(forms.Form):
    reason = forms.CharField(label=gettext_lazy("Reason"), max_length=200)


class RuleForm(forms.Form):
    """A dated rule, row by row: the rate, a theme bonus, a bonus for each number of stars a
    citizen gives, named deductions (a name and its points on each row) and the five star
    thresholds. ``rule_data()`` gives the service's keyword arguments; the service checks
    the rows."""

    valid_from = iso_date_field(
        gettext_lazy("Valid from"), help_text=gettext_lazy("Service on or after this day earns points by this rule.")
    )
    points_per_hour = forms.DecimalField(
        label=gettext_lazy("Points per service hour"), min_value=0, max_digits=6, decimal_places=2, initial=10
    )
    theme_bonus = WholeNumberField(label=gettext_lazy("Bonus for a theme activity"), min_value=0, initial=0)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for stars in reversed(STARS):
            self.fields[f"rating_bonus_{stars}"] = WholeNumberField(label="★" * stars, min_value=0, required=False)
        for row in range(DEDUCTION_ROWS):
            self.fields[f"deduction_name_{row}"] = forms.CharField(
                label=gettext_lazy("Name"), max_length=40, required=False
            )
            self.fields[f"deduction_points_{row}"] = WholeNumberField(
                label=gettext_lazy("Points taken away"), min_value=1, required=False
            )
        for stars in STARS:
            self.fields[f"star_hours_{stars}"] = WholeNumberField(
                label="★" * stars, min_value=1, max_value=10**9, required=False
            )

    @classmethod
    def initial_from(cls, rule) -> dict:
        """The form's rows filled from a rule in force (``points.selectors.EffectiveRule``)."""
        initial = {"points_per_hour": rule.points_per_hour, "theme_bonus": rule.theme_bonus}
        for stars in STARS:
            initial[f"rating_bonus_{stars}"] = rule.rating_bonus.get(str(stars))
        for row, (name, points) in enumerate(list(rule.deductions.items())[:DEDUCTION_ROWS]):
            initial[f"deduction_name_{row}"] = name
            initial[f"deduction_points_{row}"] = points
        for stars, hours in zip(STARS, rule.star_hours):
            initial[f"star_hours_{stars}"] = hours
        return initial

    def rating_fields(self):
        return [self[f"rating_bonus_{stars}"] for stars in reversed(STARS)]

    def deduction_rows(self):
        return [(self[f"deduction_name_{row}"], self[f"deduction_points_{row}"]) for row in range(DEDUCTION_ROWS)]

    def star_fields(self):
        return [self[f"star_hours_{stars}"] for stars in STARS]

    def clean(self):
        data = super().clean()
        named: set[str] = set()
        for row in range(DEDUCTION_ROWS):
            name = (data.get(f"deduction_name_{row}") or "").strip()
            points = data.get(f"deduction_points_{row}")
            if name and points is None and f"deduction_points_{row}" not in self.errors:
                self.add_error(f"deduction_points_{row}", _("Give the points this deduction takes away."))
            elif points is not None and not name:
                self.add_error(f"deduction_name_{row}", _("Give this deduction a name."))
            elif name and name in named:
                self.add_error(f"deduction_name_{row}", _("This name is on another row already."))
            if name:
                named.add(name)
        hours = [data.get(f"star_hours_{stars}") for stars in STARS]
        if any(h is not None for h in hours) and not all(h is not None for h in hours):
            self.add_error(None, _("Give all five star thresholds, or none to keep the defaults."))
        return data

    def rule_data(self) -> dict:
        """The service's keyword arguments: ``rating_bonus``, ``deductions``, ``star_hours``
        assembled from the rows, beside the rate and the theme bonus."""
        data = self.cleaned_data
        deductions: dict[str, int] = {}
        for row in range(DEDUCTION_ROWS):
            name = (data.get(f"deduction_name_{row}") or "").strip()
            if name:
                deductions[name] = data[f"deduction_points_{row}"]
        hours = [data.get(f"star_hours_{stars}") for stars in STARS]
        return {
            "valid_from": data["valid_from"],
            "points_per_hour": data["points_per_hour"],
            "theme_bonus": data["theme_bonus"],
            "rating_bonus": {
                str(stars): data[f"rating_bonus_{stars}"] for stars in STARS if data.get(f"rating_bonus_{stars}")
            },
            "deductions": deductions,
            "star_hours": [h for h in hours if h is not None],
        }


class AdjustForm(forms.Form):
    points = forms.IntegerField(
        label=gettext_lazy("Points (negative to take away)"), min_value=-100_000, max_value=100_000
    )
    hours = forms.DecimalField(
        label=gettext_lazy("Service hours (optional)"), required=False, max_digits=8, decimal_places=2, initial=0
    )
    note = forms.CharField(label=gettext_lazy("Reason"), max_length=200)


class OpeningForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("Sheet of past hours (xlsx or CSV)"),
        help_text=gettext_lazy("Columns: ID number, hours, points (optional), as-of date."),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_IMPORT_BYTES:
            raise ValidationError(_("The file is larger than 10 MB; split it."))
        return upload


class CertificateForm(forms.Form):
    period_start = iso_date_field(gettext_lazy("From"))
    period_end = iso_date_field(gettext_lazy("To"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        today = timezone.localdate()
        self.fields["period_start"].initial = date(today.year, 1, 1)
        self.fields["period_end"].initial = today


class VerifyForm(forms.Form):
    code = forms.CharField(
        label=gettext_lazy("Verification code"),
        max_length=32,  # spaces and dashes as typed; the code itself has at most 16
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters"}),
    )

    def clean_code(self):
        code = Certificate.normal_code(self.cleaned_data["code"])
        if code is None:
            raise ValidationError(_("Type the code as printed on the certificate: letters and digits only."))
        return code


class SealForm(forms.Form):
    image = forms.ImageField(
        label=gettext_lazy("Seal image"), help_text=gettext_lazy("A PNG with a transparent background, at most 5 MB.")
    )

    def clean_image(self):
        return _image(self.cleaned_data.get("image"), required=True)


class RankingForm(forms.Form):
    by = forms.ChoiceField(
        label=gettext_lazy("Rank by"),
        choices=[("hours", gettext_lazy("Hours")), ("points", gettext_lazy("Points"))],
        required=False,
    )
    period = forms.ChoiceField(label=gettext_lazy("Period"), choices=list(PERIODS.items()), required=False)
