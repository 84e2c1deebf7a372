import datetime as dt

from tests.access import ALL_STAFF, public_page, staff

EDITORS = ("informator", "dept_admin")


def _decision(fx):
    from registry.models import DepartmentDecision

    decision, _ = DepartmentDecision.objects.get_or_create(
        department=fx("dept"), decided_on=dt.date(2024, 1, 15),
        defaults={"uses_social_media": True, "services": ["facebook"], "decided_by": "Förvaltningschefen"},
    )
    return decision


def _party(fx):
    from tests.factories import PartyFactory

    return PartyFactory(name="Testpartiet")


def _representative_appointment(fx):
    return fx("channel").appointments.get(role="representative")


ACCESS = {
    "public-channels": public_page(),
    "public-channels-json": public_page(),
    "public-channels-embed": public_page(),
    "comment-policy": public_page(),
    "comment-policy-version": public_page(kwargs=lambda fx: {"version": "2026-11-28"}),
    "registry-policy-list": staff("informator"),
    "accessibility": public_page(),
    "registry-channel-list": staff(*ALL_STAFF),
    # The channel belongs to dept; the substitute sees it through the appointment, the outsider does not.
    "registry-channel-detail": staff(
        "informator", "dept_admin", "representative", "substitute", "records_officer",
        kwargs=lambda fx: {"pk": fx("channel").pk},
    ),
    "registry-party-list": staff("informator"),
    "registry-department-list": staff("informator", "dept_admin", "outsider"),
    # Staff section (registry/views/staff.py). The outsider is a department admin of other_dept:
    # it may anmäla channels for its own department but reaches nothing of dept's.
    "registry-channel-create": staff("informator", "dept_admin", "outsider"),
    # Importing a channel list from a file is the informatör's alone.
    "registry-channel-import": staff("informator"),
    "registry-channel-edit": staff(*EDITORS, kwargs=lambda fx: {"pk": fx("channel").pk}),
    "registry-channel-approve": staff("informator", method="post", kwargs=lambda fx: {"pk": fx("channel").pk}),
    "registry-channel-reject": staff(
        "informator", method="post", kwargs=lambda fx: {"pk": fx("channel").pk}, data=lambda fx: {"motivation": "x"}
    ),
    "registry-channel-request-closure": staff(
        *EDITORS, method="post", kwargs=lambda fx: {"pk": fx("channel").pk}, data=lambda fx: {"reason": "Läggs ned"}
    ),
    "registry-channel-close": staff(
        "informator", method="post", kwargs=lambda fx: {"pk": fx("channel").pk}, data=lambda fx: {"reason": "Slut"}
    ),
    "registry-appointment-create": staff(*EDITORS, kwargs=lambda fx: {"pk": fx("channel").pk}),
    "registry-appointment-end": staff(*EDITORS, kwargs=lambda fx: {"pk": _representative_appointment(fx).pk}),
    "registry-department-create": staff("informator"),
    "registry-department-detail": staff(*EDITORS, kwargs=lambda fx: {"pk": fx("dept").pk}),
    "registry-department-edit": staff("informator", kwargs=lambda fx: {"pk": fx("dept").pk}),
    "registry-decision-create": staff(*EDITORS, kwargs=lambda fx: {"pk": fx("dept").pk}),
    "registry-decision-edit": staff(*EDITORS, kwargs=lambda fx: {"pk": _decision(fx).pk}),
    "registry-board-list": staff("informator"),
    "registry-board-create": staff("informator"),
    "registry-board-edit": staff("informator", kwargs=lambda fx: {"pk": fx("board").pk}),
    "registry-party-create": staff("informator"),
    "registry-party-edit": staff("informator", kwargs=lambda fx: {"pk": _party(fx).pk}),
    "registry-user-list": staff("informator"),
    "registry-user-create": staff("informator"),
    "registry-user-detail": staff("informator", kwargs=lambda fx: {"pk": fx("representative").pk}),
    "registry-user-set-active": staff(
        "informator", method="post", kwargs=lambda fx: {"pk": fx("representative").pk}, data=lambda fx: {"active": "0"}
    ),
    "registry-user-send-link": staff("informator", method="post", kwargs=lambda fx: {"pk": fx("representative").pk}),
    "registry-user-password": staff("informator", kwargs=lambda fx: {"pk": fx("representative").pk}),
    "registry-set-password": public_page(kwargs=lambda fx: {"uidb64": "MQ", "token": "ogiltig-token"}),
}
