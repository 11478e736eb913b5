"""Managers: the hub of their sites, the points rules, a volunteer's ledger, manual
adjustments (confirmed with the balance before and after) and reversals."""

from __future__ import annotations

from functools import cached_property

from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from centers.models import Site
from centers.selectors import top_sites_for
from civic import nested
from civic.ids import query_id
from civic.people import name_people
from civic.views import ScopedObjectView, ServiceFormView, form_errors_from, get_scoped, paginate
from volunteers.models import Volunteer
from volunteers.selectors import volunteer_search

from .. import selectors, services
from ..forms import AdjustForm, ReverseForm, RuleForm
from ..models import Entry, Rule
from .common import LIST_PER_PAGE, HistoryPage, ManageOnWrite, SiteView, site_names


class ManageView(ScopedObjectView):
    """Where a manager starts: their sites, each with its points pages; a volunteer search."""

    template_name = "points/manage.html"

    def get(self, request):
        user = request.user
        tops = list(top_sites_for(user).restrict(user, "manage"))
        pk = query_id(request, "site")
        site = get_scoped(Site.objects.all(), user, pk, "view") if pk is not None else (tops[0] if tops else None)
        children = list(site.get_children().order_by(*nested.tree_order())[:300]) if site else []
        q = request.GET.get("q", "").strip()[:50]
        found = None
        if q and site is not None:
            found = (
                volunteer_search(Volunteer.objects.restrict(user, "view"), user, q)
                .filter(nested.under(site, "home_site"))
                .select_related("home_site")
                .order_by("real_name")[:50]
            )
        return self.render(
            tops=tops,
            site=site,
            children=children,
            q=q,
            found=found,
            can_manage=site is not None and selectors.may_manage(user, site),
        )


class RulesView(ManageOnWrite, ServiceFormView, SiteView):
    """The rules in force at a site (its own and inherited), past ones, and a new dated rule
    (row by row, starting from the rule in force)."""

    template_name = "points/rules.html"
    form_class = RuleForm
    result_action = "change"
    success_message = gettext_lazy("Rule saved. Entries made before it keep their points.")

    @cached_property
    def current(self) -> selectors.EffectiveRule:
        return selectors.rule_for(self.site, timezone.localdate())

    @cached_property
    def may_manage(self) -> bool:
        return selectors.may_manage(self.request.user, self.site)

    def get_initial(self):
        return RuleForm.initial_from(self.current) if self.may_manage else {}

    def get_context_data(self, **context):
        rows = (
            Rule.objects.filter(nested.over(self.site, "site"))
            .select_related("site", "created_by")
            .order_by(*nested.tree_order("site", reverse=True), "-valid_from")
        )
        page = paginate(self.request, rows, LIST_PER_PAGE)
        page.object_list = name_people(page.object_list, self.request.user, "created_by")
        if not self.may_manage:
            context["form"] = None
        return super().get_context_data(page=page, current=self.current, can_manage=self.may_manage, **context)

    def write(self, form):
        return services.rule_save(actor=self.request.user, site=self.site, **form.rule_data())

    def get_success_url(self, result) -> str:
        return reverse("points:rules", args=[self.site.pk])


class VolunteerView(ScopedObjectView):
    """A page about one volunteer of the user's area."""

    model = Volunteer
    context_object_name = "volunteer"

    def get_base_queryset(self):
        return Volunteer.objects.select_related("home_site")

    @property
    def volunteer(self) -> Volunteer:
        return self.object

    def ledger_url(self) -> str:
        return reverse("points:ledger", args=[self.volunteer.pk])


class LedgerView(VolunteerView):
    """A volunteer's account and ledger for their managers (adjust, reverse, certify)."""

    scope_action = "view"
    template_name = "points/ledger.html"

    def get(self, request, pk):
        account = selectors.account_of(self.volunteer)
        page = HistoryPage(request, selectors.marked_history(self.volunteer))
        site_names(page.object_list)
        return self.render(
            account=account,
            page=page,
            entries=page.object_list,
            can_manage=selectors.may_manage(request.user, self.volunteer.home_site),
        )


class AdjustView(ServiceFormView, VolunteerView):
    """A manual adjustment with a reason, confirmed on a second step that shows the balance
    before and after; one that would take the balance below zero is refused (a mistaken
    credit is reversed instead)."""

    scope_action = "manage"
    template_name = "points/adjust.html"
    form_class = AdjustForm
    success_message = gettext_lazy("Adjustment recorded.")

    @cached_property
    def account(self):
        return selectors.account_of(self.volunteer)

    def get_context_data(self, **context):
        balance = self.account.balance if self.account else 0
        return super().get_context_data(balance=balance, **context)

    def form_valid(self, form):
        if self.request.POST.get("confirm") == "yes":
            return super().form_valid(form)
        data = form.cleaned_data
        balance = self.account.balance if self.account else 0
        hours = self.account.lifetime_hours if self.account else 0
        try:
            services.check_adjustment(
                balance=balance, lifetime_hours=hours, points=data["points"], hours=data["hours"] or 0
            )
        except ValidationError as exc:
            form_errors_from(form, exc)
            return self.form_invalid(form)
        return self.render(form=form, confirming=True, after=balance + data["points"])

    def write(self, form):
        data = form.cleaned_data
        return services.points_adjust(
            actor=self.request.user,
            volunteer=self.volunteer,
            points=data["points"],
            hours=data["hours"] or 0,
            note=data["note"],
        )

    def get_success_url(self, result) -> str:
        return self.ledger_url()


class ReverseView(ServiceFormView):
    """Reverse a mistaken entry with a new one (the page itself is the confirmation)."""

    model = Entry
    scope_action = "manage"
    template_name = "points/reverse.html"
    context_object_name = "entry"
    form_class = ReverseForm
    success_message = gettext_lazy("Reversed.")

    def get_base_queryset(self):
        return Entry.objects.select_related("site", "account__volunteer")

    def get_object(self):
        entry = super().get_object()
        if not selectors.may_reverse(self.request.user, entry):
            raise PermissionDenied(_("Only a manager where the entry was made can reverse it."))
        return entry

    def write(self, form):
        return services.points_reverse(actor=self.request.user, entry=self.object, reason=form.cleaned_data["reason"])

    def get_success_url(self, result) -> str:
        return reverse("points:ledger", args=[self.object.account.volunteer_id])
