"""The one transition table of an activity: which moves exist, from which states, to which
state, who may make them, what they need, and when they are possible. The services make
the moves (``activities.services.activity_move``); pages and the API ask
``activities.selectors.allowed_moves`` which buttons to show."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .models import State
from .rules import SIGN_IN_OPENS

# Who may make a move: a manager of the activity's site, or its approver (a manager of the
# site above it, or of the site itself where the county allows).
SITE, APPROVER = "site", "approver"


@dataclass(frozen=True)
class Move:
    name: str
    label: Promise
    sources: frozenset[str]
    target: str
    by: str
    needs_reason: bool = False
    needs_summary: bool = False


_BEFORE_FINISHED = frozenset({State.DRAFT, State.SUBMITTED, State.APPROVED, State.PUBLISHED, State.UNDER_WAY})

MOVES: dict[str, Move] = {
    move.name: move
    for move in (
        Move("submit", gettext_lazy("Submit for approval"), frozenset({State.DRAFT}), State.SUBMITTED, SITE),
        Move("approve", gettext_lazy("Approve"), frozenset({State.SUBMITTED}), State.APPROVED, APPROVER),
        Move(
            "return",
            gettext_lazy("Send back for changes"),
            frozenset({State.SUBMITTED}),
            State.DRAFT,
            APPROVER,
            needs_reason=True,
        ),
        Move("publish", gettext_lazy("Publish for sign-up"), frozenset({State.APPROVED}), State.PUBLISHED, SITE),
        Move("start", gettext_lazy("Start"), frozenset({State.PUBLISHED}), State.UNDER_WAY, SITE),
        Move(
            "finish",
            gettext_lazy("Finish with a summary"),
            frozenset({State.PUBLISHED, State.UNDER_WAY}),
            State.FINISHED,
            SITE,
            needs_summary=True,
        ),
        Move("archive", gettext_lazy("Archive"), frozenset({State.FINISHED}), State.ARCHIVED, SITE),
        Move("cancel", gettext_lazy("Cancel"), _BEFORE_FINISHED, State.CANCELLED, SITE, needs_reason=True),
    )
}


def moves_from(state: str) -> list[Move]:
    """The moves the table offers from ``state``, in the table's order."""
    return [move for move in MOVES.values() if state in move.sources]


def timing_problem(move: Move, activity, now: datetime) -> str | None:
    """Why ``move`` cannot be made yet (None if it can)."""
    if move.name == "start" and now < activity.starts_at - SIGN_IN_OPENS:
        return _("An activity can start at the earliest an hour before its time.")
    if move.name == "finish" and now < activity.starts_at:
        return _("The activity has not begun yet.")
    return None
