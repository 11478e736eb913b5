"""实践排行: volunteers (by hours or points), teams and the sites below, for a subtree and a
period. Who may read which site's rankings is one rule (``points.models.RANKINGS_SCOPE``),
applied by ``selectors.rankings_site_for`` here and in the API."""

from __future__ import annotations

from django.utils import timezone

from civic.ids import parse_id
from civic.views import ScopedObjectView, not_found

from .. import selectors
from ..forms import RankingForm

TABS = ("volunteers", "teams", "sites")


class RankingsView(ScopedObjectView):
    template_name = "points/rankings.html"

    def get(self, request):
        raw = request.GET.get("site", "")
        pk = parse_id(raw) if raw else None
        if raw and pk is None:
            raise not_found()
        site = selectors.rankings_site_for(request.user, pk, selectors.volunteer_of(request.user))
        if raw and site is None:
            raise not_found()
        form = RankingForm(request.GET)
        form.is_valid()
        by = form.cleaned_data.get("by") or "hours"
        period = form.cleaned_data.get("period") or "month"
        tab = request.GET.get("tab") if request.GET.get("tab") in TABS else "volunteers"
        context = {"site": site, "form": form, "by": by, "period": period, "tab": tab, "tabs": TABS, "rows": []}
        if site is not None:
            rows = selectors.RANKINGS[tab](site, by=by, period=period, today=timezone.localdate())
            choices = selectors.ranking_choices(request.user, site)
            chart = [{"name": r.name, "value": float(r.hours if by == "hours" else r.points)} for r in rows[:10]]
            context.update(rows=rows, choices=choices, readable={s.pk for s in choices}, chart=chart)
        return self.render(**context)
