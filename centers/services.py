"""Writes to the site tree, roles, platforms and standards. Views, the API, the admin and
commands all call these; none writes those models directly.

Every tree write takes the advisory locks of ``centers.tree`` in its transaction and
re-reads the nodes it touches after locking, so that concurrent writes cannot corrupt
the nested sets.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any, TypedDict, Unpack

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files import File
from django.db import IntegrityError, transaction
from django.db.models import Model, ProtectedError
from django.utils import timezone
from django.utils.translation import gettext as _
from guardian.shortcuts import assign_perm, remove_perm

from civic import audit, nested
from civic.ids import is_digits
from civic.models import AuditEntry
from civic.people import person_name
from civic.scope import Role, can
from civic.types import Actor

from .models import (
    CODE_LENGTH,
    LEVEL_RANK,
    Kind,
    Level,
    ServicePlatform,
    Site,
    StandardCheck,
    StandardItem,
    StandardSet,
    short_name_for,
)
from .pinyin import pinyin_for
from .selectors import PLATFORM_OWNER_LEVELS
from .signals import sites_moved
from .tree import lock_trees

if TYPE_CHECKING:
    from django.contrib.auth.models import User


class SiteFields(TypedDict, total=False):
    """A site's own fields besides its name, level and kind (its place in the tree is its
    ``parent``, changed by ``site_move``)."""

    short_name: str
    code: str
    population: int | None
    address: str
    head_name: str
    liaison_name: str
    liaison_phone: str
    activity_quota: int | None
    standard_set: StandardSet | None
    is_active: bool


class SiteChanges(SiteFields, total=False):
    """What ``site_update`` may change: any of a site's own fields."""

    name: str
    level: str
    kind: str


# The fields of a site the services take, in the order the forms show them.
SITE_FIELDS = (
    "name",
    "short_name",
    "code",
    "level",
    "kind",
    "population",
    "address",
    "head_name",
    "liaison_name",
    "liaison_phone",
    "activity_quota",
    "standard_set",
    "is_active",
)
_PHONE = re.compile(r"^[0-9+\-() ]{5,20}$")


def _require(user: Actor, action: str, obj: Model, message: str) -> None:
    if not can(user, action, obj):
        raise PermissionDenied(message)


def _is_superuser(actor: Actor) -> bool:
    return bool(actor is not None and actor.is_superuser)


def _validate_site(site: Site, parent: Site | None) -> None:
    """Rules a site must satisfy wherever it sits; raises ValidationError naming the field."""
    errors: dict[str, str] = {}
    site.name = (site.name or "").strip()
    site.code = (site.code or "").strip()
    site.short_name = (site.short_name or "").strip() or short_name_for(site.name)
    if not site.name:
        errors["name"] = _("A site needs its official name.")
    if site.level not in Level.values:
        errors["level"] = _("Unknown level.")
    if site.kind not in Kind.values:
        errors["kind"] = _("Unknown kind.")
    if site.code:
        expected = CODE_LENGTH.get(site.level)
        if not is_digits(site.code) or (expected and len(site.code) != expected):
            errors["code"] = _("The official code of a %(level)s has %(n)s digits.") % {
                "level": Level(site.level).label if site.level in Level.values else site.level,
                "n": expected,
            }
    if site.liaison_phone and not _PHONE.match(site.liaison_phone):
        errors["liaison_phone"] = _("Enter a phone number of digits (and + - ( ) if needed).")
    if parent is not None and "level" not in errors:
        if parent.kind != Kind.PRACTICE:
            errors["parent"] = _("Nothing can be placed under a base or a service post.")
        elif site.kind == Kind.PRACTICE and LEVEL_RANK[site.level] <= LEVEL_RANK[parent.level]:
            errors["level"] = _("A %(child)s cannot sit under a %(parent)s.") % {
                "child": Level(site.level).label,
                "parent": Level(parent.level).label,
            }
        elif site.kind != Kind.PRACTICE and LEVEL_RANK[site.level] < LEVEL_RANK[parent.level]:
            errors["level"] = _("A base or post takes the level of the site it belongs to, or below.")
    if errors:
        raise ValidationError(errors)
    siblings = Site.objects.filter(parent=parent) if parent else Site.objects.filter(parent__isnull=True)
    if siblings.filter(name=site.name).exclude(pk=site.pk).exists():
        raise ValidationError({"name": _("Another site under the same parent already has this name.")})
    if site.code and Site.objects.filter(code=site.code).exclude(pk=site.pk).exists():
        raise ValidationError({"code": _("Another site already has this official code.")})


def _save(site: Site) -> None:
    site.pinyin = pinyin_for(site.name, site.short_name)
    try:
        with transaction.atomic():
            site.save()
    except IntegrityError as exc:  # a race past the checks above
        raise ValidationError(_("This site clashes with another one (same name or code).")) from exc


