"""Top-level URLs: pages, the API, its schema and docs, admin, languages.

Uploaded files are never served from a public media URL: each app serves its files
through a view that checks the user's scope."""

from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from . import pages, trail

urlpatterns = [
    path("", pages.home, name="home"),
    path("audit/", trail.AuditTrailView.as_view(), name="audit-trail"),
    path("favicon.ico", pages.emblem),
    path("emblem/", pages.emblem, name="emblem"),
    path("accounts/", include("volunteers.login_urls")),  # one login form for every door
    path("accounts/", include("django.contrib.auth.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("sites/", include("centers.urls")),
    path("volunteers/", include("volunteers.urls")),
    path("points/", include("points.urls")),
    path("verify/", include("points.verify_urls")),
    path("activities/", include("activities.urls")),
    path("api/", include("centers.api")),
    path("api/", include("volunteers.api")),
    path("api/", include("points.api")),
    path("api/", include("activities.api")),
    path("api/auth/", include(("volunteers.login_urls", "rest_framework"))),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
]
handler400 = "civic.errors.bad_request"
handler404 = "civic.errors.not_found"

if settings.CIVIC_BENCH_URLS:
    # Only for the benchmarks: the barest Django view, to compare real pages against.
    urlpatterns.append(path("bench/bare/", pages.bench_bare, name="bench-bare"))
