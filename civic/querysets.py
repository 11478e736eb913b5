"""Querysets every scoped model uses: ``Model.objects.restrict(user, action)``."""

from __future__ import annotations

from django.db import models

from .scope import NOTHING, rule_of


def _flag(condition) -> models.Expression:
    if condition is None:
        return models.Value(True)
    if condition is NOTHING:
        return models.Value(False)
    # CASE, not the bare condition: a comparison with a NULL column reads false, not NULL.
    return models.Case(models.When(condition, then=True), default=False, output_field=models.BooleanField())


class RestrictedQuerySet(models.QuerySet):
    """A queryset that can narrow itself to what a user may see or change, by the rule the
    model declares (``scope = ScopeRule(...)``, ``civic.scope``), in the same query."""

    def restrict(self, user, action: str = "view"):
        condition = rule_of(self.model).condition(user, action)
        return self if condition is None else self.filter(condition)

    def with_access(self, user, action: str, name: str):
        """Annotate ``name``: may ``user`` ``action`` this row? (no extra query)"""
        return self.annotate(**{name: _flag(rule_of(self.model).condition(user, action))})

    def with_unmask(self, user):
        """Annotate ``can_unmask``: may ``user`` see this row's personal data whole? (the
        rule's ``unmask`` action, and the owner; no extra query)"""
        return self.annotate(can_unmask=_flag(rule_of(self.model).unmasked(user)))
