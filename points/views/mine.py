"""My points: a volunteer's figures, rank in their township, and ledger, on a phone."""

from __future__ import annotations

from django.core.cache import cache
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe
from django.utils.translation import get_language

from civic.ids import query_int
from civic.views import ScopedObjectView

from .. import selectors
from .common import MAX_PAGE, HistoryPage, site_names

HISTORY_CACHE_SECONDS = 600


class MineView(ScopedObjectView):
    """A volunteer's points on a phone: figures, rank in the township, and the ledger.

    The page a volunteer opens most: account, rank site and rank in one query
    (``selectors.mine_for``), and a page of entries (no COUNT) unless that page is cached —
    besides the session and the user."""

    template_name = "points/mine.html"

    def get(self, request):
        page = selectors.mine_for(request.user)
        if page is None:
            return self.render(volunteer=None)
        return self.render(
            volunteer=page.volunteer_id,
            me=page.me,
            account=page.account,
            history=history_html(request, page.volunteer_id, page.account),
        )


def history_html(request, volunteer_id: int, account) -> str:
    """A page of the volunteer's ledger as HTML, cached until the account next changes.

    Every ledger write (a reversal included) saves the account, so ``updated_at`` in the
    key makes a cached page exact; the expiry bounds how long a renamed site shows its old
    name."""
    number = query_int(request, "page", default=1, lo=1, hi=MAX_PAGE)
    stamp = account.updated_at.timestamp() if account is not None else 0
    key = f"points:history:{volunteer_id}:{stamp}:{number}:{get_language()}"
    html = cache.get(key)
    if html is None:
        page = HistoryPage(request, selectors.marked_history(volunteer_id))
        site_names(page.object_list)
        html = render_to_string(
            "points/_entries.html",
            {"page": page, "entries": page.object_list, "can_manage": False, "own": True},
            request=request,
        )
        cache.set(key, str(html), HISTORY_CACHE_SECONDS)
    return mark_safe(html)
