"""Pages of the site tree: the tree browser, a site's page, its forms, roles, standards
and the service platforms.

Every object is read through ``restrict`` (``civic.views.ScopedMixin``): a site the user
cannot see is a 404, one they see but may not change is a 403. Every write calls a
service through ``run_write``; a service's ValidationError goes back onto the form.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from civic import figures as civic_figures
from civic import nested
from civic.ids import parse_id, post_id, query_id
from civic.models import AuditEntry
from civic.people import name_people, person_name
from civic.scope import ROLE_CODENAMES, Role, can
from civic.views import (
    ScopedMixin,
    ScopedObjectView,
    ServiceFormView,
    flash_error,
    forbidden,
    form_errors_from,
    not_found,
    paginate,
    run_write,
)

from . import services
from .forms import (
    CheckForm,
    GrantForm,
    MoveForm,
    PlatformForm,
    SiteForm,
    StandardSetForm,
    level_below,
    move_candidates,
)
from .models import Level, ServicePlatform, Site, SiteGrant, StandardCheck, StandardItem
from .selectors import children_of, standards_items_for, standards_rollup, tier_counts, top_sites_for, with_child_counts

CHILDREN_PER_PAGE = 100
SEARCH_PER_PAGE = 50
MOVE_CHOICES_LIMIT = 300
ROLE_BY_CODENAME = {codename: role for role, codename in ROLE_CODENAMES.items()}
AUDIT_LABELS = {
    "site.create": gettext_lazy("added"),
    "site.update": gettext_lazy("changed"),
    "site.move": gettext_lazy("moved"),
    "site.delete": gettext_lazy("deleted"),
    "role.grant": gettext_lazy("role given"),
    "role.revoke": gettext_lazy("role taken away"),
    "platform.create": gettext_lazy("platform added"),
    "platform.update": gettext_lazy("platform changed"),
    "standard.check": gettext_lazy("standard checked"),
}


def _is_htmx(request) -> bool:
    return request.headers.get("HX-Request") == "true"


def with_figures(sites) -> list[Site]:
    """The sites as a list, each with ``figures`` from every app (one query per app)."""
    sites = list(sites)
    figures = civic_figures.site_figures(sites)
    for site in sites:
        site.figures = figures.get(site.pk, [])
    return sites


def search_sites(user, q: str):
    """Sites the user may view whose name, short name, pinyin or code matches ``q``."""
    condition = Q(name__icontains=q) | Q(short_name__icontains=q)
    compact = q.replace(" ", "").lower()
    if compact.isascii() and compact.isalpha():
        condition |= Q(pinyin__icontains=compact)
    if q.isdigit():
        condition |= Q(code__startswith=q)
    found = Site.objects.restrict(user, "view").filter(condition).select_related("parent")
    return with_child_counts(found).order_by(*nested.tree_order())


@login_required
def tree(request):
    """The tree browser: the user's top sites (the only one opened), or search results."""
    q = request.GET.get("q", "").strip()[:100]
    context: dict = {"q": q}
    if q:
        page = paginate(request, search_sites(request.user, q), SEARCH_PER_PAGE)
        context.update(page=page, rows=with_figures(page.object_list))
        return render(request, "centers/tree.html", context)
    page = paginate(request, with_child_counts(top_sites_for(request.user)), CHILDREN_PER_PAGE)
    tops = list(page.object_list)
    opened = tops[0] if len(tops) == 1 and tops[0].child_count else None
    children_page = None
    children: list[Site] = []
    if opened is not None:
        children_page = paginate(request, children_of(opened).restrict(request.user, "view"), CHILDREN_PER_PAGE)
        children = list(children_page.object_list)
    with_figures(tops + children)
    context.update(page=page, rows=tops, opened=opened, children=children, children_page=children_page)
    return render(request, "centers/tree.html", context)


class SiteView(ScopedObjectView):
    """A page about one site, read through the user's scope for ``scope_action``."""

    model = Site
    context_object_name = "site"

    @property
    def site(self) -> Site | None:
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
        page = paginate(request, children_of(self.site).restrict(request.user, "view"), CHILDREN_PER_PAGE)
        return self.render(page=page, rows=with_figures(page.object_list))


