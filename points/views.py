"""Pages of points: my points, rankings, the shop (volunteer and keeper), reconciliation,
rules, adjustments and reversals, the opening import, certificates and their public check.

Objects are read through ``restrict`` (each model's rule lets a volunteer read their own
records and the shops above their home site): invisible is a 404, visible but not allowed a
403 (``civic.views.refusal``). Every write
calls a service through ``run_write``; a service's ValidationError goes back to the page.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Exists, IntegerField, OuterRef, Q, Sum
from django.db.models.functions import Coalesce
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from centers.models import Site
from centers.selectors import top_sites_for
from civic import nested
from civic.ids import parse_id, query_id, query_int
from civic.people import mask_name, name_people
from civic.scope import can
from civic.throttle import throttled
from civic.views import flash_error, forbidden, form_errors_from, get_scoped, not_found, paginate, run_write
from volunteers.models import Volunteer
from volunteers.selectors import volunteer_search

from . import opening, selectors, services
from .certificates import certificate_issue, certificate_pdf
from .forms import (
    AdjustForm,
    CertificateForm,
    GoodsForm,
    OpeningForm,
    PickupForm,
    RankingForm,
    ReasonForm,
    RedeemForm,
    RuleForm,
    SealForm,
    StockForm,
    VerifyForm,
)
from .models import (
    Account,
    Certificate,
    Entry,
    Goods,
    Redemption,
    RedemptionStatus,
    Rule,
    Seal,
    StockKind,
)
from .throttles import CertificateVerifyThrottle

HISTORY_PER_PAGE = 20
MAX_PAGE = 10_000  # ?page= beyond this reads this page
LIST_PER_PAGE = 50


# Helpers -----------------------------------------------------------------------------


def volunteer_of(user) -> Volunteer | None:
    """The user's own volunteer record with its home site (1 query), or None."""
    if not user.is_authenticated:
        return None
    return Volunteer.objects.filter(user=user).select_related("home_site").first()


def _scoped_site(user, pk, action: str) -> Site:
    """A site the user may ``action``: 404 if invisible, 403 if only visible."""
    return get_scoped(Site.objects.all(), user, pk, action)


def _scoped(model, user, pk, action: str, queryset=None):
    """One object of ``model`` the user may ``action`` (same 404/403 rule)."""
    return get_scoped(queryset if queryset is not None else model._default_manager.all(), user, pk, action)


def marked_history(volunteer):
    """The volunteer's ledger, each entry marked ``was_reversed`` (inside the same query)."""
    return selectors.history(volunteer).annotate(was_reversed=Exists(Entry.objects.filter(reverses=OuterRef("pk"))))


def _safe_next(request, default: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}, require_https=request.is_secure()):
        return target
    return default


def _file_response(field, *, cache: str = "private, max-age=3600"):
    if not field:
        raise Http404(_("No image."))
    try:
        handle = field.open("rb")
    except FileNotFoundError:
        raise Http404(_("No image.")) from None
    response = FileResponse(handle)
    response["Cache-Control"] = cache
    return response


# My points ---------------------------------------------------------------------------


HISTORY_CACHE_SECONDS = 600


class HistoryPage:
    """A page of a volunteer's ledger without a COUNT: one row more than shown tells
    whether there is an older page."""

    def __init__(self, request, queryset, per_page: int = HISTORY_PER_PAGE):
        self.number = query_int(request, "page", default=1, lo=1, hi=MAX_PAGE)
        start = (self.number - 1) * per_page
        rows = list(queryset[start : start + per_page + 1])
        self.has_next = len(rows) > per_page
        self.has_previous = self.number > 1
        self.object_list = rows[:per_page]
        self.next_page_number = self.number + 1
        self.previous_page_number = self.number - 1


def _site_names(entries) -> None:
    """The display name of each entry's site, worked out once per site."""
    names: dict[int, str] = {}
    for entry in entries:
        site = entry.site
        entry.site_name = names.get(site.pk) or names.setdefault(site.pk, site.display_name)


