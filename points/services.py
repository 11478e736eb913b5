"""Every write to the ledger, the accounts, the rules and the shop.

Each runs in one transaction and locks the account row (then, for the shop, the goods
row: always in that order) before it reads a balance, so concurrent writes serialise on
the account and can neither overdraw nor double-credit.
"""

from __future__ import annotations

import secrets
import uuid
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from centers.models import Site
from civic import audit, nested
from civic.scope import can
from volunteers.models import Status, Volunteer

from .models import (
    DEFAULT_STAR_HOURS,
    MAX_STOCK,
    MAX_STOCK_MOVE,
    Account,
    Entry,
    EntryKind,
    Goods,
    Redemption,
    RedemptionStatus,
    Rule,
    Seal,
    StockKind,
    StockMovement,
)
from .ranking import misranked_accounts, rank_site_for

DEFAULT_POINTS_PER_HOUR = Decimal("10")
MAX_HOURS_PER_ENTRY = Decimal("24")
CENT = Decimal("0.01")
MAX_RULE_POINTS = 100_000  # a bonus or a deduction of a rule, in points
MAX_STAR_HOURS = 100_000


def _whole(value, top: int) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= top


def _require(user, action: str, site: Site, message: str) -> None:
    if not can(user, action, site):
        raise PermissionDenied(message)


# Rules -------------------------------------------------------------------------------


@dataclass(frozen=True)
class EffectiveRule:
    points_per_hour: Decimal
    theme_bonus: int
    rating_bonus: dict
    deductions: dict
    star_hours: list
    rule: Rule | None


def rule_for(site: Site, day: date) -> EffectiveRule:
    """The rule in force at ``site`` on ``day``: the deepest site's (itself or an ancestor)
    latest rule dated on or before ``day``; the defaults if there is none (1 query)."""
    rule = (
        Rule.objects.filter(nested.over(site, "site"), valid_from__lte=day)
        .order_by(*nested.tree_order("site", reverse=True), "-valid_from")
        .first()
    )
    if rule is None:
        return EffectiveRule(DEFAULT_POINTS_PER_HOUR, 0, {}, {}, list(DEFAULT_STAR_HOURS), None)
    return EffectiveRule(
        rule.points_per_hour,
        rule.theme_bonus,
        rule.rating_bonus or {},
        rule.deductions or {},
        list(rule.star_hours or DEFAULT_STAR_HOURS),
        rule,
    )


def star_level_for(hours: Decimal, thresholds: list) -> int:
    return sum(1 for limit in thresholds if hours >= Decimal(str(limit)))


@transaction.atomic
def rule_save(
    *,
    actor,
    site: Site,
    valid_from: date,
    points_per_hour: Decimal | str,
    theme_bonus: int = 0,
    rating_bonus: dict | None = None,
    deductions: dict | None = None,
    star_hours: list | None = None,
) -> Rule:
    """Set the rule of ``site`` from ``valid_from`` on. Past entries are never rewritten."""
    _require(actor, "manage", site, _("You cannot set the points rules of %(site)s.") % {"site": site})
    try:
        rate = Decimal(str(points_per_hour)).quantize(CENT)
    except InvalidOperation:
        raise ValidationError({"points_per_hour": _("Enter a number of points.")}) from None
    if rate < 0:
        raise ValidationError({"points_per_hour": _("Points per hour cannot be negative.")})
    star_hours = star_hours or []
    if not isinstance(star_hours, list) or (
        star_hours
        and (
            len(star_hours) != 5
            or not all(_whole(h, MAX_STAR_HOURS) for h in star_hours)
            or star_hours != sorted(star_hours)
            or star_hours[0] <= 0
        )
    ):
        raise ValidationError({"star_hours": _("Give five rising numbers of hours, one per star.")})
    bounds = _("Bonuses and deductions are whole points from 0 to %(n)s.") % {"n": MAX_RULE_POINTS}
    if not _whole(theme_bonus, MAX_RULE_POINTS):
        raise ValidationError({"theme_bonus": bounds})
    for name, table in (("rating_bonus", rating_bonus or {}), ("deductions", deductions or {})):
        if not isinstance(table, dict) or not all(_whole(v, MAX_RULE_POINTS) for v in table.values()):
            raise ValidationError({name: bounds})
    rule, created = Rule.objects.update_or_create(
        site=site,
        valid_from=valid_from,
        defaults={
            "points_per_hour": rate,
            "theme_bonus": theme_bonus,
            "rating_bonus": {str(k): v for k, v in (rating_bonus or {}).items()},
            "deductions": deductions or {},
            "star_hours": star_hours,
            "created_by": actor,
        },
    )
    audit.record(actor=actor, action="points.rule", obj=rule, site_id=site.pk)
    return rule


