"""A shop's keeper: its goods (add, edit, stock in, write off), handing goods over against a
pickup code, and the books against the shelves (账物相符)."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from civic.people import name_people
from civic.views import ScopedObjectView, ServiceFormView, paginate

from .. import selectors, services
from ..forms import GoodsForm, PickupForm, StockForm
from ..models import Goods, Redemption, RedemptionStatus
from .common import LIST_PER_PAGE, SiteView


class GoodsListView(SiteView):
    """A shop's goods, for its keeper (and those who may view the site)."""

    scope_action = "view"
    template_name = "points/goods_list.html"

    def get(self, request, site_pk):
        page = paginate(request, selectors.goods_with_waiting(self.site), LIST_PER_PAGE)
        return self.render(page=page, can_manage=selectors.may_manage(request.user, self.site))


class GoodsNewView(ServiceFormView, SiteView):
    """New goods in a shop the user manages; the stock comes next."""

    scope_action = "manage"
    template_name = "points/goods_form.html"
    form_class = GoodsForm

    def get_context_data(self, **context):
        return super().get_context_data(goods=None, **context)

    def write(self, form):
        data = form.cleaned_data
        return services.goods_create(
            actor=self.request.user,
            site=self.site,
            name=data["name"],
            price=data["price"],
            is_active=data["is_active"],
            photo=data["photo"],
        )

    def get_success_message(self, result) -> str:
        return _("Added %(goods)s; now record the goods in stock.") % {"goods": result}

    def get_success_url(self, result) -> str:
        return reverse("points:goods-stock", args=[result.pk])


class GoodsView(ScopedObjectView):
    """A page of one goods item (with its shop)."""

    model = Goods
    context_object_name = "goods"

    def get_base_queryset(self):
        return Goods.objects.select_related("site")

    def get_context_data(self, **context):
        return super().get_context_data(site=self.object.site, **context)

    def detail_url(self) -> str:
        return reverse("points:goods-detail", args=[self.object.pk])


class GoodsDetailView(GoodsView):
    """The goods and, for the shop's roles, its stock movements (the shop's books: read by
    the shop's roles, not by every volunteer who may buy the goods, ``StockMovement.scope``)."""

    scope_action = "view"
    template_name = "points/goods_detail.html"

    def get(self, request, pk):
        books = self.object.movements.restrict(request.user, "view").select_related("created_by").order_by("-id")
        movements = paginate(request, books, LIST_PER_PAGE)
        movements.object_list = name_people(movements.object_list, request.user, "created_by")
        return self.render(page=movements, can_manage=selectors.may_manage(request.user, self.object.site))


class GoodsEditView(ServiceFormView, GoodsView):
    scope_action = "change"
    template_name = "points/goods_form.html"
    form_class = GoodsForm
    success_message = gettext_lazy("Saved.")

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "instance": self.object}

    def write(self, form):
        data = form.cleaned_data
        return services.goods_update(
            actor=self.request.user,
            goods=self.object,
            name=data["name"],
            price=data["price"],
            is_active=data["is_active"],
            photo=data["photo"],
        )

    def get_success_url(self, result) -> str:
        return self.detail_url()


class GoodsStockView(ServiceFormView, GoodsView):
    """Goods arrive, or are written off with a note."""

    scope_action = "change"
    template_name = "points/goods_stock.html"
    form_class = StockForm
    success_message = gettext_lazy("Stock recorded.")

    def write(self, form):
        return services.goods_stock_in(
            actor=self.request.user, goods=self.object, quantity=form.signed_quantity(), note=form.cleaned_data["note"]
        )

    def get_success_url(self, result) -> str:
        return self.detail_url()


class PickupView(ServiceFormView, SiteView):
    """The keeper hands goods over against a pickup code; waiting redemptions listed."""

    scope_action = "manage"
    template_name = "points/pickup.html"
    form_class = PickupForm

    def get_context_data(self, **context):
        waiting = (
            Redemption.objects.filter(goods__site=self.site, status=RedemptionStatus.WAITING)
            .select_related("goods", "account__volunteer")
            .order_by("id")
        )
        return super().get_context_data(page=paginate(self.request, waiting, LIST_PER_PAGE), **context)

    def write(self, form):
        return services.redemption_fulfil(
            actor=self.request.user, goods_site=self.site, pickup_code=form.cleaned_data["pickup_code"]
        )

    def get_success_message(self, result) -> str:
        return _("Hand over %(goods)s × %(n)s.") % {"goods": result.goods.name, "n": result.quantity}

    def get_success_url(self, result) -> str:
        return reverse("points:pickup", args=[self.site.pk])


class ReconciliationView(SiteView):
    """账物相符: per goods, what came in and went out, what the books say is left and what is
    on the shelves (1 query)."""

    scope_action = "view"
    template_name = "points/reconciliation.html"

    def get(self, request, site_pk):
        rows = selectors.reconciliation_rows(self.site)
        return self.render(
            rows=rows,
            all_balanced=all(r.balanced for r in rows),
            can_manage=selectors.may_manage(request.user, self.site),
        )