class SiteDetailView(SiteView):
    scope_action = "view"
    template_name = "centers/site_detail.html"

    def get(self, request, pk):
        site = self.site
        ancestors = site.get_ancestors().with_access(request.user, "view", "visible").order_by(*nested.tree_order())
        page = paginate(request, children_of(site).restrict(request.user, "view"), CHILDREN_PER_PAGE)
        children = list(page.object_list)
        with_figures([site, *children])
        trail = AuditEntry.objects.filter(site_id=site.pk).select_related("actor")[:10]
        audit = name_people(trail, request.user, "actor")
        for entry in audit:
            entry.label = AUDIT_LABELS.get(entry.action, entry.action)
        return self.render(
            ancestors=list(ancestors),
            page=page,
            children=children,
            tiers=tier_counts(site),
            rollup=standards_rollup(site),
            audit=audit,
            can_change=can(request.user, "change", site),
        )


class SiteCreateView(SiteView):
    """A new site under ``?parent=`` (a new top-level site for an administrator)."""

    scope_action = "add"
    template_name = "centers/site_form.html"

    def get_object(self) -> Site | None:
        raw = self.request.GET.get("parent", "")
        if not raw:
            if self.request.user.is_superuser:
                return None
            raise PermissionDenied(_("Choose the site to add the new one under."))
        pk = parse_id(raw)
        if pk is None:
            raise not_found()
        self.kwargs["pk"] = pk
        return super().get_object()

    def get(self, request):
        form = SiteForm(initial={"level": level_below(self.site)})
        return self.render(form=form, parent=self.site, creating=True)

    def post(self, request):
        form = SiteForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                created = run_write(
                    request,
                    Site,
                    lambda: services.site_create(actor=request.user, parent=self.site, **data),
                )
            except ValidationError as exc:
                form_errors_from(form, exc)
            else:
                messages.success(request, _("Added %(site)s.") % {"site": created})
                return redirect(self.detail_url(created))
        return self.render(form=form, parent=self.site, creating=True)


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


class SiteMoveView(SiteView):
    scope_action = "change"
    template_name = "centers/site_move.html"

    def candidates(self):
        return move_candidates(self.site, Site.objects.restrict(self.request.user, "add"))

    def get(self, request, pk):
        q = request.GET.get("q", "").strip()[:100]
        candidates = self.candidates()
        if q:
            candidates = candidates.filter(Q(name__icontains=q) | Q(short_name__icontains=q) | Q(code__startswith=q))
        too_many = candidates[: MOVE_CHOICES_LIMIT + 1].count() > MOVE_CHOICES_LIMIT
        form = MoveForm(
            candidates=candidates.none() if too_many else candidates,
            allow_top=request.user.is_superuser,
            initial={"new_parent": self.site.parent_id},
        )
        return self.render(form=form, q=q, too_many=too_many)

    def post(self, request, pk):
        form = MoveForm(request.POST, candidates=self.candidates(), allow_top=request.user.is_superuser)
        if form.is_valid():
            new_parent = form.cleaned_data["new_parent"]
            try:
                run_write(
                    request,
                    Site,
                    lambda: services.site_move(actor=request.user, site=self.site, new_parent=new_parent),
                )
            except ValidationError as exc:
                form_errors_from(form, exc)
            else:
                messages.success(request, _("Moved."))
                return redirect(self.detail_url())
        return self.render(form=form, q="", too_many=False)


class SiteDeleteView(SiteView):
    scope_action = "delete"
    template_name = "centers/site_delete.html"

    def get(self, request, pk):
        return self.render(errors=[])

    def post(self, request, pk):
        parent_id = self.site.parent_id
        try:
            run_write(request, Site, lambda: services.site_delete(actor=request.user, site=self.site))
        except ValidationError as exc:
            return self.render(errors=exc.messages)
        messages.success(request, _("Deleted %(site)s.") % {"site": self.site})
        return redirect(reverse("centers:site-detail", args=[parent_id]) if parent_id else reverse("centers:tree"))