# The ledger --------------------------------------------------------------------------


def _locked_account(volunteer: Volunteer) -> Account:
    if not Account.objects.filter(volunteer=volunteer).exists():
        Account.objects.get_or_create(
            volunteer=volunteer, defaults={"rank_site_id": rank_site_for(volunteer.home_site)}
        )
    return Account.objects.select_for_update().get(volunteer=volunteer)


def _hours(value) -> Decimal:
    try:
        hours = Decimal(str(value)).quantize(CENT, rounding=ROUND_HALF_UP)
    except InvalidOperation:
        raise ValidationError({"hours": _("Enter the hours as a number, e.g. 2.5.")}) from None
    return hours


def _post(account: Account, entry: Entry, star_hours: list | None = None) -> Entry:
    """Write ``entry`` and move the locked ``account`` by it."""
    entry.account = account
    entry.save()
    account.lifetime_points += entry.lifetime_delta
    account.balance += entry.points
    account.lifetime_hours += entry.hours
    if star_hours is None:
        star_hours = rule_for(account.volunteer.home_site, timezone.localdate()).star_hours
    account.star_level = star_level_for(account.lifetime_hours, star_hours)
    account.save(update_fields=["lifetime_points", "balance", "lifetime_hours", "star_level", "updated_at"])
    return entry


def _existing(source_key: str) -> Entry | None:
    return Entry.objects.filter(source_key=source_key).first()


@transaction.atomic
def points_credit(
    *,
    actor,
    volunteer: Volunteer,
    source_key: str,
    hours,
    site: Site,
    service_date: date,
    theme: bool = False,
    rating: int | None = None,
    note: str = "",
) -> Entry:
    """Pay for service: hours at the rule's rate on the day of service, plus the rule's
    bonuses. Crediting the same ``source_key`` again returns the first entry and writes
    nothing (idempotent)."""
    _require(actor, "change", site, _("You cannot credit points at %(site)s.") % {"site": site})
    hours = _hours(hours)
    if not Decimal("0") < hours <= MAX_HOURS_PER_ENTRY:
        raise ValidationError({"hours": _("Service hours must be more than 0 and at most 24.")})
    if not source_key:
        raise ValidationError(_("A credit needs the source it pays for."))
    account = _locked_account(volunteer)
    if (existing := _existing(source_key)) is not None:
        return existing
    rule = rule_for(site, service_date)
    points = int((hours * rule.points_per_hour).quantize(Decimal("1"), rounding=ROUND_HALF_UP))
    star_hours = rule_for(volunteer.home_site, timezone.localdate()).star_hours
    entry = _post(
        account,
        Entry(
            kind=EntryKind.SERVICE,
            points=points,
            lifetime_delta=points,
            hours=hours,
            site=site,
            source_key=source_key,
            service_date=service_date,
            note=note[:200],
            created_by=actor,
        ),
        star_hours,
    )
    bonuses = []
    if theme and rule.theme_bonus:
        bonuses.append(("theme", rule.theme_bonus, _("Theme activity bonus")))
    if rating is not None and (bonus := int(rule.rating_bonus.get(str(rating), 0))):
        bonuses.append(("rating", bonus, _("Rating bonus (%(n)s stars)") % {"n": rating}))
    for suffix, bonus, label in bonuses:
        _post(
            account,
            Entry(
                kind=EntryKind.BONUS,
                points=bonus,
                lifetime_delta=bonus,
                site=site,
                source_key=f"{source_key}:{suffix}",
                service_date=service_date,
                note=str(label),
                created_by=actor,
            ),
            star_hours,
        )
    return entry


@transaction.atomic
def points_deduct(*, actor, volunteer: Volunteer, name: str, source_key: str, site: Site, service_date: date) -> Entry:
    """Apply one of the rule's named deductions (e.g. no-show). Idempotent by source."""
    _require(actor, "change", site, _("You cannot deduct points at %(site)s.") % {"site": site})
    rule = rule_for(site, service_date)
    if name not in rule.deductions:
        raise ValidationError({"name": _("The rules have no deduction called “%(name)s”.") % {"name": name}})
    account = _locked_account(volunteer)
    if (existing := _existing(source_key)) is not None:
        return existing
    amount = int(rule.deductions[name])
    return _post(
        account,
        Entry(
            kind=EntryKind.DEDUCTION,
            points=-amount,
            lifetime_delta=-amount,
            site=site,
            source_key=source_key,
            service_date=service_date,
            note=name,
            created_by=actor,
        ),
    )


