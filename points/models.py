"""Points (积分): an append-only ledger, the accounts it feeds, dated rules, and the shop.

Every write goes through ``points.services`` in one transaction with the account row
locked. Entries are never updated or deleted (refused here and, on PostgreSQL, by a
trigger); a mistake is reversed by a new entry that points at the one it reverses.
"""

from __future__ import annotations

import unicodedata
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from centers.models import Site
from civic.querysets import RestrictedQuerySet
from civic.scope import ROLE_CODENAMES, Anchor, Reach, ScopeRule
from volunteers.models import HOME_SITE, Volunteer

DEFAULT_STAR_HOURS = [100, 300, 600, 1000, 1500]


def compact_code(text: object) -> str:
    """A code as someone typed it, with no spaces or dashes anywhere and full-width letters and
    digits folded to plain ones (NFKC): ``" ab12 - cd34"`` → ``"ab12cd34"``. Every door that
    takes a typed code (a verification code, a pickup code) reads it through this."""
    if not isinstance(text, str):
        return ""
    folded = unicodedata.normalize("NFKC", text)
    return "".join(ch for ch in folded if not ch.isspace() and ch not in "-_")


# The sites where a user holds a role (manager or viewer).
GRANTED_SITES = Anchor(
    settings.CIVIC_GRANT_MODEL, "content_object", where=models.Q(permission__codename__in=list(ROLE_CODENAMES.values()))
)

# Who may read the rankings (实践排行) of which site: those who belong to it. A role at or
# above the site (its own scope), a role at a site below it, or a home site below it: a
# village head reads the rankings of their township and county, a volunteer those of the
# sites above their home. ``points.selectors.ranking_sites`` applies it, for the page and
# the API alike.
RANKINGS_SCOPE = ScopeRule(site="", reach=(Reach("", "over", GRANTED_SITES), Reach("", "over", HOME_SITE)))


