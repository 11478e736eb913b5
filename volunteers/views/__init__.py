"""Pages of volunteers and teams (a package: people, public, teams, imports)."""

from .imports import (  # noqa: F401
    import_status,
    import_template,
    roster_import,
)
from .people import (  # noqa: F401
    VolunteerAnonymiseView,
    VolunteerClaimView,
    VolunteerDecideView,
    VolunteerDetailView,
    VolunteerEditView,
    VolunteerPasswordView,
    VolunteerStatusView,
    VolunteerView,
    approval_queue,
    volunteer_create,
    volunteer_export,
    volunteer_list,
)
from .public import (  # noqa: F401
    claim,
    joinable_teams,
    me,
    me_join,
    me_leave,
    me_withdraw,
    places,
    register,
    register_code,
)
from .teams import (  # noqa: F401
    membership_decide,
    team_create,
    team_detail,
    team_edit,
    team_leader,
    team_list,
)