@transaction.atomic
def points_adjust(*, actor, volunteer: Volunteer, points: int, hours=0, note: str, site: Site | None = None) -> Entry:
    """A manual adjustment by a manager of the volunteer's site, with a reason."""
    site = site or volunteer.home_site
    _require(actor, "manage", volunteer.home_site, _("Only a manager of the volunteer's site can adjust points."))
    if not (note or "").strip():
        raise ValidationError({"note": _("Say why the points are adjusted.")})
    if not isinstance(points, int) or (points == 0 and not hours):
        raise ValidationError({"points": _("Enter a whole number of points other than zero.")})
    account = _locked_account(volunteer)
    return _post(
        account,
        Entry(
            kind=EntryKind.ADJUSTMENT,
            points=points,
            lifetime_delta=points,
            hours=_hours(hours),
            site=site,
            source_key=f"adjust:{uuid.uuid4().hex}",
            service_date=timezone.localdate(),
            note=note.strip()[:200],
            created_by=actor,
        ),
    )


@transaction.atomic
def points_opening(*, actor, volunteer: Volunteer, hours, points: int | None, as_of: date, note: str = "") -> Entry:
    """Past hours from paper ledgers, once per volunteer (an opening entry)."""
    site = volunteer.home_site
    _require(actor, "manage", site, _("Only a manager of the volunteer's site can enter past hours."))
    hours = _hours(hours)
    if hours < 0:
        raise ValidationError({"hours": _("Past hours cannot be negative.")})
    if points is None:
        points = int((hours * rule_for(site, as_of).points_per_hour).quantize(Decimal("1"), rounding=ROUND_HALF_UP))
    account = _locked_account(volunteer)
    key = f"opening:{volunteer.pk}"
    if _existing(key) is not None:
        raise ValidationError(_("%(name)s already has an opening entry.") % {"name": volunteer.real_name})
    return _post(
        account,
        Entry(
            kind=EntryKind.OPENING,
            points=points,
            lifetime_delta=points,
            hours=hours,
            site=site,
            source_key=key,
            service_date=as_of,
            note=(note or _("Hours from the paper ledger")).strip()[:200],
            created_by=actor,
        ),
    )


@transaction.atomic
def points_reverse(*, actor, entry: Entry, reason: str) -> Entry:
    """Reverse a mistaken entry with a new one pointing at it. The balance may go negative
    if the points were already spent; redemptions then wait until it is positive."""
    entry = Entry.objects.select_related("account__volunteer__home_site", "site").get(pk=entry.pk)
    _require(actor, "manage", entry.site, _("Only a manager where the entry was made can reverse it."))
    if not (reason or "").strip():
        raise ValidationError({"reason": _("Say why the entry is reversed.")})
    if entry.kind in {EntryKind.REVERSAL, EntryKind.REDEMPTION, EntryKind.REFUND}:
        raise ValidationError(_("Redemptions are cancelled, not reversed; reversals cannot be reversed."))
    account = Account.objects.select_for_update().get(pk=entry.account_id)
    if Entry.objects.filter(reverses=entry).exists():
        raise ValidationError(_("This entry was already reversed."))
    try:
        with transaction.atomic():
            return _post(
                account,
                Entry(
                    kind=EntryKind.REVERSAL,
                    points=-entry.points,
                    lifetime_delta=-entry.lifetime_delta,
                    hours=-entry.hours,
                    site=entry.site,
                    source_key=f"reversal:{entry.pk}",
                    reverses=entry,
                    service_date=entry.service_date,
                    note=reason.strip()[:200],
                    created_by=actor,
                ),
            )
    except IntegrityError:
        raise ValidationError(_("This entry was already reversed.")) from None


# The shop ----------------------------------------------------------------------------

GOODS_FIELDS = ["name", "price", "is_active"]


@transaction.atomic
def goods_save(*, actor, site: Site | None = None, goods: Goods | None = None, photo=None, **fields) -> Goods:
    """Create goods in a site's shop, or change them (not the stock: see ``goods_stock_in``)."""
    goods = goods or Goods(site=site)
    _require(actor, "manage", goods.site, _("You cannot manage the shop of %(site)s.") % {"site": goods.site})
    unknown = set(fields) - set(GOODS_FIELDS)
    if unknown:
        raise TypeError(f"unknown goods fields: {sorted(unknown)}")
    for key, value in fields.items():
        setattr(goods, key, value)
    goods.name = (goods.name or "").strip()
    if not goods.name:
        raise ValidationError({"name": _("Goods need a name.")})
    if not isinstance(goods.price, int) or goods.price <= 0:
        raise ValidationError({"price": _("The price is a whole number of points above zero.")})
    if Goods.objects.filter(site=goods.site, name=goods.name).exclude(pk=goods.pk).exists():
        raise ValidationError({"name": _("This shop already has goods with this name.")})
    if photo is not None:
        goods.photo = photo
    created = goods.pk is None
    goods.save()
    audit.record(actor=actor, action="goods.create" if created else "goods.update", obj=goods, site_id=goods.site_id)
    return goods