def _changed(site: Site, changes: audit.Changes) -> audit.Changes:
    """The changes that remain once the site's fields were normalised (names stripped, a
    short name derived)."""
    return {key: (old, getattr(site, key)) for key, (old, _new) in changes.items() if old != getattr(site, key)}


@transaction.atomic
def site_create(
    *, actor: Actor, parent: Site | None, name: str, level: str, kind: str = Kind.PRACTICE, **fields: Unpack[SiteFields]
) -> Site:
    """Create a site under ``parent`` (a new top-level tree if ``parent`` is None)."""
    if parent is None:
        if not _is_superuser(actor):
            raise PermissionDenied(_("Only an administrator can create a top-level site."))
        lock_trees(everything=True)
    else:
        _require(actor, "add", parent, _("You cannot add sites under %(site)s.") % {"site": parent})
        lock_trees(parent.tree_id)
        parent.refresh_from_db()
    site = Site(parent=parent, name=name, level=level, kind=kind)
    audit.model_update(site, data=fields)
    _validate_site(site, parent)
    _save(site)
    audit.record(actor=actor, action="site.create", obj=site, site_id=site.pk)
    return site


@transaction.atomic
def site_update(*, actor: Actor, site: Site, **fields: Unpack[SiteChanges]) -> Site:
    """Change a site's own fields (not its place in the tree: see ``site_move``)."""
    _require(actor, "change", site, _("You cannot change %(site)s.") % {"site": site})
    lock_trees(site.tree_id)
    site = Site.objects.select_for_update().get(pk=site.pk)
    was_practice = site.kind == Kind.PRACTICE
    changes = audit.model_update(site, data=fields)
    _validate_site(site, site.parent)
    if site.kind == Kind.PRACTICE and was_practice:
        deeper = site.get_children().filter(kind=Kind.PRACTICE)
        if any(LEVEL_RANK[c.level] <= LEVEL_RANK[site.level] for c in deeper.only("level")):
            raise ValidationError({"level": _("Sites under this one would then be at its level or above.")})
    _save(site)
    changes = _changed(site, changes)
    if changes:
        audit.record(actor=actor, action="site.update", obj=site, site_id=site.pk, changes=changes)
    return site


@transaction.atomic
def site_move(*, actor: Actor, site: Site, new_parent: Site | None) -> Site:
    """Move a site (with everything under it) under ``new_parent``."""
    _require(actor, "change", site, _("You cannot move %(site)s.") % {"site": site})
    if new_parent is None:
        if not _is_superuser(actor):
            raise PermissionDenied(_("Only an administrator can make a site top-level."))
    else:
        _require(actor, "add", new_parent, _("You cannot add sites under %(site)s.") % {"site": new_parent})
    if site.parent_id is None or new_parent is None:
        lock_trees(everything=True)
    else:
        lock_trees(site.tree_id, new_parent.tree_id)
    site = Site.objects.get(pk=site.pk)
    old_parent = site.parent
    if new_parent is not None:
        new_parent = Site.objects.get(pk=new_parent.pk)
        if nested.contains(site, new_parent):
            raise ValidationError({"parent": _("A site cannot be moved under itself or under a site below it.")})
    if (old_parent.pk if old_parent else None) == (new_parent.pk if new_parent else None):
        return site
    # Everything under the moved site stays below it, so checking the site itself suffices.
    _validate_site(site, new_parent)
    old_tree = site.tree_id
    site.parent = new_parent
    _save(site)
    sites_moved.send(sender=Site, tree_ids=sorted({old_tree, site.tree_id}))
    audit.record(
        actor=actor,
        action="site.move",
        obj=site,
        site_id=site.pk,
        changes={"parent": (str(old_parent) if old_parent else None, str(new_parent) if new_parent else None)},
    )
    return site


@transaction.atomic
def site_delete(*, actor: Actor, site: Site) -> None:
    """Delete a site that has nothing under it and nothing attached to it. Its audit trail
    moves to the site above it, where those who saw it still read it."""
    _require(actor, "delete", site, _("You cannot delete %(site)s.") % {"site": site})
    lock_trees(everything=True) if site.parent_id is None else lock_trees(site.tree_id)
    site = Site.objects.get(pk=site.pk)
    children = site.get_descendant_count()
    if children:
        raise ValidationError(
            _("%(site)s has %(n)s sites under it: move or delete them first, or mark it inactive.")
            % {"site": site, "n": children}
        )
    AuditEntry.objects.filter(site_id=site.pk).update(site_id=site.parent_id)
    audit.record(actor=actor, action="site.delete", obj=site, site_id=site.parent_id)
    try:
        with transaction.atomic():
            site.delete()
    except ProtectedError as exc:
        raise ValidationError(
            _("%(site)s still has records attached to it; mark it inactive instead.") % {"site": site}
        ) from exc


