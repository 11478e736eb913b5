"""Pages of the site tree: the tree browser, a site's page, its forms, roles, standards
and the service platforms.

Every page is a declaration on the base classes of ``civic.views``: the object of the URL
is read through ``restrict`` (a site the user cannot see is a 404, one they see but may not
change a 403), and every write is a service called by ``ServiceFormView`` (its
ValidationError goes back onto the form, a result that left the user's reach is rolled
back).
"""

from __future__ import annotations

from functools import cached_property
from typing import Any

from django import forms
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import FileResponse, Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from civic import figures as civic_figures
from civic import nested
from civic.ids import IdField, query_id
from civic.models import AuditEntry
from civic.people import name_people, person_name
from civic.scope import ROLE_CODENAMES, Role
from civic.selectors import audit_lines
from civic.views import ScopedObjectView, ServiceActionView, ServiceFormView, not_found, paginate

from . import selectors, services
from .forms import CheckForm, GrantForm, MoveForm, PlatformForm, SiteForm, StandardSetForm
from .models import Level, ServicePlatform, Site, SiteGrant, StandardCheck, StandardItem

CHILDREN_PER_PAGE = 100
SEARCH_PER_PAGE = 50
MOVE_CHOICES_LIMIT = 300
RECENT_CHANGES = 10
ROLE_BY_CODENAME = {codename: role for role, codename in ROLE_CODENAMES.items()}


def _is_htmx(request) -> bool:
    return request.headers.get("HX-Request") == "true"


def with_figures(sites) -> list[Site]:
    """The sites as a list, each with ``figures`` from every app (one query per app)."""
    sites = list(sites)
    figures = civic_figures.site_figures(sites)
    for site in sites:
        site.figures = figures.get(site.pk, [])
    return sites


class TreeView(ScopedObjectView):
    """The tree browser: the user's top sites (the only one opened), or search results."""

    template_name = "centers/tree.html"

    def get(self, request):
        q = request.GET.get("q", "").strip()[:100]
        if q:
            page = paginate(request, selectors.site_search(request.user, q), SEARCH_PER_PAGE)
            return self.render(q=q, page=page, rows=with_figures(page.object_list))
        page = paginate(request, selectors.with_child_counts(selectors.top_sites_for(request.user)), CHILDREN_PER_PAGE)
        tops = list(page.object_list)
        opened = tops[0] if len(tops) == 1 and tops[0].child_count else None
        children_page = None
        children: list[Site] = []
        if opened is not None:
            children_page = paginate(
                request, selectors.children_of(opened).restrict(request.user, "view"), CHILDREN_PER_PAGE
            )
            children = list(children_page.object_list)
        with_figures(tops + children)
        return self.render(q=q, page=page, rows=tops, opened=opened, children=children, children_page=children_page)


class SiteView(ScopedObjectView):
    """A page about one site, read through the user's scope for ``scope_action``."""

    model = Site
    context_object_name = "site"

    @property
    def site(self) -> Site:
        return self.object

    def detail_url(self, site: Site | None = None) -> str:
        return reverse("centers:site-detail", args=[(site or self.site).pk])


class ChildrenView(SiteView):
    """htmx fragment: a page of a site's direct children (with a "more" row)."""

    scope_action = "view"
    template_name = "centers/_children.html"

    def get(self, request, pk):
        if not _is_htmx(request):
            page = query_id(request, "page")
            return redirect(self.detail_url() + (f"?page={page}" if page else ""))
        page = paginate(request, selectors.children_of(self.site).restrict(request.user, "view"), CHILDREN_PER_PAGE)
        return self.render(page=page, rows=with_figures(page.object_list))


class SiteDetailView(SiteView):
    scope_action = "view"
    template_name = "centers/site_detail.html"

    def get(self, request, pk):
        site = self.site
        ancestors = site.get_ancestors().with_access(request.user, "view", "visible").order_by(*nested.tree_order())
        page = paginate(request, selectors.children_of(site).restrict(request.user, "view"), CHILDREN_PER_PAGE)
        children = list(page.object_list)
        with_figures([site, *children])
        recent = AuditEntry.objects.filter(site_id=site.pk).select_related("actor", "object_type")[:RECENT_CHANGES]
        return self.render(
            ancestors=list(ancestors),
            page=page,
            children=children,
            tiers=selectors.tier_counts(site),
            rollup=selectors.standards_rollup(site),
            audit=audit_lines(recent, request.user),
            actions=selectors.site_actions(request.user, site),
        )