@transaction.atomic
def goods_stock_in(*, actor, goods: Goods, quantity: int, note: str = "") -> Goods:
    """Goods arrive at the shop (or, with a negative quantity and a note, are written off)."""
    _require(actor, "manage", goods.site, _("You cannot manage the shop of %(site)s.") % {"site": goods.site})
    if not isinstance(quantity, int) or quantity == 0 or abs(quantity) > MAX_STOCK_MOVE:
        raise ValidationError(
            {"quantity": _("Enter a whole number other than zero, at most %(n)s either way.") % {"n": MAX_STOCK_MOVE}}
        )
    goods = Goods.objects.select_for_update().get(pk=goods.pk)
    if goods.stock + quantity > MAX_STOCK:
        raise ValidationError({"quantity": _("The stock cannot grow beyond %(n)s.") % {"n": MAX_STOCK}})
    if quantity < 0 and (goods.stock + quantity < 0 or not (note or "").strip()):
        raise ValidationError({"quantity": _("A write-off needs a note and cannot exceed the stock.")})
    goods.stock += quantity
    goods.save(update_fields=["stock"])
    StockMovement.objects.create(
        goods=goods,
        kind=StockKind.IN if quantity > 0 else StockKind.WRITE_OFF,
        quantity=quantity,
        note=(note or "").strip()[:200],
        created_by=actor,
    )
    return goods


def _pickup_code() -> str:
    return f"{secrets.randbelow(10**8):08d}"


class RedemptionRefused(ValidationError):
    """A redemption that cannot go ahead (balance, stock, shop)."""


@transaction.atomic
def redeem(*, actor, goods: Goods, quantity: int = 1) -> Redemption:
    """A volunteer redeems goods from a shop of their township or village: the points and
    the stock are taken at once, under row locks, and a one-time pickup code is issued."""
    volunteer = Volunteer.objects.filter(user=actor).select_related("home_site").first() if actor else None
    if volunteer is None:
        raise PermissionDenied(_("Only a volunteer can redeem points."))
    if volunteer.status != Status.ACTIVE:
        raise RedemptionRefused(_("Only an active volunteer can redeem points."))
    if not isinstance(quantity, int) or not 1 <= quantity <= 99:
        raise RedemptionRefused({"quantity": _("Choose a quantity from 1 to 99.")})
    account = _locked_account(volunteer)
    goods = Goods.objects.select_for_update().select_related("site").get(pk=goods.pk)
    home = volunteer.home_site
    shop = goods.site
    if not nested.contains(shop, home):
        raise RedemptionRefused(_("This shop is not one of your township or village."))
    if not goods.is_active:
        raise RedemptionRefused(_("These goods are not on sale."))
    cost = goods.price * quantity
    if account.balance <= 0 or account.balance < cost:
        raise RedemptionRefused(
            _("Not enough points: this needs %(cost)s and your balance is %(balance)s.")
            % {"cost": cost, "balance": account.balance}
        )
    if goods.stock < quantity:
        raise RedemptionRefused(_("Out of stock."))
    entry = _post(
        account,
        Entry(
            kind=EntryKind.REDEMPTION,
            points=-cost,
            lifetime_delta=0,
            site=shop,
            source_key=f"redemption:{uuid.uuid4().hex}",
            service_date=timezone.localdate(),
            note=f"{goods.name} × {quantity}",
            created_by=actor,
        ),
    )
    Goods.objects.filter(pk=goods.pk).update(stock=F("stock") - quantity)
    StockMovement.objects.create(goods=goods, kind=StockKind.REDEEMED, quantity=-quantity, created_by=actor)
    for _attempt in range(5):
        try:
            with transaction.atomic():
                return Redemption.objects.create(
                    account=account,
                    goods=goods,
                    quantity=quantity,
                    points=cost,
                    entry=entry,
                    pickup_code=_pickup_code(),
                )
        except IntegrityError:
            continue
    raise ValidationError(_("Could not issue a pickup code; please try again."))