class SiteRolesView(SiteView):
    """Who holds which role on this site and the sites under it; grant and revoke."""

    scope_action = "manage"
    template_name = "centers/site_roles.html"

    def grants(self):
        site = self.site
        return (
            SiteGrant.objects.filter(
                nested.under(site, "content_object"), permission__codename__in=list(ROLE_BY_CODENAME)
            )
            .select_related("user", "permission", "content_object")
            .order_by(*nested.tree_order("content_object"), "user__username", "permission__codename")
        )

    def get(self, request, pk, form=None):
        page = paginate(request, self.grants(), CHILDREN_PER_PAGE)
        grants = name_people(page.object_list, request.user, "user")
        rows = [(grant, ROLE_BY_CODENAME[grant.permission.codename]) for grant in grants]
        return self.render(page=page, rows=rows, form=form or GrantForm())

    def post(self, request, pk):
        if request.POST.get("action") == "revoke":
            return self.revoke(request)
        form = GrantForm(request.POST)
        if not form.is_valid():
            return self.get(request, pk, form=form)
        role = Role(form.cleaned_data["role"])
        try:
            added = run_write(
                request,
                Site,
                lambda: services.role_grant(actor=request.user, user=form.user, site=self.site, role=role),
            )
        except ValidationError as exc:
            form_errors_from(form, exc)
            return self.get(request, pk, form=form)
        if added:
            messages.success(
                request,
                _("%(user)s is now %(role)s of %(site)s.")
                % {"user": person_name(form.user, request.user), "role": role.label, "site": self.site},
            )
        else:
            who = person_name(form.user, request.user)
            messages.info(request, _("%(user)s already had this role.") % {"user": who})
        return redirect(reverse("centers:site-roles", args=[self.site.pk]))

    def revoke(self, request):
        pk = post_id(request, "grant")
        grant = self.grants().filter(pk=pk).first() if pk is not None else None
        if grant is None:
            raise not_found()
        role = ROLE_BY_CODENAME[grant.permission.codename]
        try:
            run_write(
                request,
                Site,
                lambda: services.role_revoke(actor=request.user, user=grant.user, site=grant.content_object, role=role),
            )
        except ValidationError as exc:
            flash_error(request, exc)
        else:
            messages.success(
                request,
                _("%(user)s is no longer %(role)s of %(site)s.")
                % {"user": person_name(grant.user, request.user), "role": role.label, "site": grant.content_object},
            )
        return redirect(reverse("centers:site-roles", args=[self.site.pk]))