class SiteCreateView(ServiceFormView, SiteView):
    """A new site under ``?parent=`` (a new top-level site for an administrator)."""

    scope_action = "add"
    object_optional = True
    template_name = "centers/site_form.html"
    form_class = SiteForm
    success_message = gettext_lazy("Added %(object)s.")

    def get_object_id(self) -> Any:
        return self.request.GET.get("parent", "")

    def get_object(self) -> Site | None:
        parent = super().get_object()
        if parent is None and not self.request.user.is_superuser:
            raise PermissionDenied(_("Choose the site to add the new one under."))
        return parent

    def get_initial(self) -> dict[str, Any]:
        return {"level": selectors.level_below(self.object)}

    def get_context_data(self, **context: Any) -> dict[str, Any]:
        return super().get_context_data(parent=self.object, creating=True, **context)

    def write(self, form):
        return services.site_create(actor=self.request.user, parent=self.object, **form.cleaned_data)

    def get_success_url(self, result: Site) -> str:
        return self.detail_url(result)


class SiteEditView(ServiceFormView, SiteView):
    """A site's own details (its place in the tree moves on the move page)."""

    scope_action = "change"
    template_name = "centers/site_form.html"
    form_class = SiteForm
    success_message = gettext_lazy("Saved.")

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "instance": self.site}

    def write(self, form):
        return services.site_update(actor=self.request.user, site=self.site, **form.cleaned_data)

    def get_success_url(self, result) -> str:
        return self.detail_url()


class SiteMoveView(ServiceFormView, SiteView):
    """Move a site (and everything under it) under another site; the choice is searched by
    ``?q=`` when the user's area holds too many to list."""

    scope_action = "change"
    template_name = "centers/site_move.html"
    form_class = MoveForm
    success_message = gettext_lazy("Moved.")

    @cached_property
    def query(self) -> str:
        return self.request.GET.get("q", "").strip()[:100]

    @cached_property
    def candidates(self):
        candidates = selectors.move_candidates(self.site, self.request.user)
        if self.request.method == "GET" and self.query:
            q = self.query
            candidates = candidates.filter(Q(name__icontains=q) | Q(short_name__icontains=q) | Q(code__startswith=q))
        return candidates

    @cached_property
    def too_many(self) -> bool:
        return self.request.method == "GET" and self.candidates[: MOVE_CHOICES_LIMIT + 1].count() > MOVE_CHOICES_LIMIT

    def get_form_kwargs(self):
        return {
            **super().get_form_kwargs(),
            "candidates": self.candidates.none() if self.too_many else self.candidates,
            "allow_top": self.request.user.is_superuser,
        }

    def get_initial(self) -> dict[str, Any]:
        return {"new_parent": self.site.parent_id}

    def get_context_data(self, **context: Any) -> dict[str, Any]:
        reason = selectors.site_actions(self.request.user, self.site).move if not self.query else ""
        return super().get_context_data(q=self.query, too_many=self.too_many, cannot_move=reason, **context)

    def write(self, form):
        return services.site_move(actor=self.request.user, site=self.site, new_parent=form.cleaned_data["new_parent"])

    def get_success_url(self, result) -> str:
        return self.detail_url()


class SiteDeleteView(ServiceFormView, SiteView):
    """Delete a site with nothing under it (the page says why not otherwise)."""

    scope_action = "delete"
    template_name = "centers/site_delete.html"
    result_action = None  # nothing is left to check
    success_message = gettext_lazy("Deleted %(object)s.")

    def write(self, form):
        services.site_delete(actor=self.request.user, site=self.site)

    def get_success_url(self, result) -> str:
        parent_id = self.site.parent_id
        return reverse("centers:site-detail", args=[parent_id]) if parent_id else reverse("centers:tree")


