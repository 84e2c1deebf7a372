from tests.access import ALL_STAFF, public_page, staff


def _addition(fx):
    """A proposal on the world's channel (created inside the test's database)."""
    from moderation.models import ProhibitedCategory, RuleAddition

    return RuleAddition.objects.create(
        channel=fx("channel"), category=ProhibitedCategory.objects.get(code="svordomar"), pattern="bokbov*",
        motivation="Återkommande glåpord i kommentarerna.", proposed_by=fx("representative"),
    )


def _item(fx):
    """An item on the world's channel, in the queue (created inside the test's database)."""
    from moderation.tests.workspace_helpers import arrive

    return arrive(fx("channel"), "access-1", "Hur gör jag för att låna e-böcker?").item_id


def _dm(fx):
    from channels.connectors.base import ItemKind
    from moderation.tests.workspace_helpers import arrive

    return arrive(fx("channel"), "dm-access", "Hej, jag vill klaga på bemötandet.", kind=ItemKind.DM).item_id


def _block(fx):
    import datetime as dt

    from django.utils import timezone

    from moderation.services import block_create
    from moderation.tests.workspace_helpers import arrive

    entry = arrive(fx("channel"), "c-block", "Idiot.")
    return block_create(user=fx("representative"), entry=entry, codes=["fortal"], motivation="Angrepp.",
                        review_on=timezone.localdate() + dt.timedelta(days=30), manual_note="I appen.").pk


def _approval(fx):
    from moderation.models import RemovalApproval
    from moderation.tests.workspace_helpers import arrive

    entry = arrive(fx("channel"), "access-2", "Kommunen sköter snöröjningen uselt.")
    return RemovalApproval.objects.create(entry=entry, kind="hide", codes=["fortal"], motivation="x",
                                          requested_by=fx("representative")).pk


def _absence(fx):
    import datetime as dt

    from django.utils import timezone

    from moderation.models import Absence

    today = timezone.localdate()
    return Absence.objects.create(user=fx("representative"), starts_on=today + dt.timedelta(days=10),
                                  ends_on=today + dt.timedelta(days=12)).pk


# Who may act on the world's channel items: the informatör and the representative (the substitute only
# while the representative is absent, which is not the case in the shared world).
ACTORS = ("informator", "representative")
MODERATORS = ("informator", "representative", "substitute", "outsider")


def _post(name, data=None, kwargs=_item):
    return staff(*ACTORS, method="post", kwargs=lambda fx: {"pk": kwargs(fx)}, data=data)


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
    "moderation-queue": staff(*ALL_STAFF),
    "moderation-bulk": staff(*ALL_STAFF, method="post", data=lambda fx: {"action": "claim", "items": [_item(fx)]}),
    "moderation-absence": staff(*MODERATORS),
    "moderation-absence-end": staff("representative", method="post", kwargs=lambda fx: {"pk": _absence(fx)}),
    "moderation-approval": staff(*ACTORS, method="post", kwargs=lambda fx: {"pk": _approval(fx)},
                                 data=lambda fx: {"decision": "refuse", "note": "Ingen grund."}),
    "moderation-item": staff(*ACTORS, kwargs=lambda fx: {"pk": _item(fx)}),
    "moderation-item-status": staff(*ACTORS, kwargs=lambda fx: {"pk": _item(fx)}),
    "moderation-eml": staff(*ACTORS, kwargs=lambda fx: {"pk": _dm(fx)}),
    "moderation-claim": _post("claim"),
    "moderation-release": _post("release"),
    "moderation-answer": _post("answer", data=lambda fx: {"text": ""}),
    "moderation-forward": _post("forward", data=lambda fx: {"note": ""}),
    "moderation-remove": _post("remove", data=lambda fx: {"kind": "hide"}),
    "moderation-manual": _post("manual", data=lambda fx: {"kind": "hide"}),
    "moderation-restore": _post("restore", data=lambda fx: {"motivation": ""}),
    "moderation-no-action": _post("no-action", data=lambda fx: {"motivation": "Tack-kommentar."}),
    "moderation-needs-answer": _post("needs-answer", data=lambda fx: {"needs_answer": "1"}),
    "moderation-register": _post("register", data=lambda fx: {"case_number": ""}),
    "moderation-handoff": _post("handoff", kwargs=_dm, data=lambda fx: {"method": ""}),
    "moderation-handoff-waive": _post("handoff-waive", kwargs=_dm, data=lambda fx: {"reason": ""}),
    "moderation-mark-secret": _post("mark-secret", data=lambda fx: {"osl_ground": ""}),
    "moderation-block": _post("block", data=lambda fx: {"codes": []}),
    "moderation-escalate-csam": _post("escalate-csam", data=lambda fx: {"police_report_reference": ""}),
    # Every moderator sees the block list of the channels they work with (empty for the others).
    "moderation-blocks": staff("informator", "representative", "substitute", "outsider"),
    "moderation-blocks-csv": staff("informator", "representative", "substitute", "outsider"),
    "moderation-block-review": staff(*ACTORS, method="post", kwargs=lambda fx: {"pk": _block(fx)},
                                     data=lambda fx: {"review_on": "", "motivation": ""}),
    "moderation-block-lift": staff(*ACTORS, method="post", kwargs=lambda fx: {"pk": _block(fx)},
                                   data=lambda fx: {"reason": ""}),
    "moderation-note": _post("note", data=lambda fx: {"note": ""}),
    "moderation-retry": _post("retry"),
    "moderation-cancel-action": _post("cancel-action"),
    "moderation-dashboard": staff("informator"),
    "moderation-audit": staff("informator"),
    "moderation-audit-csv": staff("informator"),
    "moderation-settings": staff("informator"),
    "moderation-settings-set": staff("informator", method="post", kwargs=lambda fx: {"pk": fx("dept").pk},
                                     data=lambda fx: {"objectivity": "0"}),
    "moderation-transparency": public_page(),
}
