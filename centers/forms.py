"""Forms of the site pages. They only validate input: every write goes through
``centers.services`` (the views call them and put a service's errors back on the form)."""

from __future__ import annotations

from django import forms
from django.contrib.auth import get_user_model
from django.forms.models import fields_for_model, model_to_dict
from django.utils.translation import gettext_lazy as _

from civic.scope import ROLE_LABELS, Role

from . import services
from .models import ServicePlatform, Site, StandardItem, StandardSet

# The fields of a site its forms edit: every field the site services take but the checklist,
# which has a page of its own.
SITE_FORM_FIELDS = [name for name in services.SITE_FIELDS if name != "standard_set"]


class SiteForm(forms.Form):
    """A site's own fields (not its place in the tree), labelled as the model labels them."""

    def __init__(self, *args, instance: Site | None = None, **kwargs):
        if instance is not None:
            kwargs["initial"] = {**model_to_dict(instance, fields=SITE_FORM_FIELDS), **kwargs.get("initial", {})}
        super().__init__(*args, **kwargs)
        self.fields.update(fields_for_model(Site, fields=SITE_FORM_FIELDS))
        self.fields["short_name"].help_text = _(
            "Leave empty to derive it from the official name (乔山村委会 → 乔山村)."
        )
        self.fields["liaison_phone"].widget.input_type = "tel"
        self.fields["code"].widget.attrs.update(inputmode="numeric", autocomplete="off")
        for name in ("population", "activity_quota"):
            self.fields[name].widget.attrs.update(inputmode="numeric")
        if instance is None:
            self.fields.pop("is_active")

    def clean_code(self) -> str:
        return (self.cleaned_data.get("code") or "").strip()


class SiteChoiceField(forms.ModelChoiceField):
    """A site select indented by depth: ``　　甲镇新时代文明实践所 (990101101)``."""

    def label_from_instance(self, obj: Site) -> str:
        indent = "\u3000" * obj.depth
        code = f" ({obj.code})" if obj.code else ""
        return f"{indent}{obj.display_name}{code}"


class MoveForm(forms.Form):
    new_parent = SiteChoiceField(
        label=_("New parent site"),
        queryset=Site.objects.none(),
        required=False,
        help_text=_("The site and everything under it move together."),
    )

    def __init__(self, *args, candidates=None, allow_top: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["new_parent"]
        field.queryset = candidates if candidates is not None else Site.objects.none()
        field.empty_label = _("(none: a top-level site)") if allow_top else None
        self.allow_top = allow_top

    def clean_new_parent(self):
        value = self.cleaned_data.get("new_parent")
        if value is None and not self.allow_top:
            raise forms.ValidationError(_("Choose the site to move it under."))
        return value


class GrantForm(forms.Form):
    username = forms.CharField(
        label=_("Username"), max_length=150, widget=forms.TextInput(attrs={"autocomplete": "off"})
    )
    role = forms.ChoiceField(label=_("Role"), choices=[(role.value, ROLE_LABELS[role]) for role in Role])

    def clean_username(self):
        username = self.cleaned_data["username"].strip()
        user = get_user_model()._default_manager.filter(username=username).first()
        if user is None:
            raise forms.ValidationError(_("There is no account with this username."))
        self.user = user
        return username


class StandardSetForm(forms.Form):
    standard_set = forms.ModelChoiceField(
        label=_("Standards checklist"),
        queryset=StandardSet.objects.all(),
        required=False,
        empty_label=_("(inherit from the site above)"),
        help_text=_("The checklist this site and every site under it are held to."),
    )


EVIDENCE_MAX_BYTES = 10 * 1024 * 1024


class CheckForm(forms.Form):
    item = forms.ModelChoiceField(queryset=StandardItem.objects.none(), widget=forms.HiddenInput)
    passed = forms.BooleanField(label=_("Meets the standard"), required=False)
    evidence = forms.ImageField(
        label=_("Evidence photo"),
        required=False,
        help_text=_("A photo showing the item (JPEG or PNG)."),
        widget=forms.FileInput(attrs={"accept": "image/*"}),
    )
    note = forms.CharField(label=_("Note"), max_length=200, required=False)

    def __init__(self, *args, items=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["item"].queryset = items if items is not None else StandardItem.objects.none()

    def clean_evidence(self):
        photo = self.cleaned_data.get("evidence")
        if photo and photo.size > EVIDENCE_MAX_BYTES:
            raise forms.ValidationError(
                _("The photo is too large (at most %(mb)s MB): take it again at a lower resolution.")
                % {"mb": EVIDENCE_MAX_BYTES // (1024 * 1024)}
            )
        return photo


class PlatformForm(forms.Form):
    owner = SiteChoiceField(
        label=_("County"), queryset=Site.objects.none(), required=False, help_text=_("Whose list it belongs to.")
    )
    name = forms.CharField(label=_("Name"), max_length=50)
    name_en = forms.CharField(label=_("English name"), max_length=80, required=False)
    sort_order = forms.IntegerField(label=_("Order"), min_value=0, max_value=32767, initial=0)
    is_active = forms.BooleanField(label=_("Active"), required=False, initial=True)

    def __init__(self, *args, owners=None, allow_global: bool = False, platform: ServicePlatform | None = None, **kw):
        if platform is not None:
            kw["initial"] = model_to_dict(platform, fields=list(services.PLATFORM_FIELDS))
        super().__init__(*args, **kw)
        self.allow_global = allow_global
        if platform is not None:
            self.fields.pop("owner")
        else:
            field = self.fields["owner"]
            field.queryset = owners if owners is not None else Site.objects.none()
            field.empty_label = _("(everywhere)") if allow_global else None

    def clean_owner(self):
        owner = self.cleaned_data.get("owner")
        if owner is None and not self.allow_global:
            raise forms.ValidationError(_("Choose the county whose list this platform joins."))
        return owner
