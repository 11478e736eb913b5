"""Every write to the ledger, the accounts, the rules, the shop, certificates and seals.

Each takes model instances and typed keyword arguments, runs in one transaction, checks
permission and state, and raises a clear ``ValidationError`` (naming the field) or
``PermissionDenied``. The ledger's writes lock the account row (then, for the shop, the
goods row: always in that order) before they read a balance, so concurrent writes
serialise on the account and can neither overdraw nor double-credit. Reads that decide live
in ``points.selectors``.
"""

from __future__ import annotations

import secrets
import uuid
from collections.abc import Mapping, Sequence
from datetime import date
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import IO

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files import File
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from centers.models import Site
from civic import audit, nested
from civic.scope import can
from volunteers.models import Status, Volunteer

from . import opening
from .models import (
    MAX_STOCK,
    MAX_STOCK_MOVE,
    Account,
    Certificate,
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
from .ranking import rank_site_for
from .selectors import issuing_site, rule_for, served_in, star_level_for

MAX_HOURS_PER_ENTRY = Decimal("24")
CENT = Decimal("0.01")
MAX_RULE_POINTS = 100_000  # a bonus or a deduction of a rule, in points
MAX_STAR_HOURS = 100_000
MAX_DEDUCTION_NAME = 40
STARS = range(1, 6)

Hours = Decimal | int | str


def _whole(value: object, top: int, *, low: int = 0) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and low <= value <= top


def _require(user: User, action: str, site: Site, message: str) -> None:
    if not can(user, action, site):
        raise PermissionDenied(message)


# Rules -------------------------------------------------------------------------------


def _rating_bonus(table: object) -> dict[str, int]:
    """A citizen rating's bonus by its stars, ``{"5": 5, "4": 2}``: keys 1 to 5, values whole
    points; stars without a bonus are left out."""
    bounds = _("A rating bonus is whole points from 0 to %(n)s for 1 to 5 stars.") % {"n": MAX_RULE_POINTS}
    if not isinstance(table, Mapping):
        raise ValidationError({"rating_bonus": bounds})
    bonus: dict[str, int] = {}
    for stars, points in table.items():
        key = str(stars).strip()
        if key not in {str(n) for n in STARS} or not _whole(points, MAX_RULE_POINTS):
            raise ValidationError({"rating_bonus": bounds})
        if points:
            bonus[key] = points
    return dict(sorted(bonus.items(), reverse=True))


def _deductions(table: object) -> dict[str, int]:
    """Named deductions, ``{"无故缺席": 5}``: each a name (at most 40 characters) and the whole
    points it takes away (1 to 100,000)."""
    if not isinstance(table, Mapping):
        raise ValidationError({"deductions": _("Give each deduction a name and its points.")})
    rows: dict[str, int] = {}
    for raw, points in table.items():
        name = str(raw).strip()
        if not name:
            raise ValidationError({"deductions": _("Every deduction needs a name.")})
        if len(name) > MAX_DEDUCTION_NAME:
            raise ValidationError(
                {"deductions": _("A deduction's name has at most %(n)s characters.") % {"n": MAX_DEDUCTION_NAME}}
            )
        if not _whole(points, MAX_RULE_POINTS, low=1):
            raise ValidationError(
                {
                    "deductions": _("The deduction “%(name)s” takes whole points from 1 to %(n)s.")
                    % {"name": name, "n": MAX_RULE_POINTS}
                }
            )
        if name in rows:
            raise ValidationError({"deductions": _("The deduction “%(name)s” is named twice.") % {"name": name}})
        rows[name] = points
    return rows


def _star_hours(hours: object) -> list[int]:
    """Five rising numbers of hours, one per star (empty: the defaults)."""
    if isinstance(hours, Sequence) and not isinstance(hours, str) and len(hours) == 0:
        return []
    if (
        not isinstance(hours, Sequence)
        or isinstance(hours, str)
        or len(hours) != 5
        or not all(_whole(h, MAX_STAR_HOURS, low=1) for h in hours)
        or list(hours) != sorted(hours)
        or len(set(hours)) != 5
    ):
        raise ValidationError({"star_hours": _("Give five rising numbers of hours, one per star.")})
    return list(hours)


@transaction.atomic
def rule_save(
    *,
    actor: User,
    site: Site,
    valid_from: date,
    points_per_hour: Decimal | int | str,
    theme_bonus: int = 0,
    rating_bonus: Mapping[str, int] | None = None,
    deductions: Mapping[str, int] | None = None,
    star_hours: Sequence[int] | None = None,
) -> Rule:
    """Set the rule of ``site`` from ``valid_from`` on (replacing one of the same date). Past
    entries are never rewritten. Each row is checked: a rate, a theme bonus, a bonus per star
    of a citizen's rating, named deductions, and five star thresholds (or none)."""
    _require(actor, "manage", site, _("You cannot set the points rules of %(site)s.") % {"site": site})
    try:
        rate = Decimal(str(points_per_hour)).quantize(CENT)
    except InvalidOperation:
        raise ValidationError({"points_per_hour": _("Enter a number of points.")}) from None
    if rate < 0 or not rate.is_finite():
        raise ValidationError({"points_per_hour": _("Points per hour cannot be negative.")})
    if not _whole(theme_bonus, MAX_RULE_POINTS):
        raise ValidationError(
            {"theme_bonus": _("Bonuses and deductions are whole points from 0 to %(n)s.") % {"n": MAX_RULE_POINTS}}
        )
    data = {
        "points_per_hour": rate,
        "theme_bonus": theme_bonus,
        "rating_bonus": _rating_bonus(rating_bonus or {}),
        "deductions": _deductions(deductions or {}),
        "star_hours": _star_hours(star_hours if star_hours is not None else []),
    }
    rule = Rule.objects.select_for_update().filter(site=site, valid_from=valid_from).first()
    if rule is None:
        rule = Rule.objects.create(site=site, valid_from=valid_from, created_by=actor, **data)
        changes: audit.Changes = {}
    else:
        changes = audit.model_update(rule, data={**data, "created_by": actor})
        rule.save()
        changes.pop("created_by", None)
    audit.record(actor=actor, action="points.rule", obj=rule, site_id=site.pk, changes=changes)
    return rule


# The ledger --------------------------------------------------------------------------


def _locked_account(volunteer: Volunteer) -> Account:
    if not Account.objects.filter(volunteer=volunteer).exists():
        Account.objects.get_or_create(
            volunteer=volunteer, defaults={"rank_site_id": rank_site_for(volunteer.home_site)}
        )
    return Account.objects.select_for_update().get(volunteer=volunteer)


def _hours(value: Hours | None) -> Decimal:
    try:
        hours = Decimal(str(value if value is not None else 0)).quantize(CENT, rounding=ROUND_HALF_UP)
    except InvalidOperation:
        raise ValidationError({"hours": _("Enter the hours as a number, e.g. 2.5.")}) from None
    return hours


def _post(account: Account, entry: Entry, star_hours: Sequence[int] | None = None) -> Entry:
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
    actor: User,
    volunteer: Volunteer,
    source_key: str,
    hours: Hours,
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
    amount = _hours(hours)
    if not Decimal("0") < amount <= MAX_HOURS_PER_ENTRY:
        raise ValidationError({"hours": _("Service hours must be more than 0 and at most 24.")})
    if not source_key:
        raise ValidationError(_("A credit needs the source it pays for."))
    account = _locked_account(volunteer)
    if (existing := _existing(source_key)) is not None:
        return existing
    rule = rule_for(site, service_date)
    points = int((amount * rule.points_per_hour).quantize(Decimal("1"), rounding=ROUND_HALF_UP))
    star_hours = rule_for(volunteer.home_site, timezone.localdate()).star_hours
    entry = _post(
        account,
        Entry(
            kind=EntryKind.SERVICE,
            points=points,
            lifetime_delta=points,
            hours=amount,
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
def points_deduct(
    *, actor: User, volunteer: Volunteer, name: str, source_key: str, site: Site, service_date: date
) -> Entry:
    """Apply one of the rule's named deductions (e.g. 无故缺席). Idempotent by source."""
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


def check_adjustment(*, balance: int, lifetime_hours: Decimal, points: int, hours: Decimal) -> None:
    """The rule of a manual adjustment, for the service and the page that asks to confirm
    one: points other than zero (or some hours), and nothing taken away beyond what is there —
    the balance and the hours never go below zero by an adjustment (a mistaken credit is
    undone by reversing its entry)."""
    if not _whole(points, 10**9, low=-(10**9)) or (points == 0 and not hours):
        raise ValidationError({"points": _("Enter a whole number of points other than zero.")})
    if points < 0 and balance + points < 0:
        raise ValidationError(
            {
                "points": _(
                    "This would leave the balance at %(after)s points (it is %(before)s). To undo a "
                    "mistaken credit, reverse its entry instead."
                )
                % {"after": balance + points, "before": balance}
            }
        )
    if hours < 0 and lifetime_hours + hours < 0:
        raise ValidationError(
            {
                "hours": _("This would leave the service hours at %(after)s (they are %(before)s).")
                % {"after": lifetime_hours + hours, "before": lifetime_hours}
            }
        )


@transaction.atomic
def points_adjust(
    *, actor: User, volunteer: Volunteer, points: int, hours: Hours = 0, note: str, site: Site | None = None
) -> Entry:
    """A manual adjustment by a manager of the volunteer's site, with a reason. It never takes
    the balance or the hours below zero (``check_adjustment``)."""
    where = site or volunteer.home_site
    _require(actor, "manage", volunteer.home_site, _("Only a manager of the volunteer's site can adjust points."))
    if not (note or "").strip():
        raise ValidationError({"note": _("Say why the points are adjusted.")})
    amount = _hours(hours)
    account = _locked_account(volunteer)
    check_adjustment(balance=account.balance, lifetime_hours=account.lifetime_hours, points=points, hours=amount)
    return _post(
        account,
        Entry(
            kind=EntryKind.ADJUSTMENT,
            points=points,
            lifetime_delta=points,
            hours=amount,
            site=where,
            source_key=f"adjust:{uuid.uuid4().hex}",
            service_date=timezone.localdate(),
            note=note.strip()[:200],
            created_by=actor,
        ),
    )


@transaction.atomic
def points_opening(
    *, actor: User, volunteer: Volunteer, hours: Hours, points: int | None, as_of: date, note: str = ""
) -> Entry:
    """Past hours from paper ledgers, once per volunteer (an opening entry)."""
    site = volunteer.home_site
    _require(actor, "manage", site, _("Only a manager of the volunteer's site can enter past hours."))
    amount = _hours(hours)
    if amount < 0:
        raise ValidationError({"hours": _("Past hours cannot be negative.")})
    if points is None:
        points = int((amount * rule_for(site, as_of).points_per_hour).quantize(Decimal("1"), rounding=ROUND_HALF_UP))
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
            hours=amount,
            site=site,
            source_key=key,
            service_date=as_of,
            note=(note or _("Hours from the paper ledger")).strip()[:200],
            created_by=actor,
        ),
    )


def opening_import(
    *, actor: User, site: Site, file: IO[bytes] | bytes, filename: str, today: date
) -> opening.OpeningResult:
    """Past hours from a sheet (``points.opening`` reads and checks it): every row checked
    first, and only if none has a problem, all written at once, each through
    ``points_opening``. A sheet with problems writes nothing and returns them by row."""
    opening.check_importer(actor=actor, scope=site)
    rows = opening.read_opening_rows(file, filename)
    result = opening.OpeningResult(opening.check_opening_rows(actor=actor, scope=site, rows=rows, today=today))
    if result.errors:
        return result
    with transaction.atomic():
        for item in result.rows:
            assert item.volunteer is not None and item.hours is not None and item.as_of is not None
            points_opening(
                actor=actor, volunteer=item.volunteer, hours=item.hours, points=item.points, as_of=item.as_of,
                note=item.note,
            )  # fmt: skip
    result.written = len(result.rows)
    return result


@transaction.atomic
def points_reverse(*, actor: User, entry: Entry, reason: str) -> Entry:
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


def _check_goods(goods: Goods) -> None:
    if not goods.name:
        raise ValidationError({"name": _("Goods need a name.")})
    if not _whole(goods.price, 2**31 - 1, low=1):
        raise ValidationError({"price": _("The price is a whole number of points above zero.")})
    if Goods.objects.filter(site=goods.site, name=goods.name).exclude(pk=goods.pk).exists():
        raise ValidationError({"name": _("This shop already has goods with this name.")})


@transaction.atomic
def goods_create(
    *, actor: User, site: Site, name: str, price: int, is_active: bool = True, photo: File | None = None
) -> Goods:
    """Add goods to a site's shop, with no stock yet (see ``goods_stock_in``)."""
    _require(actor, "manage", site, _("You cannot manage the shop of %(site)s.") % {"site": site})
    goods = Goods(site=site, name=(name or "").strip(), price=price, is_active=is_active)
    _check_goods(goods)
    if photo is not None:
        goods.photo = photo
    goods.save()
    audit.record(actor=actor, action="goods.create", obj=goods, site_id=site.pk)
    return goods


@transaction.atomic
def goods_update(
    *,
    actor: User,
    goods: Goods,
    name: str | None = None,
    price: int | None = None,
    is_active: bool | None = None,
    photo: File | None = None,
) -> Goods:
    """Change goods (what is given; None keeps it): the name, the price, whether on sale, a new
    photo. Never the stock (``goods_stock_in``) nor the shop."""
    goods = Goods.objects.select_for_update().select_related("site").get(pk=goods.pk)
    _require(actor, "manage", goods.site, _("You cannot manage the shop of %(site)s.") % {"site": goods.site})
    data: dict[str, object] = {"name": name.strip() if name is not None else None, "price": price}
    data["is_active"] = is_active
    changes = audit.model_update(goods, data={key: value for key, value in data.items() if value is not None})
    _check_goods(goods)
    if photo is not None:
        changes["photo"] = (goods.photo.name or "", photo.name)
        goods.photo = photo
    goods.save()
    audit.record(actor=actor, action="goods.update", obj=goods, site_id=goods.site_id, changes=changes)
    return goods


@transaction.atomic
def goods_stock_in(*, actor: User, goods: Goods, quantity: int, note: str = "") -> Goods:
    """Goods arrive at the shop (or, with a negative quantity and a note, are written off)."""
    _require(actor, "manage", goods.site, _("You cannot manage the shop of %(site)s.") % {"site": goods.site})
    if not _whole(quantity, MAX_STOCK_MOVE, low=-MAX_STOCK_MOVE) or quantity == 0:
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
def redeem(*, actor: User, goods: Goods, quantity: int = 1) -> Redemption:
    """A volunteer redeems goods from a shop of their township or village: the points and
    the stock are taken at once, under row locks, and a one-time pickup code is issued."""
    volunteer = Volunteer.objects.filter(user=actor).select_related("home_site").first() if actor else None
    if volunteer is None:
        raise PermissionDenied(_("Only a volunteer can redeem points."))
    if volunteer.status != Status.ACTIVE:
        raise RedemptionRefused(_("Only an active volunteer can redeem points."))
    if not _whole(quantity, 99, low=1):
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
def redemption_fulfil(*, actor: User, goods_site: Site, pickup_code: str) -> Redemption:
    """The shop keeper hands the goods over against the one-time pickup code (as typed: spaces,
    dashes and full-width digits are read through ``Redemption.normal_pickup_code``)."""
    _require(actor, "manage", goods_site, _("Only the shop's keeper can hand goods over."))
    code = Redemption.normal_pickup_code(pickup_code)
    redemption = (
        Redemption.objects.select_for_update(of=("self",))
        .select_related("goods")
        .filter(pickup_code=code, goods__site=goods_site)
        .first()
        if code is not None
        else None
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
def redemption_cancel(*, actor: User, redemption: Redemption, reason: str = "") -> Redemption:
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


# Certificates and seals --------------------------------------------------------------

_CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I


def _new_code() -> str:
    return "".join(secrets.choice(_CODE_ALPHABET) for _ in range(12))


@transaction.atomic
def certificate_issue(*, actor: User, volunteer: Volunteer, period_start: date, period_end: date) -> Certificate:
    """Issue a certificate of the hours served in a period (the volunteer, or a manager of
    their home site): its figures are fixed now, and its code lets anyone check it."""
    own = actor is not None and actor.is_authenticated and volunteer.user_id == actor.pk
    if not (own or can(actor, "manage", volunteer.home_site)):
        raise PermissionDenied(_("Only the volunteer or a manager of their site can issue this."))
    if period_start > period_end:
        raise ValidationError({"period_start": _("The period starts after it ends.")})
    if period_end > timezone.localdate():
        raise ValidationError({"period_end": _("The period cannot end in the future.")})
    hours, points = served_in(volunteer, period_start, period_end)
    if hours <= 0:
        raise ValidationError(_("No service hours were recorded in this period."))
    site = issuing_site(volunteer)
    assert site is not None  # the home site itself at least
    for _attempt in range(5):
        try:
            with transaction.atomic():
                certificate = Certificate.objects.create(
                    code=_new_code(),
                    volunteer=volunteer,
                    site=site,
                    period_start=period_start,
                    period_end=period_end,
                    hours=hours,
                    points=points,
                    issued_by=actor,
                )
        except IntegrityError:
            continue
        audit.record(actor=actor, action="certificate.issue", obj=certificate, site_id=volunteer.home_site_id)
        return certificate
    raise ValidationError(_("Could not issue a verification code; please try again."))


@transaction.atomic
def seal_save(*, actor: User, site: Site, image: File) -> Seal:
    """Set the seal image a site stamps on its certificates (a manager of the site)."""
    _require(actor, "manage", site, _("Only a manager of %(site)s can set its seal.") % {"site": site})
    seal = Seal.objects.select_for_update().filter(site=site).first() or Seal(site=site)
    seal.image = image
    seal.save()
    audit.record(actor=actor, action="points.seal", obj=seal, site_id=site.pk)
    return seal
