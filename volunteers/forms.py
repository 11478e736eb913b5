"""Forms of the volunteer pages. They only shape input: every rule lives in
``volunteers.services`` (the views call them and put a service's errors back on the form)."""

from __future__ import annotations

from django import forms
from django.contrib.auth.password_validation import password_validators_help_text_html
from django.utils.translation import gettext_lazy as _

from centers.forms import SiteChoiceField
from centers.models import Kind, Level, ServicePlatform, Site
from civic import nested
from civic.ids import parse_id

from .models import (
    ImportMode,
    PoliticalStatus,
    SourceGroup,
    Status,
    Team,
    TeamKind,
    Volunteer,
)
from .services import TeamChanges, VolunteerChanges

TEXT_FIELDS = ["national_number", "emergency_name", "emergency_phone"]
PRIVACY_NOTICE = _(
    "We collect your name, ID number, phone, home site and skills only to organise volunteer service, "
    "record your hours and points and contact you about activities (Personal Information Protection Law of "
    "the PRC). Your ID number and phone are shown whole only to you and the managers of your station; "
    "others see them masked. You can ask your station to correct your data or to delete it."
)


def _tel(field: forms.Field) -> forms.Field:
    field.widget.input_type = "tel"
    field.widget.attrs.update(inputmode="tel", autocomplete="tel")
    return field


class SkillsField(forms.ModelMultipleChoiceField):
    widget = forms.CheckboxSelectMultiple

    def label_from_instance(self, obj: ServicePlatform) -> str:
        return obj.label


