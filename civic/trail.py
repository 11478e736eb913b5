"""The audit trail page (操作日志): who changed what and when, in the sites a user may see,
as sentences (``civic.selectors.audit_lines``), filtered by who, what and when, a page at a
time. ``?site=<id>`` narrows it to one site and everything under it."""

from __future__ import annotations

from typing import Any

from django import forms
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext_lazy as _

from .ids import IdField
from .registry import audit_label_groups
from .scope import site_model
from .selectors import audit_actors, audit_entries, audit_lines
from .views import ScopedObjectView, get_scoped, paginate

PER_PAGE = 50


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self) -> None:
        super().__init__(format="%Y-%m-%d")


class AuditFilterForm(forms.Form):
    """Who, what and when; every field may stay empty."""

    who = forms.TypedChoiceField(label=_("Who"), required=False, coerce=int, empty_value=None)
    what = forms.ChoiceField(label=_("What"), required=False)
    since = forms.DateField(label=_("From"), required=False, widget=DateInput())
    until = forms.DateField(label=_("To"), required=False, widget=DateInput())
    site = IdField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, people: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        who: Any = self.fields["who"]
        what: Any = self.fields["what"]
        who.choices = [("", _("Anyone")), *((str(pk), name) for pk, name in people)]
        what.choices = [("", _("Anything")), *audit_label_groups()]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        since, until = data.get("since"), data.get("until")
        if since and until and since > until:
            self.add_error("until", _("The end comes before the start."))
        return data


class AuditTrailView(ScopedObjectView):
    """The trail of the sites the user may see (a site and its subtree with ``?site=``)."""

    template_name = "civic/audit_trail.html"

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        user = request.user
        raw_site = request.GET.get("site", "")
        site = get_scoped(site_model()._default_manager.all(), user, raw_site) if raw_site else None
        visible = audit_entries(user, site=site)
        form = AuditFilterForm(request.GET or None, people=audit_actors(visible, user))
        filters: dict[str, Any] = {}
        if form.is_bound and form.is_valid():
            data = form.cleaned_data
            filters = {"actor_id": data["who"], "action": data["what"], "since": data["since"], "until": data["until"]}
        page = paginate(request, audit_entries(user, site=site, **filters), PER_PAGE)
        lines = audit_lines(page.object_list, user)
        return self.render(form=form, page=page, lines=lines, site=site, filtered=any(filters.values()))
