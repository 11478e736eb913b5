"""Pages of volunteers and teams (a package: people, public, teams, imports), each a
declaration on ``civic.views.ScopedObjectView`` / ``ServiceFormView``."""

from .imports import ImportStatusView, ImportTemplateView, RosterImportView  # noqa: F401
from .people import (  # noqa: F401
    ApprovalQueueView,
    VolunteerAnonymiseView,
    VolunteerClaimView,
    VolunteerCreateView,
    VolunteerDecideView,
    VolunteerDetailView,
    VolunteerEditView,
    VolunteerExportView,
    VolunteerListView,
    VolunteerPasswordView,
    VolunteerStatusView,
    VolunteerView,
)
from .public import (  # noqa: F401
    ClaimView,
    MyPasswordView,
    MyProfileView,
    MyTeamJoinView,
    MyTeamLeaveView,
    MyWithdrawalView,
    RegisterView,
    places,
    register_code,
)
from .teams import (  # noqa: F401
    MembershipDecideView,
    TeamCreateView,
    TeamDetailView,
    TeamEditView,
    TeamLeaderView,
    TeamListView,
)
