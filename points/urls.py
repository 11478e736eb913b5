"""Pages of points (namespace ``points``)."""

from django.urls import path

from . import views

app_name = "points"

urlpatterns = [
    path("", views.mine, name="mine"),
    path("rankings/", views.rankings, name="rankings"),
    path("shop/", views.shop, name="shop"),
    path("shop/goods/<int:pk>/redeem/", views.redeem, name="redeem"),
    path("shop/redemptions/", views.my_redemptions, name="my-redemptions"),
    path("redemptions/<int:pk>/cancel/", views.redemption_cancel, name="redemption-cancel"),
    path("goods/<int:pk>/", views.goods_detail, name="goods-detail"),
    path("goods/<int:pk>/photo/", views.goods_photo, name="goods-photo"),
    path("goods/<int:pk>/edit/", views.goods_edit, name="goods-edit"),
    path("goods/<int:pk>/stock/", views.goods_stock, name="goods-stock"),
    path("manage/", views.manage, name="manage"),
    path("sites/<int:site_pk>/goods/", views.goods_list, name="goods-list"),
    path("sites/<int:site_pk>/goods/new/", views.goods_new, name="goods-new"),
    path("sites/<int:site_pk>/pickup/", views.pickup, name="pickup"),
    path("sites/<int:site_pk>/reconciliation/", views.reconciliation, name="reconciliation"),
    path("sites/<int:site_pk>/rules/", views.rules, name="rules"),
    path("sites/<int:site_pk>/opening/", views.opening_import, name="opening"),
    path("sites/<int:site_pk>/seal/", views.seal, name="seal"),
    path("sites/<int:site_pk>/seal/image/", views.seal_image, name="seal-image"),
    path("volunteers/<int:pk>/", views.volunteer_ledger, name="ledger"),
    path("volunteers/<int:pk>/adjust/", views.adjust, name="adjust"),
    path("volunteers/<int:pk>/certificates/", views.certificates, name="volunteer-certificates"),
    path("entries/<int:pk>/reverse/", views.reverse_entry, name="reverse"),
    path("certificates/", views.certificates, name="certificates"),
    path("certificates/<int:pk>/pdf/", views.certificate_download, name="certificate-pdf"),
]