class Account(models.Model):
    """A volunteer's points account: stored sums of the ledger for fast reads."""

    scope = ScopeRule(site="volunteer__home_site", owner="volunteer__user")

    volunteer = models.OneToOneField(
        Volunteer, verbose_name=_("volunteer"), on_delete=models.PROTECT, related_name="points_account"
    )
    lifetime_points = models.IntegerField(_("lifetime points"), default=0)
    balance = models.IntegerField(_("balance"), default=0)
    lifetime_hours = models.DecimalField(_("service hours"), max_digits=10, decimal_places=2, default=Decimal("0"))
    star_level = models.PositiveSmallIntegerField(_("star level"), default=0)
    rank_site = models.ForeignKey(
        Site,
        verbose_name=_("ranked in"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("The township the volunteer's home site lies in (else the home site): kept in step by points."),
    )
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = _("points account")
        verbose_name_plural = _("points accounts")
        indexes = [
            models.Index(fields=["-lifetime_points"]),
            models.Index(fields=["-lifetime_hours"]),
            models.Index(fields=["rank_site", "lifetime_points"], name="points_account_rank"),
        ]

    def __str__(self) -> str:
        return f"{self.volunteer} · {self.lifetime_points}"


class EntryKind(models.TextChoices):
    SERVICE = "service", _("Service credit")
    BONUS = "bonus", _("Bonus")
    DEDUCTION = "deduction", _("Deduction")
    OPENING = "opening", _("Opening balance")
    ADJUSTMENT = "adjustment", _("Manual adjustment")
    REDEMPTION = "redemption", _("Redemption")
    REFUND = "refund", _("Refund")
    REVERSAL = "reversal", _("Reversal")


# Kinds that change what was earned (lifetime) as well as the balance; spending and its
# refund change only the balance.
EARNING_KINDS = {EntryKind.SERVICE, EntryKind.BONUS, EntryKind.DEDUCTION, EntryKind.OPENING, EntryKind.ADJUSTMENT}


class EntryQuerySet(RestrictedQuerySet):
    def update(self, **kwargs):
        raise ValidationError(_("Ledger entries are never changed; reverse them instead."))

    def delete(self):
        raise ValidationError(_("Ledger entries are never deleted; reverse them instead."))


class Entry(models.Model):
    """One line of the ledger. Append-only. Read where the volunteer's home site is in
    reach, and by the volunteer."""

    scope = ScopeRule(site="account__volunteer__home_site", owner="account__volunteer__user")

    account = models.ForeignKey(Account, verbose_name=_("account"), on_delete=models.PROTECT, related_name="entries")
    kind = models.CharField(_("kind"), max_length=12, choices=EntryKind.choices)
    points = models.IntegerField(_("points"), help_text=_("Change to the balance."))
    lifetime_delta = models.IntegerField(_("lifetime change"), default=0)
    hours = models.DecimalField(_("service hours"), max_digits=8, decimal_places=2, default=Decimal("0"))
    site = models.ForeignKey(Site, verbose_name=_("site"), on_delete=models.PROTECT, related_name="+")
    source_key = models.CharField(_("source"), max_length=80, unique=True)
    reverses = models.OneToOneField(
        "self",
        verbose_name=_("reverses"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="reversed_by",
    )
    service_date = models.DateField(_("date of service"))
    note = models.CharField(_("note"), max_length=200, blank=True, default="")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("by"), null=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("time"), auto_now_add=True)

    objects = EntryQuerySet.as_manager()

    class Meta:
        verbose_name = _("ledger entry")
        verbose_name_plural = _("ledger entries")
        ordering = ["-id"]
        indexes = [
            models.Index(fields=["account", "-id"]),
            models.Index(fields=["service_date"]),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.points:+d}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValidationError(_("Ledger entries are never changed; reverse them instead."))
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValidationError(_("Ledger entries are never deleted; reverse them instead."))


class Rule(models.Model):
    """Points rules of a site (usually a county), inherited down the tree unless a lower
    site has its own. Dated: the date of the service decides which rule applies."""

    scope = ScopeRule(site="site")

    site = models.ForeignKey(Site, verbose_name=_("site"), on_delete=models.PROTECT, related_name="+")
    valid_from = models.DateField(_("valid from"))
    points_per_hour = models.DecimalField(_("points per service hour"), max_digits=6, decimal_places=2)
    theme_bonus = models.PositiveIntegerField(_("bonus for a theme activity"), default=0)
    rating_bonus = models.JSONField(
        _("bonus by citizen rating"),
        default=dict,
        blank=True,
        help_text=_("Points added for a citizen's rating, by its number of stars (1 to 5)."),
    )
    deductions = models.JSONField(
        _("named deductions"), default=dict, blank=True, help_text=_("Points taken away, by the deduction's name.")
    )
    star_hours = models.JSONField(
        _("star level hours"), default=list, blank=True, help_text=_("Hours for one to five stars.")
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("by"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = _("points rule")
        verbose_name_plural = _("points rules")
        ordering = ["site", "-valid_from"]
        constraints = [models.UniqueConstraint(fields=["site", "valid_from"], name="points_rule_unique_date")]

    def __str__(self) -> str:
        return f"{self.site} {self.valid_from}: {self.points_per_hour}/h"


MAX_STOCK_MOVE = 100_000  # goods in, or written off, at once: the bound of the page, the API and the service
MAX_STOCK = 2**31 - 1  # what the stock column holds


class Goods(models.Model):
    """An item of a site's points shop (积分超市/爱心超市). Volunteers read the goods of the
    shops at or above their home site (where they may redeem)."""

    scope = ScopeRule(site="site", reach=(Reach("site", "over", HOME_SITE),))

    site = models.ForeignKey(Site, verbose_name=_("shop"), on_delete=models.PROTECT, related_name="goods")
    name = models.CharField(_("name"), max_length=100)
    photo = models.ImageField(_("photo"), upload_to="goods/%Y/", blank=True)
    price = models.PositiveIntegerField(_("price in points"))
    stock = models.PositiveIntegerField(_("in stock"), default=0)
    is_active = models.BooleanField(_("on sale"), default=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = _("goods")
        verbose_name_plural = _("goods")
        ordering = ["site", "price", "name"]
        constraints = [
            models.UniqueConstraint(fields=["site", "name"], name="points_goods_unique_name"),
            models.CheckConstraint(condition=models.Q(price__gt=0), name="points_goods_price_positive"),
        ]

    def __str__(self) -> str:
        return self.name


class StockKind(models.TextChoices):
    IN = "in", _("Goods in")
    REDEEMED = "redeemed", _("Redeemed")
    RETURNED = "returned", _("Returned (cancelled redemption)")
    WRITE_OFF = "write_off", _("Written off")


class StockMovement(models.Model):
    """Every change to a shop's stock, so that books and shelves agree (账物相符)."""

    scope = ScopeRule(site="goods__site")

    goods = models.ForeignKey(Goods, verbose_name=_("goods"), on_delete=models.PROTECT, related_name="movements")
    kind = models.CharField(_("kind"), max_length=10, choices=StockKind.choices)
    quantity = models.IntegerField(_("quantity"), help_text=_("Positive in, negative out."))
    note = models.CharField(_("note"), max_length=200, blank=True, default="")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("by"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("time"), auto_now_add=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = _("stock movement")
        verbose_name_plural = _("stock movements")
        ordering = ["-id"]

    def __str__(self) -> str:
        return f"{self.goods} {self.quantity:+d}"


class RedemptionStatus(models.TextChoices):
    WAITING = "waiting", _("Waiting for pickup")
    FULFILLED = "fulfilled", _("Picked up")
    CANCELLED = "cancelled", _("Cancelled")


class Redemption(models.Model):
    """A volunteer's redemption of goods: points and stock taken at once, a one-time
    pickup code, then fulfilled by the shop keeper or cancelled (points and stock back).
    Read by the shop's roles and by the volunteer who redeemed."""

    scope = ScopeRule(site="goods__site", owner="account__volunteer__user")

    account = models.ForeignKey(Account, verbose_name=_("account"), on_delete=models.PROTECT, related_name="+")
    goods = models.ForeignKey(Goods, verbose_name=_("goods"), on_delete=models.PROTECT, related_name="redemptions")
    quantity = models.PositiveIntegerField(_("quantity"), default=1)
    points = models.PositiveIntegerField(_("points"))
    entry = models.OneToOneField(Entry, verbose_name=_("ledger entry"), on_delete=models.PROTECT, related_name="+")
    refund_entry = models.OneToOneField(
        Entry, verbose_name=_("refund"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    pickup_code = models.CharField(_("pickup code"), max_length=12, unique=True)
    status = models.CharField(
        _("status"), max_length=10, choices=RedemptionStatus.choices, default=RedemptionStatus.WAITING
    )
    created_at = models.DateTimeField(_("time"), auto_now_add=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("by"), null=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = _("redemption")
        verbose_name_plural = _("redemptions")
        ordering = ["-id"]

    def __str__(self) -> str:
        return f"{self.goods} × {self.quantity}"

    @staticmethod
    def normal_pickup_code(text: object) -> str | None:
        """A pickup code as someone typed it (spaces, dashes, full-width digits) in the form it
        is stored, or None if it cannot be one: 1 to 12 ASCII digits."""
        code = compact_code(text)
        return code if 0 < len(code) <= 12 and code.isascii() and code.isdigit() else None


class Seal(models.Model):
    """The seal image a site stamps on the certificates it issues."""

    scope = ScopeRule(site="site")

    site = models.OneToOneField(Site, verbose_name=_("site"), on_delete=models.CASCADE, related_name="seal")
    image = models.ImageField(_("seal image"), upload_to="seals/", help_text=_("A PNG with a transparent background."))
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = _("seal")
        verbose_name_plural = _("seals")

    def __str__(self) -> str:
        return str(self.site)


class Certificate(models.Model):
    """A service record certificate (志愿服务记录证明): its figures are fixed when issued,
    and its verification code lets anyone check that it is genuine."""

    scope = ScopeRule(site="volunteer__home_site", owner="volunteer__user")

    code = models.CharField(_("verification code"), max_length=16, unique=True)
    volunteer = models.ForeignKey(
        Volunteer, verbose_name=_("volunteer"), on_delete=models.PROTECT, related_name="certificates"
    )
    site = models.ForeignKey(Site, verbose_name=_("issued by"), on_delete=models.PROTECT, related_name="+")
    period_start = models.DateField(_("from"))
    period_end = models.DateField(_("to"))
    hours = models.DecimalField(_("service hours"), max_digits=10, decimal_places=2)
    points = models.IntegerField(_("points earned"))
    issued_at = models.DateTimeField(_("issued"), auto_now_add=True)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("by"), null=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = _("service certificate")
        verbose_name_plural = _("service certificates")
        ordering = ["-issued_at"]

    def __str__(self) -> str:
        return self.code

    @staticmethod
    def normal_code(text: object) -> str | None:
        """A verification code as someone typed it (any case, spaces or dashes anywhere,
        full-width letters) in the form it is stored, or None if it cannot be one: 1 to 16
        ASCII letters and digits."""
        code = compact_code(text).upper()
        return code if 0 < len(code) <= 16 and code.isascii() and code.isalnum() else None