class SiteStandardsView(SiteView):
    """The checklist the site is held to, each item's check, and (for a county) the choice
    of checklist."""

    scope_action = "change"
    template_name = "centers/site_standards.html"
    CHOOSER_LEVELS = (Level.PROVINCE, Level.CITY, Level.COUNTY)

    def get(self, request, pk, bound: CheckForm | None = None, chooser: StandardSetForm | None = None):
        standard_set, items = standards_items_for(self.site)
        name_people([check for _item, check in items if check is not None], request.user, "checked_by")
        rows = []
        for item, check in items:
            if bound is not None and bound.data.get("item") == str(item.pk):
                form = bound
            else:
                initial = {"item": item.pk, "passed": bool(check and check.passed), "note": check.note if check else ""}
                form = CheckForm(initial=initial, auto_id=f"id_i{item.pk}_%s")
            rows.append((item, check, form))
        can_choose = self.site.level in self.CHOOSER_LEVELS
        if can_choose and chooser is None:
            chooser = StandardSetForm(initial={"standard_set": self.site.standard_set_id})
        return self.render(standard_set=standard_set, rows=rows, chooser=chooser if can_choose else None)

    def post(self, request, pk):
        if request.POST.get("action") == "choose":
            return self.choose(request)
        _set, items = standards_items_for(self.site)
        item_ids = [item.pk for item, _check in items]
        form = CheckForm(
            request.POST,
            request.FILES,
            items=StandardItem.objects.filter(pk__in=item_ids),
            auto_id=f"id_i{request.POST.get('item', '')}_%s",
        )
        if form.is_valid():
            data = form.cleaned_data
            try:
                run_write(
                    request,
                    StandardCheck,
                    lambda: services.standard_check_record(
                        actor=request.user,
                        site=self.site,
                        item=data["item"],
                        passed=data["passed"],
                        note=data["note"],
                        evidence=data["evidence"] or None,
                    ),
                )
            except ValidationError as exc:
                form_errors_from(form, exc)
            else:
                messages.success(request, _("Recorded: %(item)s.") % {"item": data["item"].label})
                return redirect(reverse("centers:site-standards", args=[self.site.pk]))
        return self.get(request, pk, bound=form)

    def choose(self, request):
        if self.site.level not in self.CHOOSER_LEVELS:
            raise PermissionDenied(_("The checklist is chosen for a county (or above)."))
        form = StandardSetForm(request.POST)
        if form.is_valid():
            chosen = form.cleaned_data["standard_set"]
            try:
                run_write(
                    request,
                    Site,
                    lambda: services.standard_set_choose(actor=request.user, site=self.site, standard_set=chosen),
                )
            except ValidationError as exc:
                form_errors_from(form, exc)
            else:
                messages.success(request, _("Checklist chosen."))
                return redirect(reverse("centers:site-standards", args=[self.site.pk]))
        return self.get(request, self.site.pk, chooser=form)


class EvidenceView(ScopedMixin, View):
    """An evidence photo, only for users who may view its site (never a public media URL)."""

    model = StandardCheck
    scope_action = "view"

    def get(self, request, pk):
        check = self.get_object()
        if not check.evidence:
            raise Http404(_("No photo."))
        try:
            handle = check.evidence.open("rb")
        except FileNotFoundError:
            raise Http404(_("No photo.")) from None
        response = FileResponse(handle)
        response["Cache-Control"] = "private, max-age=3600"
        return response


@login_required
def platforms(request):
    """The service platforms a user works with; managers of a county edit their county's."""
    user = request.user
    owners = services.platform_owners(user).order_by(*nested.tree_order())
    manageable = ServicePlatform.objects.restrict(user, "manage")
    editing = None
    raw = request.POST.get("platform") or request.GET.get("edit") or ""
    if raw:
        pk = parse_id(raw)
        if pk is None:
            raise not_found()
        editing = ServicePlatform.objects.restrict(user, "view").filter(pk=pk).first()
        if editing is None:
            raise not_found()
        if not (user.is_superuser or (editing.owner_id and manageable.filter(pk=editing.pk).exists())):
            raise forbidden()
    form = None
    if request.method == "POST":
        form = PlatformForm(request.POST, owners=owners, allow_global=user.is_superuser, platform=editing)
        if form.is_valid():
            data = dict(form.cleaned_data)
            owner = data.pop("owner", None)
            try:
                saved = run_write(
                    request,
                    ServicePlatform,
                    lambda: services.platform_save(actor=user, platform=editing, owner=owner, **data),
                )
            except ValidationError as exc:
                form_errors_from(form, exc)
            else:
                messages.success(request, _("Saved %(platform)s.") % {"platform": saved})
                return redirect("centers:platforms")
    elif editing is not None or services.platform_may_add(user):
        form = PlatformForm(owners=owners, allow_global=user.is_superuser, platform=editing)
    rows = list(
        ServicePlatform.objects.restrict(user, "view")
        .select_related("owner")
        .order_by(*nested.tree_order("owner"), "sort_order")
    )
    editable = {pk for pk in manageable.filter(owner__isnull=False).values_list("pk", flat=True)}
    for platform in rows:
        platform.editable = user.is_superuser or platform.pk in editable
    return render(
        request,
        "centers/platforms.html",
        {"rows": rows, "form": form, "editing": editing},
    )
