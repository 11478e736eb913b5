"""Forms of the points pages. They check shapes only; the rules live in ``points.services``."""

from __future__ import annotations

import json
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
        max_length=12,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off", "autofocus": True}),
    )


class RedeemForm(forms.Form):
    quantity = forms.IntegerField(label=gettext_lazy("Quantity"), min_value=1, max_value=99, initial=1)


class ReasonForm(forms.Form):
    reason = forms.CharField(label=gettext_lazy("Reason"), max_length=200, required=False)


class _JsonMapField(forms.CharField):
    """A JSON object of name → whole points, typed as text ({"5": 5, "4": 2})."""

    def to_python(self, value):
        text = (value or "").strip()
        if not text:
            return {}
        try:
            data = json.loads(text)
        except ValueError:
            raise ValidationError(_('Write it as {"name": points, ...}.')) from None
        if not isinstance(data, dict) or any(not isinstance(v, int) or v < 0 for v in data.values()):
            raise ValidationError(_("Each value is a whole, non-negative number of points."))
        return {str(k): v for k, v in data.items()}


class RuleForm(forms.Form):
    valid_from = forms.DateField(
        label=gettext_lazy("Valid from"),
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=gettext_lazy("Service on or after this day earns points by this rule."),
    )
    points_per_hour = forms.DecimalField(
        label=gettext_lazy("Points per service hour"), min_value=0, max_digits=6, decimal_places=2, initial=10
    )
    theme_bonus = forms.IntegerField(label=gettext_lazy("Bonus for a theme activity"), min_value=0, initial=0)
    rating_bonus = _JsonMapField(
        label=gettext_lazy("Bonus by citizen rating"),
        required=False,
        help_text=gettext_lazy('For example {"5": 5, "4": 2}.'),
    )
    deductions = _JsonMapField(
        label=gettext_lazy("Named deductions"), required=False, help_text=gettext_lazy('For example {"no-show": 5}.')
    )
    star_hours = forms.CharField(
        label=gettext_lazy("Star level hours"),
        required=False,
        help_text=gettext_lazy("Five rising numbers, e.g. 100, 300, 600, 1000, 1500; empty keeps the defaults."),
    )

    def clean_star_hours(self):
        text = self.cleaned_data["star_hours"].replace("，", ",").strip()
        if not text:
            return []
        parts = [part.strip() for part in text.split(",") if part.strip()]
        if not all(is_digits(part) and len(part) <= 9 for part in parts):
            raise ValidationError(_("Give whole numbers of hours separated by commas."))
        return [int(part) for part in parts]


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
    period_start = forms.DateField(label=gettext_lazy("From"), widget=forms.DateInput(attrs={"type": "date"}))
    period_end = forms.DateField(label=gettext_lazy("To"), widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        today = timezone.localdate()
        self.fields["period_start"].initial = date(today.year, 1, 1)
        self.fields["period_end"].initial = today


class VerifyForm(forms.Form):
    code = forms.CharField(
        label=gettext_lazy("Verification code"),
        max_length=16,
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
