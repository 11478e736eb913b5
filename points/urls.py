"""Pages of points (namespace ``points``)."""

from django.urls import path

from .views import certificates, keeper, manage, mine, opening, rankings, shop

app_name = "points"

urlpatterns = [
    path("", mine.MineView.as_view(), name="mine"),
    path("rankings/", rankings.RankingsView.as_view(), name="rankings"),
    path("shop/", shop.ShopView.as_view(), name="shop"),
    path("shop/goods/<int:pk>/redeem/", shop.RedeemView.as_view(), name="redeem"),
    path("shop/redemptions/", shop.MyRedemptionsView.as_view(), name="my-redemptions"),
    path("shop/redemptions/<int:pk>/cancel/", shop.MyRedemptionCancelView.as_view(), name="my-redemption-cancel"),
    path("redemptions/<int:pk>/cancel/", shop.RedemptionCancelView.as_view(), name="redemption-cancel"),
    path("goods/<int:pk>/", keeper.GoodsDetailView.as_view(), name="goods-detail"),
    path("goods/<int:pk>/photo/", shop.GoodsPhotoView.as_view(), name="goods-photo"),
    path("goods/<int:pk>/edit/", keeper.GoodsEditView.as_view(), name="goods-edit"),
    path("goods/<int:pk>/stock/", keeper.GoodsStockView.as_view(), name="goods-stock"),
    path("manage/", manage.ManageView.as_view(), name="manage"),
    path("sites/<int:site_pk>/goods/", keeper.GoodsListView.as_view(), name="goods-list"),
    path("sites/<int:site_pk>/goods/new/", keeper.GoodsNewView.as_view(), name="goods-new"),
    path("sites/<int:site_pk>/pickup/", keeper.PickupView.as_view(), name="pickup"),
    path("sites/<int:site_pk>/reconciliation/", keeper.ReconciliationView.as_view(), name="reconciliation"),
    path("sites/<int:site_pk>/rules/", manage.RulesView.as_view(), name="rules"),
    path("sites/<int:site_pk>/opening/", opening.OpeningView.as_view(), name="opening"),
    path("sites/<int:site_pk>/seal/", certificates.SealView.as_view(), name="seal"),
    path("sites/<int:site_pk>/seal/image/", certificates.SealImageView.as_view(), name="seal-image"),
    path("volunteers/<int:pk>/", manage.LedgerView.as_view(), name="ledger"),
    path("volunteers/<int:pk>/adjust/", manage.AdjustView.as_view(), name="adjust"),
    path(
        "volunteers/<int:pk>/certificates/",
        certificates.VolunteerCertificatesView.as_view(),
        name="volunteer-certificates",
    ),
    path("entries/<int:pk>/reverse/", manage.ReverseView.as_view(), name="reverse"),
    path("certificates/", certificates.MyCertificatesView.as_view(), name="certificates"),
    path("certificates/<int:pk>/pdf/", certificates.CertificatePdfView.as_view(), name="certificate-pdf"),
]
