"""The site tree (阵地), service platforms and the standards checklist.

Tree writes never happen here: they go through ``centers.services`` (which lock the tree)
or the bulk importer (which computes the nested sets itself).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from guardian.managers import UserObjectPermissionManager
from guardian.models import UserObjectPermissionBase
from mptt.managers import TreeManager
from mptt.models import MPTTModel, TreeForeignKey
from mptt.querysets import TreeQuerySet

from civic.querysets import RestrictedQuerySet
from civic.scope import Anchor, Reach, ScopeRule


class Level(models.TextChoices):
    PROVINCE = "province", _("Province")
    CITY = "city", _("City")
    COUNTY = "county", _("County")
    TOWNSHIP = "township", _("Township")
    VILLAGE = "village", _("Village or community")
    GROUP = "group", _("Group")


LEVEL_RANK = {level: rank for rank, level in enumerate(Level.values)}
# Length of the official statistical code at each level.
CODE_LENGTH = {"province": 2, "city": 4, "county": 6, "township": 9, "village": 12}


class Kind(models.TextChoices):
    PRACTICE = "practice", _("Practice site")
    BASE = "base", _("Practice base")
    POST = "post", _("Volunteer service post")


# What a practice site is called at each level (中心 / 所 / 站 / 点).
TIER_NAMES = {
    Level.PROVINCE: _("%(name)s Civilization Practice Center"),
    Level.CITY: _("%(name)s Civilization Practice Center"),
    Level.COUNTY: _("%(name)s Civilization Practice Center"),
    Level.TOWNSHIP: _("%(name)s Civilization Practice Station"),
    Level.VILLAGE: _("%(name)s Civilization Practice Point"),
    Level.GROUP: _("%(name)s Civilization Practice Spot"),
}
TIER_LABELS = {
    Level.PROVINCE: _("Center"),
    Level.CITY: _("Center"),
    Level.COUNTY: _("Center"),
    Level.TOWNSHIP: _("Station"),
    Level.VILLAGE: _("Point"),
    Level.GROUP: _("Spot"),
}
KIND_NAMES = {
    Kind.BASE: _("%(name)s Civilization Practice Base"),
    Kind.POST: _("%(name)s Volunteer Service Post"),
}

# Official suffixes and what the short name keeps of them (DESIGN.md, Decisions).
SHORT_NAME_SUFFIXES = (
    ("社区居民委员会", "社区"),
    ("社区居委会", "社区"),
    ("村民委员会", "村"),
    ("村委会", "村"),
    ("居民委员会", "社区"),
    ("居委会", "社区"),
    ("街道办事处", "街道"),
)


def short_name_for(name: str) -> str:
    """The everyday name of a division: 乔山村委会 → 乔山村, 城关社区居委会 → 城关社区."""
    for suffix, replacement in SHORT_NAME_SUFFIXES:
        if name.endswith(suffix) and len(name) > len(suffix):
            return name[: -len(suffix)] + replacement
    return name


class SiteQuerySet(RestrictedQuerySet, TreeQuerySet):
    def practice(self):
        return self.filter(kind=Kind.PRACTICE)

    def active(self):
        return self.filter(is_active=True)


class SiteManager(TreeManager.from_queryset(SiteQuerySet)):
    pass


class Site(MPTTModel):
    """A practice site: a node of the network (中心 / 所 / 站 / 点), a base or a service post."""

    scope = ScopeRule(site="")

    parent = TreeForeignKey(
        "self",
        verbose_name=_("parent site"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    level = models.CharField(_("level"), max_length=10, choices=Level.choices)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.PRACTICE)
    code = models.CharField(
        _("official code"),
        max_length=12,
        blank=True,
        default="",
        help_text=_("Statistical division code: 2/4/6/9/12 digits for province/city/county/township/village."),
    )
    name = models.CharField(_("official name"), max_length=100)
    short_name = models.CharField(_("short name"), max_length=100, blank=True, default="")
    pinyin = models.CharField(_("pinyin"), max_length=400, blank=True, default="", editable=False)
    population = models.PositiveIntegerField(_("population"), null=True, blank=True)
    address = models.CharField(_("address"), max_length=200, blank=True, default="")
    head_name = models.CharField(_("head"), max_length=50, blank=True, default="")
    liaison_name = models.CharField(_("liaison"), max_length=50, blank=True, default="")
    liaison_phone = models.CharField(_("liaison phone"), max_length=20, blank=True, default="")
    activity_quota = models.PositiveSmallIntegerField(
        _("monthly activity quota"),
        null=True,
        blank=True,
        help_text=_("Leave empty for the default of its level (center and station 2, point and base 1)."),
    )
    standard_set = models.ForeignKey(
        "StandardSet",
        verbose_name=_("standards checklist"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("The checklist this site and everything under it is held to (inherited if empty)."),
    )
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = SiteManager()

    class MPTTMeta:
        # ``level`` is the administrative level; the depth in the tree is ``depth``.
        level_attr = "depth"
        order_insertion_by = ["code", "name"]

    class Meta:
        verbose_name = _("site")
        verbose_name_plural = _("sites")
        permissions = [
            ("manage_subtree", _("Manage the site and everything under it")),
            ("view_subtree", _("View the site and everything under it")),
        ]
        # "Everything under this site" is a range on (tree_id, lft); declared here so that
        # the migration creates it (mptt's own automatic index never reaches migrations).
        indexes = [models.Index(fields=["tree_id", "lft"], name="centers_site_tree_lft")]
        constraints = [
            models.UniqueConstraint(fields=["code"], condition=~Q(code=""), name="centers_site_code_unique"),
            models.UniqueConstraint(fields=["parent", "name"], name="centers_site_name_unique_under_parent"),
            models.UniqueConstraint(
                fields=["name"], condition=Q(parent__isnull=True), name="centers_site_root_name_unique"
            ),
        ]

    def __str__(self) -> str:
        return self.display_name

    @property
    def label(self) -> str:
        return self.short_name or self.name

    @property
    def display_name(self) -> str:
        """The name the UI uses: 西乡县新时代文明实践中心, 杨河镇新时代文明实践所..."""
        template = KIND_NAMES.get(self.kind) or TIER_NAMES.get(self.level)
        return str(template) % {"name": self.label} if template else self.label

    @property
    def tier_label(self) -> str:
        if self.kind != Kind.PRACTICE:
            return str(self.get_kind_display())
        return str(TIER_LABELS.get(self.level, ""))

    @property
    def descendant_total(self) -> int:
        return self.get_descendant_count()

    @property
    def default_activity_quota(self) -> int:
        if self.kind == Kind.BASE or LEVEL_RANK.get(self.level, 0) >= LEVEL_RANK[Level.VILLAGE]:
            return 1
        return 2

    @property
    def effective_activity_quota(self) -> int:
        return self.activity_quota if self.activity_quota is not None else self.default_activity_quota


class SiteGrantManager(UserObjectPermissionManager.from_queryset(RestrictedQuerySet)):
    pass


class SiteGrant(UserObjectPermissionBase):
    """A role (a guardian object permission) held by a user on a site and its subtree. Anyone
    who can see the site sees its roles; a manager of it gives and takes them."""

    scope = ScopeRule(site="content_object")

    content_object = models.ForeignKey(Site, verbose_name=_("site"), on_delete=models.CASCADE, related_name="grants")
    created_at = models.DateTimeField(_("granted"), auto_now_add=True)

    objects = SiteGrantManager()

    class Meta(UserObjectPermissionBase.Meta):
        verbose_name = _("role grant")
        verbose_name_plural = _("role grants")


class LocalizedNameMixin(models.Model):
    name = models.CharField(_("name"), max_length=50)
    name_en = models.CharField(_("English name"), max_length=80, blank=True, default="")

    class Meta:
        abstract = True

    @property
    def label(self) -> str:
        lang = get_language() or ""
        return self.name_en if lang.startswith("en") and self.name_en else self.name


class ServicePlatform(LocalizedNameMixin):
    """A field of service work (服务平台): 理论宣讲, 教育服务... A county edits its own list.

    Those offered everywhere are read by anyone; a county's own by whoever holds a role at,
    above or below that county."""

    scope = ScopeRule(
        site="owner",
        reach=(Reach("owner", "around", Anchor("centers.SiteGrant", "content_object")),),
        public=Q(owner__isnull=True),
    )

    owner = models.ForeignKey(
        Site,
        verbose_name=_("county"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="platforms",
        help_text=_("Empty: offered everywhere."),
    )
    sort_order = models.PositiveSmallIntegerField(_("order"), default=0)
    is_active = models.BooleanField(_("active"), default=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = _("service platform")
        verbose_name_plural = _("service platforms")
        ordering = ["sort_order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["owner", "name"], name="centers_platform_name_unique"),
            models.UniqueConstraint(
                fields=["name"], condition=Q(owner__isnull=True), name="centers_platform_global_name_unique"
            ),
        ]

    def __str__(self) -> str:
        return self.label


class StandardSet(models.Model):
    """A standards checklist a county holds its sites to: 五有, 六有, 八有."""

    name = models.CharField(_("name"), max_length=50, unique=True)
    description = models.CharField(_("description"), max_length=200, blank=True, default="")

    class Meta:
        verbose_name = _("standards checklist")
        verbose_name_plural = _("standards checklists")
        ordering = ["id"]

    def __str__(self) -> str:
        return self.name


class StandardItem(LocalizedNameMixin):
    """One item of a checklist (场所, 标识, 制度...)."""

    standard_set = models.ForeignKey(
        StandardSet, verbose_name=_("checklist"), on_delete=models.CASCADE, related_name="items"
    )
    description = models.CharField(_("what counts"), max_length=200, blank=True, default="")
    sort_order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("standards item")
        verbose_name_plural = _("standards items")
        ordering = ["standard_set", "sort_order", "id"]
        constraints = [models.UniqueConstraint(fields=["standard_set", "name"], name="centers_item_unique")]

    def __str__(self) -> str:
        return f"{self.standard_set}: {self.label}"


class StandardCheck(models.Model):
    """Whether a site meets one item of its checklist, with evidence, who checked and when."""

    scope = ScopeRule(site="site")

    site = models.ForeignKey(Site, verbose_name=_("site"), on_delete=models.CASCADE, related_name="checks")
    item = models.ForeignKey(StandardItem, verbose_name=_("item"), on_delete=models.CASCADE, related_name="checks")
    passed = models.BooleanField(_("meets the standard"), default=False)
    evidence = models.ImageField(_("evidence photo"), upload_to="standards/%Y/%m/", blank=True)
    note = models.CharField(_("note"), max_length=200, blank=True, default="")
    checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("checked by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    checked_at = models.DateTimeField(_("checked at"))

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = _("standards check")
        verbose_name_plural = _("standards checks")
        constraints = [models.UniqueConstraint(fields=["site", "item"], name="centers_check_unique")]

    def __str__(self) -> str:
        return f"{self.site} · {self.item}"
