"""The shop for volunteers: the goods of the shops above their home site, redeeming them,
their redemptions with pickup codes, and cancelling one while it waits. A volunteer acts on
their own records here (``own_records``); the services check the balance, the stock and
the shop."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from civic.ids import query_id
from civic.views import ScopedObjectView, ServiceFormView, paginate

from .. import selectors, services
from ..forms import ReasonForm, RedeemForm
from ..models import Goods, Redemption
from .common import LIST_PER_PAGE, file_response, flash_form_errors, safe_next


class ShopView(ScopedObjectView):
    """The goods of the shops above the volunteer's home site, with their balance."""

    template_name = "points/shop.html"

    def get(self, request):
        volunteer = selectors.volunteer_of(request.user)
        if volunteer is None:
            return self.render(volunteer=None)
        page = paginate(request, selectors.shop_goods(volunteer).filter(is_active=True), LIST_PER_PAGE)
        return self.render(volunteer=volunteer, page=page, balance=selectors.balance_of(volunteer))


class RedeemView(ServiceFormView):
    """Confirm, then redeem: the points and the stock are taken at once."""

    model = Goods
    scope_action = "view"  # a volunteer reads the goods they buy; redeeming is their own record
    own_records = True
    template_name = "points/redeem.html"
    context_object_name = "goods"
    form_class = RedeemForm

    def get_object(self):
        self.volunteer = selectors.volunteer_of(self.request.user)
        if self.volunteer is None:
            raise PermissionDenied(_("Only a volunteer can redeem points."))
        return super().get_object()

    def get_base_queryset(self):
        return selectors.shop_goods(self.volunteer)

    def get_context_data(self, **context):
        return super().get_context_data(balance=selectors.balance_of(self.volunteer), **context)

    def write(self, form):
        return services.redeem(actor=self.request.user, goods=self.object, quantity=form.cleaned_data["quantity"])

    def get_success_message(self, result) -> str:
        return _("Redeemed. Show the pickup code %(code)s at the shop.") % {"code": result.pickup_code}

    def get_success_url(self, result) -> str:
        return reverse("points:my-redemptions") + f"?new={result.pk}"


class MyRedemptionsView(ScopedObjectView):
    """The volunteer's redemptions with their pickup codes (cancel while waiting)."""

    template_name = "points/my_redemptions.html"

    def get(self, request):
        rows = (
            Redemption.objects.filter(account__volunteer__user=request.user)
            .select_related("goods__site")
            .order_by("-id")
        )
        page = paginate(request, rows, LIST_PER_PAGE)
        return self.render(page=page, new=query_id(request, "new"))


class CancelRedemptionView(ServiceFormView):
    """Cancel a waiting redemption (a POST from a list): the points come back and the goods
    return to stock; a refusal is a message on the list it came from."""

    model = Redemption
    http_method_names = ["post"]
    form_class = ReasonForm
    success_message = gettext_lazy("Cancelled; the points are back and the goods returned to stock.")

    def write(self, form):
        return services.redemption_cancel(
            actor=self.request.user, redemption=self.object, reason=form.cleaned_data.get("reason", "")
        )

    def get_success_url(self, result=None) -> str:
        return safe_next(self.request, reverse("points:my-redemptions"))

    def form_invalid(self, form):
        flash_form_errors(self.request, form)
        return redirect(self.get_success_url())


class MyRedemptionCancelView(CancelRedemptionView):
    """The volunteer cancels their own waiting redemption."""

    scope_action = "view"
    own_records = True

    def get_base_queryset(self):
        return Redemption.objects.filter(account__volunteer__user=self.request.user)


class RedemptionCancelView(CancelRedemptionView):
    """The shop's keeper cancels a waiting redemption (from the pickup page)."""

    scope_action = "manage"


class GoodsPhotoView(ScopedObjectView):
    """A goods photo, for those who may see the goods (never a public media URL)."""

    model = Goods
    scope_action = "view"

    def get(self, request, pk):
        return file_response(self.object.photo)
