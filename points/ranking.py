"""Where a volunteer is ranked: the township their home site lies in (the home site itself
if it lies above any township). Stored on the account (``rank_site``) so that "my rank in
my township" is one indexed count; kept in step when a volunteer's home site changes or
sites move, and checked by ``reconcile``."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import connection

from centers.models import Level, Site
from civic import nested

# The rank site of each account's volunteer, as a correlated subquery on points_account.
_RANK_SITE_OF_ACCOUNT = f"""
    COALESCE(
        (SELECT t.id FROM volunteers_volunteer v
           JOIN centers_site h ON h.id = v.home_site_id
           JOIN centers_site t ON {nested.sql_contains("t", "h")} AND t.level = '{Level.TOWNSHIP.value}'
          WHERE v.id = points_account.volunteer_id
          ORDER BY {nested.sql_tree_order("t", reverse=True)} LIMIT 1),
        (SELECT v.home_site_id FROM volunteers_volunteer v WHERE v.id = points_account.volunteer_id)
    )"""


def rank_site_for(home: Site) -> int:
    """The id of the site a volunteer at ``home`` is ranked in (1 query, none for a township)."""
    if home.level == Level.TOWNSHIP:
        return home.pk
    township = (
        Site.objects.filter(nested.over(home), level=Level.TOWNSHIP)
        .order_by(*nested.tree_order(reverse=True))
        .values_list("pk", flat=True)
        .first()
    )
    return township or home.pk


def refresh_rank_sites(*, volunteer_ids: Iterable[int] | None = None, tree_ids: Iterable[int] | None = None) -> int:
    """Recompute ``rank_site`` for the accounts of these volunteers, or of the volunteers whose
    home site lies in these trees (one UPDATE). Returns the number of accounts written."""
    if volunteer_ids is not None:
        ids = list(volunteer_ids)
        if not ids:
            return 0
        where, params = f"volunteer_id IN ({', '.join(['%s'] * len(ids))})", ids
    elif tree_ids is not None:
        trees = list(tree_ids)
        if not trees:
            return 0
        where = (
            "volunteer_id IN (SELECT v.id FROM volunteers_volunteer v JOIN centers_site h ON h.id = v.home_site_id "
            f"WHERE h.tree_id IN ({', '.join(['%s'] * len(trees))}))"
        )
        params = trees
    else:
        where, params = "TRUE", []
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE points_account SET rank_site_id = {_RANK_SITE_OF_ACCOUNT} WHERE {where}", params)
        return cursor.rowcount


def misranked_accounts(limit: int = 20) -> list[tuple[int, int | None, int | None]]:
    """Accounts whose stored ``rank_site`` is not the one their volunteer's home site gives."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT id, rank_site_id, {_RANK_SITE_OF_ACCOUNT} AS expected FROM points_account "
            f"WHERE rank_site_id IS NULL OR rank_site_id <> {_RANK_SITE_OF_ACCOUNT} LIMIT %s",
            [limit],
        )
        return cursor.fetchall()
