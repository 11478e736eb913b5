"""Volunteers, their source groups, teams (a tree of their own) and memberships.

Writes go through ``volunteers.services``. The ID number is the unique key of a person;
ID number and phone are shown whole only to managers of the volunteer's home-site subtree
and to the volunteer (``volunteers.privacy``).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from guardian.models import UserObjectPermissionBase
from mptt.managers import TreeManager
from mptt.models import MPTTModel, TreeForeignKey
from mptt.querysets import TreeQuerySet

from centers.models import LocalizedNameMixin, ServicePlatform, Site
from civic.querysets import RestrictedQuerySet
from civic.scope import Anchor, Reach, ScopeRule


class Gender(models.TextChoices):
    MALE = "male", _("Male")
    FEMALE = "female", _("Female")


class PoliticalStatus(models.TextChoices):
    PARTY_MEMBER = "party_member", _("CPC member")
    PROBATIONARY = "probationary", _("CPC probationary member")
    LEAGUE_MEMBER = "league_member", _("Communist Youth League member")
    DEMOCRATIC_PARTY = "democratic_party", _("Member of a democratic party")
    MASSES = "masses", _("Ordinary citizen")


class Status(models.TextChoices):
    PENDING = "pending", _("Pending approval")
    ACTIVE = "active", pgettext_lazy("volunteer status", "Active")
    REJECTED = "rejected", _("Rejected")
    SUSPENDED = "suspended", _("Suspended")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class SourceGroup(LocalizedNameMixin):
    """Where volunteers come from (党员干部, 五老, 乡贤...): an editable list."""

    sort_order = models.PositiveSmallIntegerField(_("order"), default=0)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("source group")
        verbose_name_plural = _("source groups")
        ordering = ["sort_order", "id"]
        constraints = [models.UniqueConstraint(fields=["name"], name="volunteers_sourcegroup_name_unique")]

    def __str__(self) -> str:
        return self.label


LEAD_TEAM = "lead_team"  # the team grant's codename

# Tree nodes a user is tied to without a site grant (``civic.scope.Anchor``).
HOME_SITE = Anchor("volunteers.Volunteer", "home_site")  # their volunteer record's home site
LED_TEAMS = Anchor("volunteers.TeamGrant", "content_object", where=Q(permission__codename=LEAD_TEAM))


class VolunteerQuerySet(RestrictedQuerySet):
    def listed(self):
        """What lists show: withdrawn and anonymised people are kept, but not listed."""
        return self.exclude(status=Status.WITHDRAWN).filter(anonymised_at__isnull=True)


class Volunteer(models.Model):
    """A registered volunteer (志愿者). Their own record is theirs to read; ID number and
    phone are shown whole to the managers of their home site's subtree and to them."""

    scope = ScopeRule(site="home_site", owner="user", unmask="manage")

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("login"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="volunteer",
    )
    real_name = models.CharField(_("real name"), max_length=50)
    pinyin = models.CharField(_("pinyin"), max_length=200, blank=True, default="", editable=False)
    gender = models.CharField(_("gender"), max_length=6, choices=Gender.choices)
    birth_date = models.DateField(_("birth date"), null=True)
    id_number = models.CharField(_("ID number"), max_length=18, null=True, blank=True)
    phone = models.CharField(_("mobile phone"), max_length=11, blank=True, default="")
    home_site = models.ForeignKey(
        Site, verbose_name=_("home site"), on_delete=models.PROTECT, related_name="volunteers"
    )
    political_status = models.CharField(
        _("political status"), max_length=20, choices=PoliticalStatus.choices, default=PoliticalStatus.MASSES
    )
    source_group = models.ForeignKey(
        SourceGroup, verbose_name=_("source group"), null=True, blank=True, on_delete=models.SET_NULL
    )
    skills = models.ManyToManyField(ServicePlatform, verbose_name=_("skills"), blank=True, related_name="+")
    skill_tags = models.JSONField(_("other skills"), default=list, blank=True)
    national_number = models.CharField(_("national volunteer number"), max_length=40, blank=True, default="")
    emergency_name = models.CharField(_("emergency contact"), max_length=50, blank=True, default="")
    emergency_phone = models.CharField(_("emergency phone"), max_length=20, blank=True, default="")
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    status_reason = models.CharField(_("reason"), max_length=200, blank=True, default="")
    status_changed_at = models.DateTimeField(_("status changed"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    consent_at = models.DateTimeField(_("privacy notice accepted"), null=True, blank=True)
    guardian_name = models.CharField(_("guardian"), max_length=50, blank=True, default="")
    guardian_phone = models.CharField(_("guardian phone"), max_length=20, blank=True, default="")
    guardian_consent_at = models.DateTimeField(_("guardian consent"), null=True, blank=True)
    registered_at = models.DateTimeField(_("registered"), auto_now_add=True)
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("registered by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    claim_requested_at = models.DateTimeField(_("login claim requested"), null=True, blank=True)
    anonymised_at = models.DateTimeField(_("anonymised"), null=True, blank=True)

    objects = VolunteerQuerySet.as_manager()

    class Meta:
        verbose_name = _("volunteer")
        verbose_name_plural = _("volunteers")
        ordering = ["-registered_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["id_number"], name="volunteers_id_number_unique"),
        ]
        indexes = [
            models.Index(fields=["home_site", "status"]),
            models.Index(fields=["phone"]),
        ]

    def __str__(self) -> str:
        return self.real_name


class TeamKind(models.TextChoices):
    CORPS = "corps", _("County corps")
    BRIGADE = "brigade", _("Professional brigade")
    DETACHMENT = "detachment", _("Township detachment")
    SQUAD = "squad", _("Village squad")


class TeamQuerySet(RestrictedQuerySet, TreeQuerySet):
    pass


class TeamManager(TreeManager.from_queryset(TeamQuerySet)):
    pass


class Team(MPTTModel):
    """A volunteer team (总队 → 大队/支队 → 小分队), attached to a site. Besides the site's
    roles, its leader (and the leaders of the teams above) read it, and so does a volunteer
    whose home site lies under the team's site (the teams they may ask to join)."""

    scope = ScopeRule(site="site", reach=(Reach("", "under", LED_TEAMS), Reach("site", "over", HOME_SITE)))

    parent = TreeForeignKey(
        "self", verbose_name=_("parent team"), null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    site = models.ForeignKey(Site, verbose_name=_("site"), on_delete=models.PROTECT, related_name="teams")
    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=12, choices=TeamKind.choices)
    lead_department = models.CharField(_("lead department"), max_length=100, blank=True, default="")
    platform = models.ForeignKey(
        ServicePlatform, verbose_name=_("service platform"), null=True, blank=True, on_delete=models.SET_NULL
    )
    leader = models.ForeignKey(
        Volunteer, verbose_name=_("leader"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    description = models.CharField(_("description"), max_length=300, blank=True, default="")
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    objects = TeamManager()

    class MPTTMeta:
        order_insertion_by = ["name"]

    class Meta:
        verbose_name = _("team")
        verbose_name_plural = _("teams")
        permissions = [(LEAD_TEAM, _("Lead the team and the teams under it"))]
        indexes = [models.Index(fields=["tree_id", "lft"], name="volunteers_team_tree_lft")]
        constraints = [models.UniqueConstraint(fields=["site", "name"], name="volunteers_team_name_unique")]

    def __str__(self) -> str:
        return self.name


class TeamGrant(UserObjectPermissionBase):
    """A team leader's grant on a team, covering that team's subtree."""

    content_object = models.ForeignKey(Team, verbose_name=_("team"), on_delete=models.CASCADE, related_name="grants")

    class Meta(UserObjectPermissionBase.Meta):
        verbose_name = _("team grant")
        verbose_name_plural = _("team grants")


class MembershipRole(models.TextChoices):
    LEADER = "leader", _("Leader")
    MEMBER = "member", _("Member")


class MembershipStatus(models.TextChoices):
    PENDING = "pending", _("Requested")
    ACTIVE = "active", _("In the team")
    REJECTED = "rejected", _("Declined")
    LEFT = "left", _("Left")


MEMBERSHIP_OPEN = (MembershipStatus.PENDING, MembershipStatus.ACTIVE)  # a request waiting, or in the team


class Membership(models.Model):
    """A volunteer's place in a team, from the join request on: read by the team site's
    roles, the team's leaders (who need no site role) and the volunteer."""

    scope = ScopeRule(site="team__site", owner="volunteer__user", reach=(Reach("team", "under", LED_TEAMS),))

    volunteer = models.ForeignKey(
        Volunteer, verbose_name=_("volunteer"), on_delete=models.CASCADE, related_name="memberships"
    )
    team = models.ForeignKey(Team, verbose_name=_("team"), on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(_("role"), max_length=10, choices=MembershipRole.choices, default=MembershipRole.MEMBER)
    status = models.CharField(
        _("status"), max_length=10, choices=MembershipStatus.choices, default=MembershipStatus.PENDING
    )
    requested_at = models.DateTimeField(_("requested"), auto_now_add=True)
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.UniqueConstraint(
                fields=["volunteer", "team"],
                condition=Q(status__in=["pending", "active"]),
                name="volunteers_membership_open_unique",
            )
        ]

    def __str__(self) -> str:
        return f"{self.volunteer} · {self.team}"


class ImportMode(models.TextChoices):
    ALL_OR_NOTHING = "all", _("All or nothing")
    GOOD_ONLY = "good", _("Good rows only")


class ImportStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    VALIDATING = "validating", _("Checking rows")
    WRITING = "writing", _("Writing")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


class RosterImport(models.Model):
    """One upload of a volunteer roster (Excel or CSV), checked and written by a Celery task."""

    scope = ScopeRule(site="site")

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uploaded by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    site = models.ForeignKey(Site, verbose_name=_("site"), on_delete=models.PROTECT, related_name="roster_imports")
    file = models.FileField(_("file"), upload_to="rosters/%Y/%m/", max_length=300)
    original_name = models.CharField(_("file name"), max_length=200, blank=True, default="")
    mode = models.CharField(_("mode"), max_length=4, choices=ImportMode.choices, default=ImportMode.ALL_OR_NOTHING)
    status = models.CharField(_("status"), max_length=10, choices=ImportStatus.choices, default=ImportStatus.QUEUED)
    total_rows = models.PositiveIntegerField(_("rows"), default=0)
    processed_rows = models.PositiveIntegerField(_("rows checked"), default=0)
    created_count = models.PositiveIntegerField(_("volunteers created"), default=0)
    error_rows = models.JSONField(_("rows with errors"), default=list, blank=True)
    message = models.TextField(_("message"), blank=True, default="")
    created_at = models.DateTimeField(_("uploaded"), auto_now_add=True)
    claimed_at = models.DateTimeField(_("started"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = _("roster import")
        verbose_name_plural = _("roster imports")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.original_name or self.file.name

    @property
    def progress(self) -> int:
        """Percentage of rows checked (0–100)."""
        return 100 if not self.total_rows else min(100, self.processed_rows * 100 // self.total_rows)