@login_required
def mine(request):
    """A volunteer's points on a phone: figures, rank in the township, and the ledger.

    The page a volunteer opens most: account, rank site and rank in one query
    (``selectors.mine_for``), and a page of entries (no COUNT) unless that page is cached —
    besides the session and the user."""
    page = selectors.mine_for(request.user)
    if page is None:
        return render(request, "points/mine.html", {"volunteer": None})
    return render(
        request,
        "points/mine.html",
        {
            "volunteer": page.volunteer_id,
            "me": page.me,
            "account": page.account,
            "history": _history_html(request, page.volunteer_id, page.account),
        },
    )


def _history_html(request, volunteer_id: int, account) -> str:
    """A page of the volunteer's ledger as HTML, cached until the account next changes.

    Every ledger write (a reversal included) saves the account, so ``updated_at`` in the
    key makes a cached page exact; the expiry bounds how long a renamed site shows its old
    name."""
    number = query_int(request, "page", default=1, lo=1, hi=MAX_PAGE)
    stamp = account.updated_at.timestamp() if account is not None else 0
    key = f"points:history:{volunteer_id}:{stamp}:{number}:{get_language()}"
    html = cache.get(key)
    if html is None:
        page = HistoryPage(request, marked_history(volunteer_id))
        _site_names(page.object_list)
        html = render_to_string(
            "points/_entries.html",
            {"page": page, "entries": page.object_list, "can_manage": False},
            request=request,
        )
        cache.set(key, str(html), HISTORY_CACHE_SECONDS)
    return mark_safe(html)


# Rankings ----------------------------------------------------------------------------

TABS = ("volunteers", "teams", "sites")


def _ranking_site(request, volunteer: Volunteer | None) -> Site | None:
    raw = request.GET.get("site", "")
    user = request.user
    if raw:
        pk = parse_id(raw)
        if pk is None:
            raise not_found()
        site = Site.objects.restrict(user, "view").filter(pk=pk).first()
        if site is None and volunteer is not None:
            site = Site.objects.filter(nested.over(volunteer.home_site), pk=pk).first()
        if site is None:
            raise not_found()
        return site
    if volunteer is not None:
        return selectors.my_points(volunteer).township
    return top_sites_for(user).first()


@login_required
def rankings(request):
    """实践排行: volunteers (by hours or points), teams and child sites, for a subtree and a period."""
    volunteer = volunteer_of(request.user)
    site = _ranking_site(request, volunteer)
    form = RankingForm(request.GET)
    form.is_valid()
    by = form.cleaned_data.get("by") or "hours"
    period = form.cleaned_data.get("period") or "month"
    tab = request.GET.get("tab") if request.GET.get("tab") in TABS else "volunteers"
    context = {"site": site, "form": form, "by": by, "period": period, "tab": tab, "tabs": TABS, "rows": []}
    if site is not None:
        today = timezone.localdate()
        if tab == "teams":
            rows = selectors.team_ranking(site, by=by, period=period, today=today)
        elif tab == "sites":
            rows = selectors.site_ranking(site, by=by, period=period, today=today)
        else:
            rows = selectors.volunteer_ranking(site, by=by, period=period, today=today)
        visible = Site.objects.restrict(request.user, "view")
        ancestors = site.get_ancestors().filter(pk__in=visible.values("pk"))
        if volunteer is not None:
            ancestors = site.get_ancestors().filter(Q(pk__in=visible.values("pk")) | nested.over(volunteer.home_site))
        tree = nested.tree_order()
        choices = list(ancestors.order_by(*tree)) + [site] + list(site.get_children().order_by(*tree)[:200])
        chart = [{"name": r.name, "value": float(r.hours if by == "hours" else r.points)} for r in rows[:10]]
        context.update(rows=rows, choices=choices, chart=chart)
    return render(request, "points/rankings.html", context)


# The shop: volunteers ----------------------------------------------------------------


@login_required
def shop(request):
    """The goods of the shops above the volunteer's home site, with their balance."""
    volunteer = volunteer_of(request.user)
    if volunteer is None:
        return render(request, "points/shop.html", {"volunteer": None})
    goods = (
        Goods.objects.filter(nested.over(volunteer.home_site, "site"), is_active=True)
        .select_related("site")
        .order_by(*nested.tree_order("site"), "price", "name")
    )
    page = paginate(request, goods, LIST_PER_PAGE)
    account = Account.objects.filter(volunteer=volunteer).only("balance").first()
    return render(
        request,
        "points/shop.html",
        {"volunteer": volunteer, "page": page, "balance": account.balance if account else 0},
    )


