from tests.access import ALL_STAFF, public_page, staff

ACCESS = {
    "public-channels": public_page(),
    "public-channels-json": public_page(),
    "public-channels-embed": public_page(),
    "comment-policy": public_page(),
    "accessibility": public_page(),
    "registry-channel-list": staff(*ALL_STAFF),
    # The channel belongs to dept; the substitute sees it through the appointment, the outsider does not.
    "registry-channel-detail": staff(
        "informator", "dept_admin", "representative", "substitute", "records_officer",
        kwargs=lambda fx: {"pk": fx("channel").pk},
    ),
    "registry-party-list": staff("informator"),
    "registry-department-list": staff("informator", "dept_admin", "outsider"),
}