class SiteRolesView(ServiceFormView, SiteView):
    """Who holds which role on this site and the sites under it; give a role."""

    scope_action = "manage"
    result_action = "manage"
    template_name = "centers/site_roles.html"
    form_class = GrantForm

    def grants(self):
        return (
            SiteGrant.objects.filter(
                nested.under(self.site, "content_object"), permission__codename__in=list(ROLE_BY_CODENAME)
            )
            .select_related("user", "permission", "content_object")
            .order_by(*nested.tree_order("content_object"), "user__username", "permission__codename")
        )

    def get_context_data(self, **context: Any) -> dict[str, Any]:
        page = paginate(self.request, self.grants(), CHILDREN_PER_PAGE)
        grants = name_people(page.object_list, self.request.user, "user")
        rows = [(grant, ROLE_BY_CODENAME[grant.permission.codename]) for grant in grants]
        return super().get_context_data(page=page, rows=rows, **context)

    def write(self, form):
        self.given = (form.user, Role(form.cleaned_data["role"]))
        return services.role_grant(actor=self.request.user, user=form.user, site=self.site, role=self.given[1])

    def get_success_message(self, result: bool) -> str:
        user, role = self.given
        who = person_name(user, self.request.user)
        if not result:
            return _("%(user)s already had this role.") % {"user": who}
        return _("%(user)s is now %(role)s of %(site)s.") % {"user": who, "role": role.label, "site": self.site}

    def get_success_url(self, result) -> str:
        return reverse("centers:site-roles", args=[self.site.pk])


class RevokeForm(forms.Form):
    grant = IdField()


class SiteRoleRevokeView(ServiceActionView, SiteRolesView):
    """Take a role away (a grant on this site or under it; any other is a 404)."""

    form_class = RevokeForm
    revoked: SiteGrant | None = None

    def post(self, request, *args, **kwargs):
        form = self.get_form()
        if not form.is_valid():
            raise not_found()  # no grant id at all
        return self.form_valid(form)

    def write(self, form):
        grant = self.grants().filter(pk=form.cleaned_data["grant"]).first()
        if grant is None:
            raise not_found()
        self.revoked = grant
        role = ROLE_BY_CODENAME[grant.permission.codename]
        return services.role_revoke(actor=self.request.user, user=grant.user, site=grant.content_object, role=role)

    def get_success_message(self, result) -> str:
        grant = self.revoked
        assert grant is not None
        return _("%(user)s is no longer %(role)s of %(site)s.") % {
            "user": person_name(grant.user, self.request.user),
            "role": ROLE_BY_CODENAME[grant.permission.codename].label,
            "site": grant.content_object,
        }


class StandardsPage(SiteView):
    """The checklist the site is held to and each item's check (one form per item), and for
    a county (or above) the choice of checklist."""

    scope_action = "change"
    template_name = "centers/site_standards.html"
    CHOOSER_LEVELS = (Level.PROVINCE, Level.CITY, Level.COUNTY)

    @cached_property
    def standards(self):
        return selectors.standards_items_for(self.site)

    def page_context(self, check: CheckForm | None = None, chooser: StandardSetForm | None = None) -> dict[str, Any]:
        """The page, with ``check`` (a posted check) in its item's place and ``chooser``."""
        standard_set, items = self.standards
        name_people([done for _item, done in items if done is not None], self.request.user, "checked_by")
        rows = []
        for item, done in items:
            if check is not None and check.data.get("item") == str(item.pk):
                form = check
            else:
                initial = {"item": item.pk, "passed": bool(done and done.passed), "note": done.note if done else ""}
                form = CheckForm(initial=initial, auto_id=f"id_i{item.pk}_%s")
            rows.append((item, done, form))
        can_choose = self.site.level in self.CHOOSER_LEVELS
        if can_choose and chooser is None:
            chooser = StandardSetForm(initial={"standard_set": self.site.standard_set_id})
        return {"standard_set": standard_set, "rows": rows, "chooser": chooser if can_choose else None}

    def get_success_url(self, result) -> str:
        return reverse("centers:site-standards", args=[self.site.pk])


