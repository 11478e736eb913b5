"""The project's pages without the points app's (``test_moves``): a volunteer's profile must
not depend on them."""

from civic import urls


def _from_points(pattern) -> bool:
    name = getattr(pattern, "urlconf_name", "")
    return (name if isinstance(name, str) else getattr(name, "__name__", "")).startswith("points")


urlpatterns = [p for p in urls.urlpatterns if not _from_points(p)]