@transaction.atomic
def redemption_fulfil(*, actor, goods_site: Site, pickup_code: str) -> Redemption:
    """The shop keeper hands the goods over against the one-time pickup code."""
    _require(actor, "manage", goods_site, _("Only the shop's keeper can hand goods over."))
    redemption = (
        Redemption.objects.select_for_update(of=("self",))
        .select_related("goods")
        .filter(pickup_code=(pickup_code or "").strip(), goods__site=goods_site)
        .first()
    )
    if redemption is None:
        raise ValidationError({"pickup_code": _("No redemption at this shop has this pickup code.")})
    if redemption.status != RedemptionStatus.WAITING:
        raise ValidationError({"pickup_code": _("This pickup code was already used or cancelled.")})
    redemption.status = RedemptionStatus.FULFILLED
    redemption.closed_at = timezone.now()
    redemption.closed_by = actor
    redemption.save(update_fields=["status", "closed_at", "closed_by"])
    audit.record(actor=actor, action="redemption.fulfil", obj=redemption, site_id=goods_site.pk)
    return redemption


@transaction.atomic
def redemption_cancel(*, actor, redemption: Redemption, reason: str = "") -> Redemption:
    """Cancel a waiting redemption: the points come back and the goods return to stock."""
    redemption = Redemption.objects.select_related("goods__site", "account__volunteer").get(pk=redemption.pk)
    own = actor is not None and actor.is_authenticated and redemption.account.volunteer.user_id == actor.pk
    if not own:
        _require(actor, "manage", redemption.goods.site, _("Only the shop's keeper or the volunteer can cancel."))
    account = Account.objects.select_for_update().select_related("volunteer__home_site").get(pk=redemption.account_id)
    redemption = Redemption.objects.select_for_update().get(pk=redemption.pk)
    goods = Goods.objects.select_for_update().get(pk=redemption.goods_id)
    if redemption.status != RedemptionStatus.WAITING:
        raise ValidationError(_("Only a redemption waiting for pickup can be cancelled."))
    refund = _post(
        account,
        Entry(
            kind=EntryKind.REFUND,
            points=redemption.points,
            lifetime_delta=0,
            site=goods.site,
            source_key=f"refund:{redemption.pk}",
            service_date=timezone.localdate(),
            note=(reason or "").strip()[:200],
            created_by=actor,
        ),
    )
    goods.stock += redemption.quantity
    goods.save(update_fields=["stock"])
    StockMovement.objects.create(goods=goods, kind=StockKind.RETURNED, quantity=redemption.quantity, created_by=actor)
    redemption.status = RedemptionStatus.CANCELLED
    redemption.refund_entry = refund
    redemption.closed_at = timezone.now()
    redemption.closed_by = actor
    redemption.save(update_fields=["status", "refund_entry", "closed_at", "closed_by"])
    audit.record(actor=actor, action="redemption.cancel", obj=redemption, site_id=goods.site_id)
    return redemption


@transaction.atomic
def seal_save(*, actor, site: Site, image) -> Seal:
    """Set the seal image a site stamps on its certificates (a manager of the site)."""
    _require(actor, "manage", site, _("Only a manager of %(site)s can set its seal.") % {"site": site})
    seal = Seal.objects.select_for_update().filter(site=site).first() or Seal(site=site)
    seal.image = image
    seal.save()
    audit.record(actor=actor, action="points.seal", obj=seal, site_id=site.pk)
    return seal


# Checking ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Drift:
    account_id: int
    volunteer: str
    field: str
    stored: object
    ledger: object


def reconcile() -> list[Drift]:
    """Recompute every account from the ledger (and its rank site from the tree) and list every
    difference (3 queries)."""
    from django.db.models import Sum
    from django.db.models.functions import Coalesce

    sums = {
        row["account"]: row
        for row in Entry.objects.order_by()
        .values("account")
        .annotate(
            lifetime=Coalesce(Sum("lifetime_delta"), 0),
            balance=Coalesce(Sum("points"), 0),
            hours=Coalesce(Sum("hours"), Decimal("0")),
        )
    }
    drifts = []
    for account in Account.objects.select_related("volunteer").iterator(chunk_size=5000):
        row = sums.get(account.pk, {"lifetime": 0, "balance": 0, "hours": Decimal("0")})
        for field, stored, ledger in (
            ("lifetime_points", account.lifetime_points, row["lifetime"]),
            ("balance", account.balance, row["balance"]),
            ("lifetime_hours", account.lifetime_hours, row["hours"]),
        ):
            if stored != ledger:
                drifts.append(Drift(account.pk, str(account.volunteer), field, stored, ledger))
    for account_id, stored, expected in misranked_accounts():
        drifts.append(Drift(account_id, "", "rank_site", stored, expected))
    return drifts