class SiteStandardsView(StandardsPage, ServiceFormView):
    """The standards page; a POST records one item's check."""

    form_class = CheckForm

    def get_form_kwargs(self):
        item_ids = [item.pk for item, _check in self.standards[1]]
        return {
            **super().get_form_kwargs(),
            "items": StandardItem.objects.filter(pk__in=item_ids),
            "auto_id": f"id_i{self.request.POST.get('item', '')}_%s",
        }

    def get_context_data(self, form: CheckForm | None = None, **context: Any) -> dict[str, Any]:
        return super().get_context_data(**self.page_context(check=form), **context)

    def get(self, request, *args, **kwargs):
        return self.render()

    def write(self, form):
        data = form.cleaned_data
        return services.standard_check_record(
            actor=self.request.user,
            site=self.site,
            item=data["item"],
            passed=data["passed"],
            note=data["note"],
            evidence=data["evidence"] or None,
        )

    def get_success_message(self, result: StandardCheck) -> str:
        return _("Recorded: %(item)s.") % {"item": result.item.label}


class SiteChecklistView(StandardsPage, ServiceFormView):
    """Choose the checklist a county (or a site above) and everything under it are held to."""

    http_method_names = ["post"]
    form_class = StandardSetForm
    success_message = gettext_lazy("Checklist chosen.")

    def get_object(self) -> Site:
        site = super().get_object()
        if site.level not in self.CHOOSER_LEVELS:
            raise PermissionDenied(_("The checklist is chosen for a county (or above)."))
        return site

    def get_context_data(self, form: StandardSetForm | None = None, **context: Any) -> dict[str, Any]:
        return super().get_context_data(**self.page_context(chooser=form), **context)

    def write(self, form):
        chosen = form.cleaned_data["standard_set"]
        return services.standard_set_choose(actor=self.request.user, site=self.site, standard_set=chosen)


class EvidenceView(ScopedObjectView):
    """An evidence photo, only for users who may view its site (never a public media URL)."""

    model = StandardCheck
    scope_action = "view"

    def get(self, request, pk):
        check = self.object
        if not check.evidence:
            raise Http404(_("No photo."))
        try:
            handle = check.evidence.open("rb")
        except FileNotFoundError:
            raise Http404(_("No photo.")) from None
        response = FileResponse(handle)
        response["Cache-Control"] = "private, max-age=3600"
        return response


class PlatformsView(ServiceFormView):
    """The service platforms a user works with; managers of a county add and edit their
    county's (``?edit=<id>``), an administrator those offered everywhere too."""

    model = ServicePlatform
    scope_action = "manage"
    object_optional = True
    template_name = "centers/platforms.html"
    form_class = PlatformForm
    success_message = gettext_lazy("Saved %(object)s.")

    def get_object_id(self) -> Any:
        return self.request.POST.get("platform") or self.request.GET.get("edit") or ""

    def get_form_kwargs(self):
        user = self.request.user
        return {
            **super().get_form_kwargs(),
            "owners": selectors.platform_owners(user).order_by(*nested.tree_order()),
            "allow_global": user.is_superuser,
            "platform": self.object,
        }

    def get_context_data(self, **context: Any) -> dict[str, Any]:
        user = self.request.user
        rows = list(
            ServicePlatform.objects.restrict(user, "view")
            .select_related("owner")
            .order_by(*nested.tree_order("owner"), "sort_order")
        )
        editable = set(
            ServicePlatform.objects.restrict(user, "manage").filter(owner__isnull=False).values_list("pk", flat=True)
        )
        for platform in rows:
            platform.editable = user.is_superuser or platform.pk in editable
        return super().get_context_data(rows=rows, editing=self.object, **context)

    def get(self, request, *args, **kwargs):
        may_edit = self.object is not None or selectors.platform_may_add(request.user)
        return self.render(form=self.get_form() if may_edit else None)

    def write(self, form):
        data = dict(form.cleaned_data)
        owner = data.pop("owner", None)
        return services.platform_save(actor=self.request.user, platform=self.object, owner=owner, **data)

    def get_success_url(self, result) -> str:
        return reverse("centers:platforms")
