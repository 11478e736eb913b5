"""Querysets every site-scoped model uses: ``Model.objects.restrict(user, action)``."""

from django.db import models

from .scope import scope_filter


class RestrictedQuerySet(models.QuerySet):
    """A queryset that can narrow itself to what a user may see or change.

    The model names the path to its site in ``scope_site_path`` ("" for a site).
    """

    def restrict(self, user, action: str = "view"):
        condition = scope_filter(user, action, self.model.scope_site_path)
        return self if condition is None else self.filter(condition)
