"""Test helpers. ``ScopeMatrix`` proves that a site-scoped model's pages and API obey the
scoped permissions for every persona on objects inside and outside their subtrees.

A model's test declares only what is particular to it::

    ScopeMatrix(
        model=Volunteer,
        objects={"in village": v1, "elsewhere": v2},
        personas=[Persona("township_head", user, grants=[(township, "manager")]), ...],
        pages=PageUrls(view="volunteers:detail", change="volunteers:edit", delete="volunteers:delete"),
        api=ApiUrls(detail="volunteer-detail", list="volunteer-list"),
        form_data=lambda v: form_data_from(v, ["name", "phone", "note"]),
        change_field="note",
        change_value="scope matrix",
    ).check()

The matrix computes each expected outcome itself from the nested sets (is the object's
site inside one of the persona's grant sites, with a role that allows the action?), plus
what the test declares of the model's wider reach: ``owner`` (obj → the user whose own row
it is, who may ``owner_actions`` it) and ``reach`` (a function the test writes from the
world's parent links: does this persona reach this object for this action without a
grant?). It sends every request inside a transaction that it then rolls back (so the
checks do not depend on their order), and reports every mismatch at once as a table.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from django.conf import settings
from django.db import transaction
from django.forms.models import model_to_dict
from django.shortcuts import resolve_url
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from .scope import ROLE_CODENAMES, grant_model, rule_of, site_model

# Outcomes, as the table prints them.
SHOWN = "shown"  # a read answered 200
DONE = "done"  # a write succeeded (page 302, API 200/204) and its effect is in the database
REFUSED = "refused"  # allowed, but a rule of the model said no (API 400, page re-shown); nothing changed
FORBIDDEN = "forbidden"  # 403: the persona sees the object but may not do this; nothing changed
HIDDEN = "hidden"  # 404: the object is outside the persona's reach; nothing changed
LOGIN = "login"  # anonymous: pages redirect to the login page, the API answers 401/403

# Which role allows which action: a viewer only reads, a manager does everything.
# (Written out here, not imported, so that the matrix is an independent oracle.)
ROLE_ACTIONS = {"viewer": {"view"}, "manager": {"view", "add", "change", "delete", "manage"}}
_ROLE_BY_CODENAME = {codename: str(role) for role, codename in ROLE_CODENAMES.items()}

Target = str | Callable[[Any], str]


@dataclass(frozen=True)
class Persona:
    """Someone the matrix acts as: ``user`` None is the anonymous visitor. ``grants`` are the
    (site, role) pairs the test gave them; the matrix checks them against the database."""

    name: str
    user: Any
    grants: Sequence[tuple[Any, str]] = ()


@dataclass(frozen=True)
class PageUrls:
    """URL names (reversed with ``pk``) or callables ``obj -> url`` of the model's pages.
    ``view`` is its page (None if it has none of its own); ``change`` is the edit form (GET
    shows it, POST saves it); ``delete`` takes a POST. ``list`` (no arguments) should show
    each object it lists by ``list_marker(obj)`` (default: its view URL). ``more`` names
    other pages of one object, each with the action it needs (``{"move form":
    ("centers:site-move", "change")}``): a GET must show it when that action is allowed,
    answer 403 when the object is only visible, 404 otherwise."""

    view: Target | None = None
    change: Target | None = None
    delete: Target | None = None
    list: str | Callable[[], str] | None = None
    list_marker: Callable[[Any], str] | None = None
    more: Mapping[str, tuple[Target, str]] = field(default_factory=dict)


@dataclass(frozen=True)
class ApiUrls:
    """The API's detail URL name (reversed with ``pk``) or callable, its list URL name, and
    whether the API offers PATCH and DELETE on the model."""

    detail: Target
    list: str | None = None
    patch: bool = True
    delete: bool = True


@dataclass(frozen=True)
class Row:
    persona: str
    obj: str
    check: str
    expected: str
    got: str


def form_data_from(obj, fields: Sequence[str]) -> dict:
    """POST data for a model form showing ``obj`` as it is: None → "", unchecked boxes left out."""
    data = {}
    for name, value in model_to_dict(obj, fields=fields).items():
        if value is True:
            data[name] = "on"
        elif value is False:
            continue
        else:
            data[name] = "" if value is None else value
    return data


@dataclass
class ScopeMatrix:
    """Every persona × object × action, through the pages and the API.

    - ``objects``: label → instance; put some inside and some outside each persona's subtree.
    - ``site_of``: obj → its site (or site id); default: the site path of the model's ``scope`` rule.
    - ``form_data``: obj → a valid POST for its edit page; ``change_field``/``change_value``
      are written into it (and sent alone as the API's PATCH, plus ``api_data(obj)``), and
      their presence in the database afterwards is what "done" means.
    - ``refused``: (obj, action) → True where a rule of the model refuses an allowed write
      (deleting a site that still has sites under it).
    - ``owner``: obj → the user whose own row it is (or None); that user may
      ``owner_actions`` it without any grant.
    - ``reach``: (persona, obj, action) → True where the persona reaches the object without
      a grant in some other way the model declares (goods of the shops above their home
      site, teams they lead); write it from parent links, not from the nested sets.
    """

    model: type
    objects: Mapping[str, Any]
    personas: Sequence[Persona]
    change_field: str
    change_value: Any
    pages: PageUrls | None = None
    api: ApiUrls | None = None
    form_data: Callable[[Any], dict] | None = None
    api_data: Callable[[Any], dict] | None = None
    site_of: Callable[[Any], Any] | None = None
    refused: Callable[[Any, str], bool] | None = None
    owner: Callable[[Any], Any] | None = None
    owner_actions: frozenset[str] = frozenset({"view"})
    reach: Callable[[Persona, Any, str], bool] | None = None
    rows: list[Row] = field(default_factory=list, init=False)
    mismatches: list[Row] = field(default_factory=list, init=False)
    _bounds: dict = field(default_factory=dict, init=False, repr=False)  # site id → (tree_id, lft, rght)
    _site_of_object: dict = field(default_factory=dict, init=False, repr=False)  # declared object pk → site id
    _all_sites: dict = field(default_factory=dict, init=False, repr=False)  # every row's pk → site id
    _all_rows: dict = field(default_factory=dict, init=False, repr=False)  # every row's pk → row (owner/reach)

    # -- the oracle -------------------------------------------------------------------

    def _site_ids(self, pks: Sequence[Any] | None = None) -> dict[Any, Any]:
        """pk → site id, for the given objects (or every row of the model), in one query."""
        if self.site_of is not None:
            rows = self.model._default_manager.all() if pks is None else self.model._default_manager.filter(pk__in=pks)
            found = {}
            for obj in rows:
                site = self.site_of(obj)
                found[obj.pk] = getattr(site, "pk", site)
            return found
        path = rule_of(self.model).site or "pk"
        queryset = self.model._default_manager.all() if pks is None else self.model._default_manager.filter(pk__in=pks)
        return dict(queryset.order_by().values_list("pk", path))

    def _load_bounds(self, site_ids) -> None:
        wanted = {s for s in site_ids if s is not None} - set(self._bounds)
        if wanted:
            rows = site_model()._default_manager.filter(pk__in=wanted).values_list("pk", "tree_id", "lft", "rght")
            self._bounds.update({pk: (tree, lft, rght) for pk, tree, lft, rght in rows})

    def _inside(self, site_id, ancestor_id) -> bool:
        if site_id is None:
            return False
        tree, lft, rght = self._bounds[site_id]
        a_tree, a_lft, a_rght = self._bounds[ancestor_id]
        return tree == a_tree and a_lft <= lft and rght <= a_rght

    def allows(self, persona: Persona, site_id, action: str) -> bool:
        """Whether the persona's grants allow ``action`` on an object at ``site_id``."""
        user = persona.user
        if user is None or not user.is_active:
            return False
        if user.is_superuser:
            return True
        return any(
            action in ROLE_ACTIONS[str(role)] and self._inside(site_id, site.pk) for site, role in persona.grants
        )

    def permits(self, persona: Persona, obj, action: str, site_id=...) -> bool:
        """Whether the persona may ``action`` ``obj``: by a grant, as its owner, or by the
        declared ``reach``."""
        user = persona.user
        if user is None or not user.is_active:
            return False
        site_id = self._site_of_object[obj.pk] if site_id is ... else site_id
        if self.allows(persona, site_id, action):
            return True
        if self.owner is not None and action in self.owner_actions:
            owner = self.owner(obj)
            if owner is not None and getattr(owner, "pk", owner) == user.pk:
                return True
        return self.reach is not None and bool(self.reach(persona, obj, action))

    def expected(self, persona: Persona, obj, action: str) -> str:
        if persona.user is None:
            return LOGIN
        if not self.permits(persona, obj, "view"):
            return HIDDEN
        if action == "view":
            return SHOWN
        if not self.permits(persona, obj, action):
            return FORBIDDEN
        if self.refused is not None and self.refused(obj, action):
            return REFUSED
        return DONE

    def _expected_form(self, persona: Persona, obj, action: str) -> str:
        """A page that offers an action (a form) is shown to whoever may take the action."""
        expected = self.expected(persona, obj, action)
        return SHOWN if expected in (DONE, REFUSED) else expected

    def _check_declared_grants(self) -> None:
        for persona in self.personas:
            if persona.user is None:
                continue
            declared = {(site.pk, str(role)) for site, role in persona.grants}
            stored = {
                (site_id, _ROLE_BY_CODENAME.get(codename, codename))
                for site_id, codename in grant_model()
                .objects.filter(user=persona.user)
                .values_list("content_object_id", "permission__codename")
            }
            if declared != stored:
                raise AssertionError(
                    f"persona {persona.name}: declared grants {sorted(declared)} differ from the database's "
                    f"{sorted(stored)}; the matrix would compute the wrong expectations."
                )

    # -- requests ---------------------------------------------------------------------

    def _client(self, persona: Persona, api: bool = False):
        client = APIClient() if api else Client()
        if persona.user is not None:
            client.force_login(persona.user)
        return client

    @staticmethod
    def _url(target, obj) -> str:
        return target(obj) if callable(target) else reverse(target, kwargs={"pk": obj.pk})

    def _effect(self, obj, action: str) -> bool:
        rows = self.model._default_manager.filter(pk=obj.pk)
        if action == "delete":
            return not rows.exists()
        if action == "change":
            return rows.filter(**{self.change_field: self.change_value}).exists()
        return False

    def _send(self, send: Callable[[], Any], obj, action: str):
        """Send one request in a transaction that is rolled back; returns (response, effect)."""
        with transaction.atomic():
            response = send()
            effect = self._effect(obj, action)
            transaction.set_rollback(True)
        return response, effect

    def _classify(self, channel: str, method: str, response, effect: bool, anonymous: bool) -> str:
        status = response.status_code
        location = response.get("Location", "") if status in (301, 302, 303) else ""
        to_login = bool(location) and location.startswith(resolve_url(settings.LOGIN_URL))
        if anonymous and ((channel == "page" and to_login) or (channel == "api" and status in (401, 403))):
            label = LOGIN
        elif status == 403:
            label = FORBIDDEN
        elif status == 404:
            label = HIDDEN
        elif method == "GET":
            label = SHOWN if status == 200 else "?"
        elif effect:
            success = {("page", "POST"): (302,), ("api", "PATCH"): (200,), ("api", "DELETE"): (204,)}
            label = DONE if status in success[(channel, method)] and not to_login else "?"
        elif (channel == "api" and status == 400) or (channel == "page" and status in (200, 302) and not to_login):
            label = REFUSED
        else:
            label = "?"
        if effect and label != DONE:
            label += ", but it changed"
        return f"{label} ({status})"

    def _get_page(self, client, url: str, obj, anonymous: bool) -> str:
        return self._classify("page", "GET", *self._send(lambda: client.get(url), obj, "view"), anonymous)

    def _record(self, persona: str, obj: str, check: str, expected: str, got: str) -> None:
        row = Row(persona, obj, check, expected, got)
        self.rows.append(row)
        if got.split(" (")[0] != expected:
            self.mismatches.append(row)

    def _try(self, persona: Persona, label: str, check: str, expected: str, run: Callable[[], str]) -> None:
        try:
            got = run()
        except Exception as exc:  # reported in the table with the rest, not raised alone
            got = f"error: {type(exc).__name__}: {exc}"[:160]
        self._record(persona.name, label, check, expected, got)

    def _checks_for(self, persona: Persona, label: str, obj) -> None:
        anonymous = persona.user is None
        page, api = self._client(persona), self._client(persona, api=True)

        def run(check, client, channel, method, url, action, data=None):
            def go():
                def send():
                    if method == "GET":
                        return client.get(url)
                    if method == "POST":
                        return client.post(url, data or {})
                    if method == "PATCH":
                        return client.patch(url, data or {}, format="json")
                    return client.delete(url)

                response, effect = self._send(send, obj, action)
                return self._classify(channel, method, response, effect, anonymous)

            self._try(persona, label, check, self.expected(persona, obj, action), go)

        if self.pages is not None:
            if self.pages.view is not None:
                run("page view", page, "page", "GET", self._url(self.pages.view, obj), "view")
            if self.pages.change is not None:
                url = self._url(self.pages.change, obj)
                self._try(
                    persona,
                    label,
                    "page edit form",
                    self._expected_form(persona, obj, "change"),
                    partial(self._get_page, page, url, obj, anonymous),
                )
                form = dict(self.form_data(obj)) if self.form_data else {}
                form[self.change_field] = self.change_value
                run("page change", page, "page", "POST", url, "change", form)
            if self.pages.delete is not None:
                run("page delete", page, "page", "POST", self._url(self.pages.delete, obj), "delete")
            for check, (target, action) in self.pages.more.items():
                self._try(
                    persona,
                    label,
                    check,
                    self._expected_form(persona, obj, action),
                    partial(self._get_page, page, self._url(target, obj), obj, anonymous),
                )
        if self.api is not None:
            url = self._url(self.api.detail, obj)
            run("api get", api, "api", "GET", url, "view")
            if self.api.patch:
                payload = dict(self.api_data(obj)) if self.api_data else {}
                payload[self.change_field] = self.change_value
                run("api patch", api, "api", "PATCH", url, "change", payload)
            if self.api.delete:
                run("api delete", api, "api", "DELETE", url, "delete")

    def _name_of(self, pk) -> str:
        for label, obj in self.objects.items():
            if obj.pk == pk:
                return label
        return f"{self.model._meta.model_name} #{pk}"

    def _visible_everywhere(self, persona: Persona) -> set:
        if self._all_rows:
            return {pk for pk, row in self._all_rows.items() if self.permits(persona, row, "view", self._all_sites[pk])}
        return {pk for pk, site_id in self._all_sites.items() if self.allows(persona, site_id, "view")}

    def _check_api_list(self, persona: Persona) -> None:
        client = self._client(persona, api=True)
        url = reverse(self.api.list)
        if persona.user is None:
            response = client.get(url)
            got = (
                f"{LOGIN} ({response.status_code})" if response.status_code in (401, 403) else str(response.status_code)
            )
            self._record(persona.name, "(all)", "api list", LOGIN, got)
            return
        seen: set = set()
        next_url: str | None = f"{url}?page_size=500"
        while next_url:
            response = client.get(next_url)
            if response.status_code != 200:
                self._record(persona.name, "(all)", "api list", "200", str(response.status_code))
                return
            body = response.json()
            results = body["results"] if isinstance(body, dict) else body
            seen.update(row["id"] for row in results)
            next_url = body.get("next") if isinstance(body, dict) else None
        expected = self._visible_everywhere(persona)
        missing, extra = expected - seen, seen - expected
        got = "exactly those" if not (missing or extra) else ""
        if missing:
            got += "missing " + ", ".join(sorted(self._name_of(pk) for pk in missing))
        if extra:
            got += ("; " if missing else "") + "unexpected " + ", ".join(sorted(self._name_of(pk) for pk in extra))
        self._record(persona.name, "(all)", "api list", "exactly those", got)

    def _check_page_list(self, persona: Persona) -> None:
        client = self._client(persona)
        target = self.pages.list
        url = target() if callable(target) else reverse(target)
        response = client.get(url)
        if persona.user is None:
            self._record(
                persona.name, "(all)", "page list", LOGIN, self._classify("page", "GET", response, False, True)
            )
            return
        if response.status_code != 200:
            self._record(persona.name, "(all)", "page list", "200", str(response.status_code))
            return
        html = response.content.decode()
        marker = self.pages.list_marker or (lambda obj: self._url(self.pages.view, obj))
        for label, obj in self.objects.items():
            listed = marker(obj) in html
            expected = "listed" if self.permits(persona, obj, "view") else "not listed"
            self._record(persona.name, label, "page list", expected, "listed" if listed else "not listed")

    # -- running ----------------------------------------------------------------------

    def check(self) -> None:
        """Run every check; raise one AssertionError listing every mismatch."""
        self.rows, self.mismatches, self._bounds = [], [], {}
        for obj in self.objects.values():
            obj.refresh_from_db()
        self._site_of_object = self._site_ids([obj.pk for obj in self.objects.values()])
        self._all_sites = self._site_ids() if self.api is not None and self.api.list else {}
        wider = self.owner is not None or self.reach is not None
        self._all_rows = {row.pk: row for row in self.model._default_manager.all()} if wider and self._all_sites else {}
        grant_sites = [site.pk for persona in self.personas for site, _role in persona.grants]
        self._load_bounds([*self._site_of_object.values(), *self._all_sites.values(), *grant_sites])
        self._check_declared_grants()
        for persona in self.personas:
            for label, obj in self.objects.items():
                self._checks_for(persona, label, obj)
            if self.api is not None and self.api.list:
                self._check_api_list(persona)
            if self.pages is not None and self.pages.list:
                self._check_page_list(persona)
        if self.mismatches:
            raise AssertionError(
                f"{len(self.mismatches)} of {len(self.rows)} scope checks failed:\n" + format_table(self.mismatches)
            )


def format_table(rows: Sequence[Row]) -> str:
    """Rows as an aligned text table: persona, object, check, expected, got."""
    cells = [Row("persona", "object", "check", "expected", "got"), *rows]
    columns = ("persona", "obj", "check", "expected")
    widths = {c: max(len(getattr(r, c)) for r in cells) for c in columns}
    lines = ["  ".join([*(getattr(r, c).ljust(widths[c]) for c in columns), r.got]) for r in cells]
    lines.insert(1, "-" * max(len(line) for line in lines))
    return "\n".join(lines)