@login_required
def redeem(request, pk):
    """Confirm, then redeem: the points and the stock are taken at once."""
    volunteer = volunteer_of(request.user)
    if volunteer is None:
        raise PermissionDenied(_("Only a volunteer can redeem points."))
    goods = Goods.objects.filter(nested.over(volunteer.home_site, "site"), pk=pk).select_related("site").first()
    if goods is None:
        raise not_found()
    account = Account.objects.filter(volunteer=volunteer).first()
    form = RedeemForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            redemption = services.redeem(actor=request.user, goods=goods, quantity=form.cleaned_data["quantity"])
        except ValidationError as exc:
            form_errors_from(form, exc)
        else:
            messages.success(
                request,
                _("Redeemed. Show the pickup code %(code)s at the shop.") % {"code": redemption.pickup_code},
            )
            return redirect(reverse("points:my-redemptions") + f"?new={redemption.pk}")
    return render(
        request,
        "points/redeem.html",
        {"goods": goods, "form": form, "balance": account.balance if account else 0},
    )


@login_required
def my_redemptions(request):
    """The volunteer's redemptions with their pickup codes (cancel while waiting)."""
    rows = (
        Redemption.objects.filter(account__volunteer__user=request.user).select_related("goods__site").order_by("-id")
    )
    page = paginate(request, rows, LIST_PER_PAGE)
    return render(request, "points/my_redemptions.html", {"page": page, "new": query_id(request, "new")})


@login_required
@require_POST
def redemption_cancel(request, pk):
    """Cancel a waiting redemption (its volunteer, or the shop's keeper)."""
    redemption = get_scoped(Redemption.objects.all(), request.user, pk)
    form = ReasonForm(request.POST)
    form.is_valid()
    try:
        services.redemption_cancel(
            actor=request.user, redemption=redemption, reason=form.cleaned_data.get("reason", "")
        )
    except ValidationError as exc:
        flash_error(request, exc)
    else:
        messages.success(request, _("Cancelled; the points are back and the goods returned to stock."))
    return redirect(_safe_next(request, reverse("points:my-redemptions")))


@login_required
def goods_photo(request, pk):
    """A goods photo, for those who may see the goods (never a public media URL)."""
    goods = get_scoped(Goods.objects.all(), request.user, pk)
    return _file_response(goods.photo)


# The shop: keepers -------------------------------------------------------------------


@login_required
def goods_list(request, site_pk):
    """A shop's goods, for its keeper (and those who may view the site)."""
    site = _scoped_site(request.user, site_pk, "view")
    waiting = Redemption.objects.filter(goods=OuterRef("pk"), status=RedemptionStatus.WAITING)
    rows = Goods.objects.filter(site=site).annotate(has_waiting=Exists(waiting)).order_by("-is_active", "price", "name")
    page = paginate(request, rows, LIST_PER_PAGE)
    return render(
        request,
        "points/goods_list.html",
        {"site": site, "page": page, "can_manage": can(request.user, "manage", site)},
    )


@login_required
def goods_new(request, site_pk):
    site = _scoped_site(request.user, site_pk, "manage")
    form = GoodsForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            goods = run_write(
                request,
                Goods,
                lambda: services.goods_save(
                    actor=request.user,
                    site=site,
                    photo=data["photo"],
                    name=data["name"],
                    price=data["price"],
                    is_active=data["is_active"],
                ),
            )
        except ValidationError as exc:
            form_errors_from(form, exc)
        else:
            messages.success(request, _("Added %(goods)s; now record the goods in stock.") % {"goods": goods})
            return redirect("points:goods-stock", pk=goods.pk)
    return render(request, "points/goods_form.html", {"site": site, "form": form, "goods": None})


@login_required
def goods_detail(request, pk):
    goods = _scoped(Goods, request.user, pk, "view", Goods.objects.select_related("site"))
    # The stock movements are the shop's books: read by the shop's roles, not by every
    # volunteer who may buy the goods (``StockMovement.scope``).
    books = goods.movements.restrict(request.user, "view").select_related("created_by").order_by("-id")
    movements = paginate(request, books, LIST_PER_PAGE)
    movements.object_list = name_people(movements.object_list, request.user, "created_by")
    return render(
        request,
        "points/goods_detail.html",
        {"goods": goods, "site": goods.site, "page": movements, "can_manage": can(request.user, "manage", goods.site)},
    )


