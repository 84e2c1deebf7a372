from tests.access import ALL_STAFF, staff


def _addition(fx):
    """A proposal on the world's channel (created inside the test's database)."""
    from moderation.models import ProhibitedCategory, RuleAddition

    return RuleAddition.objects.create(
        channel=fx("channel"), category=ProhibitedCategory.objects.get(code="svordomar"), pattern="bokbov*",
        motivation="Återkommande glåpord i kommentarerna.", proposed_by=fx("representative"),
    )


ACCESS = {
    "moderation-rules": staff(*ALL_STAFF),
    "moderation-addition-propose": staff("informator", "dept_admin", "representative", "substitute", "outsider"),
    # The addition's channel belongs to dept: the outsider may not see it.
    "moderation-addition-detail": staff(
        "informator", "dept_admin", "representative", "substitute", "records_officer",
        kwargs=lambda fx: {"pk": _addition(fx).pk},
    ),
    "moderation-addition-approve": staff(
        "informator", method="post", kwargs=lambda fx: {"pk": _addition(fx).pk}, data=lambda fx: {"note": ""},
    ),
    "moderation-addition-reject": staff(
        "informator", method="post", kwargs=lambda fx: {"pk": _addition(fx).pk}, data=lambda fx: {"note": "Nej."},
    ),
    "moderation-addition-withdraw": staff(
        "informator", method="post", kwargs=lambda fx: {"pk": _addition(fx).pk}, data=lambda fx: {"note": "Nej."},
    ),
    "moderation-bench": staff("informator"),
}