class _ProfileForm(forms.Form):
    """The profile fields a volunteer has beside name and numbers."""

    political_status = forms.ChoiceField(
        label=_("Political status"), choices=PoliticalStatus.choices, initial=PoliticalStatus.MASSES
    )
    source_group = forms.ModelChoiceField(
        label=_("Source group"), queryset=SourceGroup.objects.filter(is_active=True), required=False
    )
    skills = SkillsField(label=_("Skills"), queryset=ServicePlatform.objects.none(), required=False)
    skill_tags = forms.CharField(
        label=_("Other skills"), max_length=200, required=False, help_text=_("Separate them with commas.")
    )
    national_number = forms.CharField(
        label=_("National volunteer number"),
        max_length=40,
        required=False,
        help_text=_("From the national volunteer service system (中国志愿服务网), if you have one."),
    )
    emergency_name = forms.CharField(label=_("Emergency contact"), max_length=50, required=False)
    emergency_phone = _tel(forms.CharField(label=_("Emergency phone"), max_length=20, required=False))

    def __init__(self, *args, platforms=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["skills"].queryset = platforms if platforms is not None else ServicePlatform.objects.none()
        self.fields["source_group"].label_from_instance = lambda group: group.label

    def profile_arguments(self) -> dict:
        data = self.cleaned_data
        return {
            "political_status": data["political_status"],
            "source_group": data.get("source_group"),
            "skills": list(data.get("skills") or []),
            "skill_tags": data.get("skill_tags", ""),
            **{key: data.get(key, "") for key in TEXT_FIELDS},
        }


class _IdentityFields(forms.Form):
    real_name = forms.CharField(label=_("Real name"), max_length=50)
    id_number = forms.CharField(
        label=_("Resident ID number"),
        max_length=30,
        help_text=_("18 characters; the last may be X."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false"}),
    )
    phone = _tel(forms.CharField(label=_("Mobile phone"), max_length=20))


class _GuardianFields(forms.Form):
    guardian_name = forms.CharField(
        label=_("Guardian"), max_length=50, required=False, help_text=_("Only for volunteers under 18.")
    )
    guardian_phone = _tel(forms.CharField(label=_("Guardian phone"), max_length=20, required=False))
    guardian_consent = forms.BooleanField(
        label=_("The guardian agrees to this registration"), required=False, widget=forms.CheckboxInput
    )


class StaffRegistrationForm(_IdentityFields, _GuardianFields, _ProfileForm):
    """Registration by station staff: active at once, no login."""

    home_site = SiteChoiceField(label=_("Home site"), queryset=Site.objects.none())
    consent = forms.BooleanField(
        label=_("The person has read the privacy notice and agrees"),
        required=False,
        help_text=PRIVACY_NOTICE,
    )
    field_order = ["home_site", "real_name", "id_number", "phone"]

    def __init__(self, *args, sites=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["home_site"].queryset = sites if sites is not None else Site.objects.none()

    def service_arguments(self) -> dict:
        data = self.cleaned_data
        return {
            "home_site": data["home_site"],
            "real_name": data["real_name"],
            "id_number": data["id_number"],
            "phone": data["phone"],
            "consent": data["consent"],
            "guardian_name": data["guardian_name"],
            "guardian_phone": data["guardian_phone"],
            "guardian_consent": data["guardian_consent"],
            **self.profile_arguments(),
        }


def practice_sites():
    return Site.objects.filter(kind=Kind.PRACTICE, is_active=True)


class PlaceChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Site) -> str:
        return obj.label


class SelfRegistrationForm(_IdentityFields, _GuardianFields, _ProfileForm):
    """Anyone registers themself on a phone; the station approves. The home site is chosen
    township first, then village (loaded with htmx, or on the next submit without script)."""

    county = PlaceChoiceField(label=_("County"), queryset=Site.objects.none(), required=False)
    township = PlaceChoiceField(label=_("Township or street"), queryset=Site.objects.none())
    village = PlaceChoiceField(
        label=_("Village or community"),
        queryset=Site.objects.none(),
        required=False,
        help_text=_("Leave empty if you belong to the township itself."),
    )
    password = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=password_validators_help_text_html,
    )
    password2 = forms.CharField(
        label=_("Password again"), strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )
    phone_code = forms.CharField(
        label=_("Code from the text message"),
        max_length=6,
        help_text=_("Tap “Text me a code”: we send a 6-digit code to your phone to check that it is yours."),
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code", "pattern": "[0-9]*"}),
    )
    consent = forms.BooleanField(label=_("I have read the privacy notice and agree"), required=False)
    field_order = ["real_name", "id_number", "phone", "phone_code", "county", "township", "village"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        counties = practice_sites().filter(level=Level.COUNTY).order_by(*nested.tree_order())
        self.single_county = None
        county_list = list(counties[:2])
        if len(county_list) == 1:
            self.single_county = county_list[0]
            self.fields.pop("county")
        else:
            self.fields["county"].queryset = counties
        self.fields["township"].queryset = self._children(self._chosen("county") or self.single_county)
        self.fields["village"].queryset = self._children(self._chosen("township"))

    def _chosen(self, name: str) -> Site | None:
        pk = parse_id((self.data.get(name) or self.initial.get(name)) if name in self.fields else None)
        return practice_sites().filter(pk=pk).first() if pk else None

    @staticmethod
    def _children(parent: Site | None):
        if parent is None:
            return practice_sites().none()
        return practice_sites().filter(parent=parent).order_by("code", "name")

    def clean(self):
        data = super().clean()
        if data.get("password") and data.get("password2") and data["password"] != data["password2"]:
            self.add_error("password2", _("The two passwords differ."))
        return data

    def service_arguments(self) -> dict:
        data = self.cleaned_data
        return {
            "home_site": data.get("village") or data["township"],
            "real_name": data["real_name"],
            "id_number": data["id_number"],
            "phone": data["phone"],
            "consent": data["consent"],
            "guardian_name": data["guardian_name"],
            "guardian_phone": data["guardian_phone"],
            "guardian_consent": data["guardian_consent"],
            "password": data["password"],
            "phone_code": data["phone_code"],
            **self.profile_arguments(),
        }


class VolunteerEditForm(_GuardianFields, _ProfileForm):
    """What station staff change (the ID number is fixed once registered)."""

    real_name = forms.CharField(label=_("Real name"), max_length=50)
    phone = _tel(forms.CharField(label=_("Mobile phone"), max_length=20, required=False))
    home_site = SiteChoiceField(label=_("Home site"), queryset=Site.objects.none())
    field_order = ["real_name", "phone", "home_site"]

    def __init__(self, *args, volunteer: Volunteer, sites=None, **kwargs):
        initial = {
            "real_name": volunteer.real_name,
            "phone": volunteer.phone,
            "home_site": volunteer.home_site_id,
            "political_status": volunteer.political_status,
            "source_group": volunteer.source_group_id,
            "skills": [p.pk for p in volunteer.skills.all()],
            "skill_tags": "，".join(volunteer.skill_tags or []),
            "guardian_name": volunteer.guardian_name,
            "guardian_phone": volunteer.guardian_phone,
            **{key: getattr(volunteer, key) for key in TEXT_FIELDS},
        }
        kwargs["initial"] = {**initial, **kwargs.get("initial", {})}
        super().__init__(*args, **kwargs)
        self.fields.pop("guardian_consent")
        queryset = sites if sites is not None else Site.objects.none()
        self.fields["home_site"].queryset = queryset | Site.objects.filter(pk=volunteer.home_site_id)

    def service_arguments(self) -> tuple[VolunteerChanges, list[ServicePlatform]]:
        """(changes, skills) for ``services.volunteer_update``."""
        data = self.cleaned_data
        changes: VolunteerChanges = {
            "real_name": data["real_name"],
            "phone": data["phone"],
            "home_site": data["home_site"],
            "political_status": data["political_status"],
            "source_group": data.get("source_group"),
            "skill_tags": data.get("skill_tags", ""),
            "national_number": data.get("national_number", ""),
            "emergency_name": data.get("emergency_name", ""),
            "emergency_phone": data.get("emergency_phone", ""),
            "guardian_name": data["guardian_name"],
            "guardian_phone": data["guardian_phone"],
        }
        return changes, list(data.get("skills") or [])


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"), max_length=200, required=False, widget=forms.Textarea(attrs={"rows": 2, "cols": 40})
    )


class PasswordForm(forms.Form):
    password = forms.CharField(
        label=_("New password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=password_validators_help_text_html,
    )
    password2 = forms.CharField(
        label=_("New password again"), strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )

    def clean(self):
        data = super().clean()
        if data.get("password") and data.get("password2") and data["password"] != data["password2"]:
            self.add_error("password2", _("The two passwords differ."))
        return data


class MyPasswordForm(PasswordForm):
    old_password = forms.CharField(
        label=_("Current password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    field_order = ["old_password", "password", "password2"]


class ClaimForm(PasswordForm):
    id_number = forms.CharField(
        label=_("Resident ID number"), max_length=30, widget=forms.TextInput(attrs={"autocomplete": "off"})
    )
    phone = _tel(forms.CharField(label=_("Mobile phone registered at your station"), max_length=20))
    field_order = ["id_number", "phone", "password", "password2"]


ROLL_ALL = "all"  # the list's status filter for everyone listed (the default is the roll)


class VolunteerFilterForm(forms.Form):
    """The list's search and filters (read by ``VolunteerFilter``; this form only draws them)."""

    q = forms.CharField(label=_("Search"), required=False)
    site = SiteChoiceField(label=_("Site"), queryset=Site.objects.none(), required=False, empty_label=_("(all)"))
    status = forms.ChoiceField(label=_("Status"), required=False)
    source_group = forms.ModelChoiceField(
        label=_("Source group"), queryset=SourceGroup.objects.all(), required=False, empty_label=_("(all)")
    )
    skill = forms.ModelChoiceField(
        label=_("Skill"), queryset=ServicePlatform.objects.none(), required=False, empty_label=_("(all)")
    )
    team = forms.ModelChoiceField(label=_("Team"), queryset=Team.objects.none(), required=False, empty_label=_("(all)"))

    def __init__(self, *args, sites=None, platforms=None, teams=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["q"].widget.attrs.update(
            type="search", placeholder=_("Name, pinyin, phone or ID tail (4 digits)"), autocomplete="off"
        )
        self.fields["status"].choices = [
            ("", _("On the roll: active and suspended")),
            (ROLL_ALL, _("Everyone but the withdrawn")),
            *Status.choices,
        ]
        if sites is not None:
            self.fields["site"].queryset = sites
        if platforms is not None:
            self.fields["skill"].queryset = platforms
        if teams is not None:
            self.fields["team"].queryset = teams
        self.fields["source_group"].label_from_instance = lambda group: group.label
        self.fields["skill"].label_from_instance = lambda platform: platform.label


class TeamForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100)
    kind = forms.ChoiceField(label=_("Kind"), choices=TeamKind.choices)
    lead_department = forms.CharField(
        label=_("Lead department"), max_length=100, required=False, help_text=_("For a brigade, e.g. 县委党校.")
    )
    platform = forms.ModelChoiceField(
        label=_("Service platform"), queryset=ServicePlatform.objects.none(), required=False
    )
    description = forms.CharField(label=_("Description"), max_length=300, required=False)
    is_active = forms.BooleanField(label=_("Active"), required=False, initial=True)

    def __init__(self, *args, platforms=None, team: Team | None = None, **kwargs):
        if team is not None:
            kwargs["initial"] = {
                "name": team.name,
                "kind": team.kind,
                "lead_department": team.lead_department,
                "platform": team.platform_id,
                "description": team.description,
                "is_active": team.is_active,
            }
        super().__init__(*args, **kwargs)
        self.fields["platform"].queryset = platforms if platforms is not None else ServicePlatform.objects.none()
        self.fields["platform"].label_from_instance = lambda platform: platform.label

    def service_arguments(self) -> TeamChanges:
        """The changes for ``services.team_update`` (and, with the site and parent of
        ``TeamCreateForm``, the arguments of ``services.team_create``)."""
        data = self.cleaned_data
        changes: TeamChanges = {
            "name": data["name"],
            "kind": data["kind"],
            "lead_department": data.get("lead_department", ""),
            "platform": data.get("platform"),
            "description": data.get("description", ""),
        }
        if "is_active" in self.fields:
            changes["is_active"] = data["is_active"]
        return changes


class TeamCreateForm(TeamForm):
    site = SiteChoiceField(label=_("Site"), queryset=Site.objects.none())
    parent = forms.ModelChoiceField(
        label=_("Parent team"),
        queryset=Team.objects.none(),
        required=False,
        help_text=_("A team of this site or of a site above it."),
    )
    field_order = ["site", "parent", "name", "kind"]

    def __init__(self, *args, sites=None, parents=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields.pop("is_active")
        self.fields["site"].queryset = sites if sites is not None else Site.objects.none()
        self.fields["parent"].queryset = parents if parents is not None else Team.objects.none()
        self.fields["parent"].label_from_instance = lambda team: "\u3000" * team.level + team.name


class LeaderForm(forms.Form):
    volunteer = forms.ModelChoiceField(
        label=_("Leader"), queryset=Volunteer.objects.none(), required=False, empty_label=_("(no leader)")
    )

    def __init__(self, *args, candidates=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["volunteer"].queryset = candidates if candidates is not None else Volunteer.objects.none()
        self.fields["volunteer"].label_from_instance = lambda v: f"{v.real_name} · {v.home_site.label}"


class RosterImportForm(forms.Form):
    site = SiteChoiceField(
        label=_("Import into"),
        queryset=Site.objects.none(),
        help_text=_("Every row's site must lie under this one."),
    )
    file = forms.FileField(
        label=_("Roster file"),
        help_text=_("The xlsx template, or a CSV saved by Excel or WPS (UTF-8 or GBK)."),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.csv"}),
    )
    mode = forms.ChoiceField(
        label=_("Rows with errors"),
        choices=[
            (ImportMode.ALL_OR_NOTHING, _("Write nothing unless every row is good")),
            (ImportMode.GOOD_ONLY, _("Write the good rows and report the others")),
        ],
        initial=ImportMode.ALL_OR_NOTHING,
        widget=forms.RadioSelect,
    )

    def __init__(self, *args, sites=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["site"].queryset = sites if sites is not None else Site.objects.none()