@login_required
def goods_edit(request, pk):
    goods = _scoped(Goods, request.user, pk, "change", Goods.objects.select_related("site"))
    form = GoodsForm(request.POST or None, request.FILES or None, instance=goods)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        fresh = Goods.objects.select_related("site").get(pk=goods.pk)
        try:
            run_write(
                request,
                Goods,
                lambda: services.goods_save(
                    actor=request.user,
                    goods=fresh,
                    photo=data["photo"],
                    name=data["name"],
                    price=data["price"],
                    is_active=data["is_active"],
                ),
            )
        except ValidationError as exc:
            form_errors_from(form, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect("points:goods-detail", pk=goods.pk)
    return render(request, "points/goods_form.html", {"site": goods.site, "form": form, "goods": goods})


@login_required
def goods_stock(request, pk):
    """Goods arrive, or are written off with a note."""
    goods = _scoped(Goods, request.user, pk, "change", Goods.objects.select_related("site"))
    form = StockForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            run_write(
                request,
                Goods,
                lambda: services.goods_stock_in(
                    actor=request.user, goods=goods, quantity=form.signed_quantity(), note=form.cleaned_data["note"]
                ),
            )
        except ValidationError as exc:
            form_errors_from(form, exc)
        else:
            messages.success(request, _("Stock recorded."))
            return redirect("points:goods-detail", pk=goods.pk)
    return render(request, "points/goods_stock.html", {"goods": goods, "site": goods.site, "form": form})


@login_required
def pickup(request, site_pk):
    """The keeper hands goods over against a pickup code; waiting redemptions listed."""
    site = _scoped_site(request.user, site_pk, "manage")
    form = PickupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            done = run_write(
                request,
                Redemption,
                lambda: services.redemption_fulfil(
                    actor=request.user, goods_site=site, pickup_code=form.cleaned_data["pickup_code"]
                ),
            )
        except ValidationError as exc:
            form_errors_from(form, exc)
        else:
            messages.success(
                request, _("Hand over %(goods)s × %(n)s.") % {"goods": done.goods.name, "n": done.quantity}
            )
            return redirect("points:pickup", site_pk=site.pk)
    waiting = (
        Redemption.objects.filter(goods__site=site, status=RedemptionStatus.WAITING)
        .select_related("goods", "account__volunteer")
        .order_by("id")
    )
    page = paginate(request, waiting, LIST_PER_PAGE)
    return render(request, "points/pickup.html", {"site": site, "form": form, "page": page})


@login_required
def reconciliation(request, site_pk):
    """账物相符: per goods, the movements by kind and whether they add up to the stock (1 query)."""
    site = _scoped_site(request.user, site_pk, "view")

    def total(kind):
        return Coalesce(Sum("movements__quantity", filter=Q(movements__kind=kind)), 0, output_field=IntegerField())

    rows = list(
        Goods.objects.filter(site=site)
        .annotate(
            goods_in=total(StockKind.IN),
            redeemed=total(StockKind.REDEEMED),
            returned=total(StockKind.RETURNED),
            written_off=total(StockKind.WRITE_OFF),
        )
        .order_by("name")
    )
    for row in rows:
        row.expected = row.goods_in + row.redeemed + row.returned + row.written_off
        row.balanced = row.expected == row.stock
    return render(
        request,
        "points/reconciliation.html",
        {"site": site, "rows": rows, "all_balanced": all(r.balanced for r in rows)},
    )


# Managers: the hub, rules, volunteers' ledgers, adjustments, reversals ----------------


@login_required
def manage(request):
    """Where a manager starts: their sites, each with its points pages; a volunteer search."""
    tops = list(top_sites_for(request.user).restrict(request.user, "manage"))
    pk = query_id(request, "site")
    site = _scoped_site(request.user, pk, "view") if pk is not None else (tops[0] if tops else None)
    children = list(site.get_children().order_by(*nested.tree_order())[:300]) if site else []
    q = request.GET.get("q", "").strip()[:50]
    found = None
    if q and site is not None:
        found = (
            volunteer_search(Volunteer.objects.restrict(request.user, "view"), request.user, q)
            .filter(nested.under(site, "home_site"))
            .select_related("home_site")
            .order_by("real_name")[:50]
        )
    return render(
        request,
        "points/manage.html",
        {
            "tops": tops,
            "site": site,
            "children": children,
            "q": q,
            "found": found,
            "can_manage": site is not None and can(request.user, "manage", site),
        },
    )


@login_required
def rules(request, site_pk):
    """The rules in force at a site (its own and inherited), past ones, and a new dated rule."""
    site = _scoped_site(request.user, site_pk, "view")
    may_manage = can(request.user, "manage", site)
    form = RuleForm(request.POST or None)
    if request.method == "POST":
        if not may_manage:
            raise forbidden()
        if form.is_valid():
            try:
                run_write(request, Rule, lambda: services.rule_save(actor=request.user, site=site, **form.cleaned_data))
            except ValidationError as exc:
                form_errors_from(form, exc)
            else:
                messages.success(request, _("Rule saved. Entries made before it keep their points."))
                return redirect("points:rules", site_pk=site.pk)
    rows = (
        Rule.objects.filter(nested.over(site, "site"))
        .select_related("site", "created_by")
        .order_by(*nested.tree_order("site", reverse=True), "-valid_from")
    )
    page = paginate(request, rows, LIST_PER_PAGE)
    page.object_list = name_people(page.object_list, request.user, "created_by")
    current = services.rule_for(site, timezone.localdate())
    return render(
        request,
        "points/rules.html",
        {"site": site, "page": page, "current": current, "form": form if may_manage else None},
    )


def _managed_volunteer(request, pk, action: str = "view") -> Volunteer:
    return get_scoped(Volunteer.objects.select_related("home_site"), request.user, pk, action)


@login_required
def volunteer_ledger(request, pk):
    """A volunteer's account and ledger for their managers (adjust, reverse, certify)."""
    volunteer = _managed_volunteer(request, pk)
    account = Account.objects.filter(volunteer=volunteer).first()
    page = HistoryPage(request, marked_history(volunteer))
    _site_names(page.object_list)
    return render(
        request,
        "points/ledger.html",
        {
            "volunteer": volunteer,
            "account": account,
            "page": page,
            "entries": page.object_list,
            "can_manage": can(request.user, "manage", volunteer.home_site),
        },
    )


@login_required
def adjust(request, pk):
    """A manual adjustment with a reason, confirmed on a second step."""
    volunteer = _managed_volunteer(request, pk, "manage")
    form = AdjustForm(request.POST or None)
    confirming = False
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if request.POST.get("confirm") == "yes":
            try:
                run_write(
                    request,
                    Entry,
                    lambda: services.points_adjust(
                        actor=request.user,
                        volunteer=volunteer,
                        points=data["points"],
                        hours=data["hours"] or 0,
                        note=data["note"],
                    ),
                )
            except ValidationError as exc:
                form_errors_from(form, exc)
            else:
                messages.success(request, _("Adjustment recorded."))
                return redirect("points:ledger", pk=volunteer.pk)
        else:
            confirming = True
    return render(request, "points/adjust.html", {"volunteer": volunteer, "form": form, "confirming": confirming})


@login_required
def reverse_entry(request, pk):
    """Reverse a mistaken entry with a new one (the page itself is the confirmation)."""
    entry = _scoped(Entry, request.user, pk, "view", Entry.objects.select_related("site", "account__volunteer"))
    if not can(request.user, "manage", entry.site):
        raise PermissionDenied(_("Only a manager where the entry was made can reverse it."))
    form = ReasonForm(request.POST or None)
    form.fields["reason"].required = True
    if request.method == "POST" and form.is_valid():
        try:
            services.points_reverse(actor=request.user, entry=entry, reason=form.cleaned_data["reason"])
        except ValidationError as exc:
            form_errors_from(form, exc)
        else:
            messages.success(request, _("Reversed."))
            return redirect("points:ledger", pk=entry.account.volunteer_id)
    return render(request, "points/reverse.html", {"entry": entry, "form": form})


@login_required
def opening_import(request, site_pk):
    """Past hours from paper ledgers: every row checked first, all reported by row number."""
    site = _scoped_site(request.user, site_pk, "manage")
    if request.GET.get("template"):
        response = HttpResponse(opening.template_csv(), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="opening-hours.csv"'
        return response
    form = OpeningForm(request.POST or None, request.FILES or None)
    result = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            result = opening.opening_import(
                actor=request.user, scope=site, file=upload, filename=upload.name, today=timezone.localdate()
            )
        except ValidationError as exc:
            form_errors_from(form, exc)
        else:
            if result.written:
                messages.success(request, _("Imported %(n)s opening entries.") % {"n": result.written})
    return render(request, "points/opening.html", {"site": site, "form": form, "result": result})


# Certificates and seals --------------------------------------------------------------


@login_required
def certificates(request, pk=None):
    """Issue and download service certificates: the volunteer's own, or (with ``pk``) a
    manager's for a volunteer of their area."""
    if pk is None:
        volunteer = volunteer_of(request.user)
        if volunteer is None:
            return render(request, "points/certificates.html", {"volunteer": None})
    else:
        volunteer = _managed_volunteer(request, pk)
    form = CertificateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            issued = certificate_issue(actor=request.user, volunteer=volunteer, **form.cleaned_data)
        except ValidationError as exc:
            form_errors_from(form, exc)
        else:
            messages.success(request, _("Certificate %(code)s issued.") % {"code": issued.code})
            return redirect(request.path)
    rows = Certificate.objects.filter(volunteer=volunteer).select_related("site").order_by("-issued_at")
    page = paginate(request, rows, LIST_PER_PAGE)
    return render(request, "points/certificates.html", {"volunteer": volunteer, "form": form, "page": page})


@login_required
def certificate_download(request, pk):
    certificate = get_scoped(Certificate.objects.select_related("volunteer__home_site", "site"), request.user, pk)
    url = request.build_absolute_uri(reverse("verify:code", args=[certificate.code]))
    response = HttpResponse(certificate_pdf(certificate, url), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="certificate-{certificate.code}.pdf"'
    return response


@login_required
def seal(request, site_pk):
    """The seal a site stamps on its certificates: managers upload it."""
    site = _scoped_site(request.user, site_pk, "view")
    form = SealForm(request.POST or None, request.FILES or None)
    if request.method == "POST":
        if not can(request.user, "manage", site):
            raise forbidden()
        if form.is_valid():
            services.seal_save(actor=request.user, site=site, image=form.cleaned_data["image"])
            messages.success(request, _("Seal saved."))
            return redirect("points:seal", site_pk=site.pk)
    current = Seal.objects.filter(site=site).first()
    return render(
        request,
        "points/seal.html",
        {"site": site, "form": form, "current": current, "can_manage": can(request.user, "manage", site)},
    )


@login_required
def seal_image(request, site_pk):
    site = _scoped_site(request.user, site_pk, "view")
    current = Seal.objects.filter(site=site).first()
    return _file_response(current.image if current else None)


# The public check --------------------------------------------------------------------


masked_name = mask_name  # 张三 → 张*: the one masking rule of names (civic.people)


def verify(request, code=None):
    """Anyone (no login) checks a certificate by its code: genuine or not, and its figures."""
    if code is None:
        form = VerifyForm(request.GET or None)
        if form.is_valid():
            return redirect("verify:code", code=form.cleaned_data["code"])
        return render(request, "points/verify.html", {"form": form})
    normal = Certificate.normal_code(code)
    certificate = (
        Certificate.objects.filter(code=normal).select_related("volunteer", "site").first() if normal else None
    )
    if certificate is None:
        return render(request, "points/verify.html", {"form": VerifyForm(), "unknown": code[:16]}, status=404)
    return render(
        request,
        "points/verify.html",
        {"form": VerifyForm(), "certificate": certificate, "name": masked_name(certificate.volunteer.real_name)},
    )


# A code looked up on the page counts against the same limit as the API's lookups.
verify_code = throttled(CertificateVerifyThrottle)(verify)


# For the benchmark only (CIVIC_BENCH_URLS=1) ------------------------------------------