# Roles -------------------------------------------------------------------------------


@transaction.atomic
def role_grant(*, actor: Actor, user: User, site: Site, role: Role | str) -> bool:
    """Give ``user`` a role on ``site`` (and so on its subtree). Returns False if they had it."""
    role = Role(role)
    _require(actor, "manage", site, _("You can only give roles within your own area."))
    if not user.is_active:
        raise ValidationError(_("%(user)s is not an active account.") % {"user": person_name(user, actor)})
    if user.has_perm(f"centers.{role.codename}", site):
        return False
    assign_perm(f"centers.{role.codename}", user, site)
    audit.record(
        actor=actor, action="role.grant", obj=site, site_id=site.pk, changes={role.value: (None, person_name(user))}
    )
    return True


@transaction.atomic
def role_revoke(*, actor: Actor, user: User, site: Site, role: Role | str) -> bool:
    """Take a role on ``site`` away from ``user``. Returns False if they did not have it."""
    role = Role(role)
    _require(actor, "manage", site, _("You can only take roles away within your own area."))
    if actor is not None and user.pk == actor.pk and not actor.is_superuser:
        raise ValidationError(_("You cannot take away your own role; ask a manager above you."))
    removed = site.grants.filter(user=user, permission__codename=role.codename).exists()
    if not removed:
        return False
    remove_perm(f"centers.{role.codename}", user, site)
    audit.record(
        actor=actor, action="role.revoke", obj=site, site_id=site.pk, changes={role.value: (person_name(user), None)}
    )
    return True


# Service platforms -------------------------------------------------------------------


class PlatformFields(TypedDict, total=False):
    """A service platform's own fields (its county, ``owner``, is set when it is made)."""

    name: str
    name_en: str
    sort_order: int
    is_active: bool


PLATFORM_FIELDS = ("name", "name_en", "sort_order", "is_active")


@transaction.atomic
def platform_save(
    *,
    actor: Actor,
    platform: ServicePlatform | None = None,
    owner: Site | None = None,
    **fields: Unpack[PlatformFields],
) -> ServicePlatform:
    """Create (``platform`` None, on ``owner``'s list) or change a service platform of a
    county (or, for an administrator, one offered everywhere)."""
    if platform is None:
        platform = ServicePlatform(owner=owner)
    target = platform.owner
    if target is None:
        if not _is_superuser(actor):
            raise PermissionDenied(_("Only an administrator can change the platforms offered everywhere."))
    else:
        _require(actor, "manage", target, _("You cannot change the platforms of %(site)s.") % {"site": target})
        if platform.pk is None and target.level not in PLATFORM_OWNER_LEVELS:
            raise ValidationError({"owner": _("Service platforms belong to a county's list: choose a county.")})
    changes = audit.model_update(platform, data=fields)
    platform.name = (platform.name or "").strip()
    if not platform.name:
        raise ValidationError({"name": _("A platform needs a name.")})
    clash = ServicePlatform.objects.filter(owner=platform.owner, name=platform.name).exclude(pk=platform.pk)
    if clash.exists():
        raise ValidationError({"name": _("There is already a platform with this name.")})
    created = platform.pk is None
    platform.save()
    audit.record(
        actor=actor,
        action="platform.create" if created else "platform.update",
        obj=platform,
        site_id=platform.owner_id,
        changes={key: (old, getattr(platform, key)) for key, (old, _new) in changes.items()},
    )
    return platform


# Standards ---------------------------------------------------------------------------


@transaction.atomic
def standard_set_choose(*, actor: Actor, site: Site, standard_set: StandardSet | None) -> Site:
    """Pick the checklist a site (usually a county) and its subtree are held to."""
    return site_update(actor=actor, site=site, standard_set=standard_set)


@transaction.atomic
def standard_check_record(
    *,
    actor: Actor,
    site: Site,
    item: StandardItem,
    passed: bool,
    note: str = "",
    evidence: File[Any] | None = None,
) -> StandardCheck:
    """Record whether ``site`` meets ``item``, with who checked it and when."""
    _require(actor, "change", site, _("You cannot record checks for %(site)s.") % {"site": site})
    if (
        passed
        and evidence is None
        and not StandardCheck.objects.filter(site=site, item=item).exclude(evidence="").exists()
    ):
        raise ValidationError({"evidence": _("A met standard needs an evidence photo.")})
    check, _created = StandardCheck.objects.select_for_update().get_or_create(
        site=site, item=item, defaults={"checked_at": timezone.now(), "checked_by": actor}
    )
    changes = audit.model_update(check, data={"passed": passed, "note": (note or "").strip()[:200]})
    if evidence is not None:
        check.evidence = evidence
    check.checked_by = actor
    check.checked_at = timezone.now()
    check.save()
    audit.record(actor=actor, action="standard.check", obj=check, site_id=site.pk, changes=changes)
    return check
