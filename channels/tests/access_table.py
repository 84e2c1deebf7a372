from tests.access import ALL_STAFF, public_page, staff

# The world's ``channel`` belongs to ``dept``: its department admin and the informatör manage the
# connection; everyone who can see the channel sees its health. The outsider cannot see it.
SEES_CHANNEL = ("informator", "dept_admin", "representative", "substitute", "records_officer")


def _alert_pk(fx):
    from channels.models import Item, OutsideRemovalAlert

    channel = fx("channel")
    item = Item.objects.create(
        channel=channel, platform_id="access-1", kind="comment", created_at="2026-01-01T10:00:00Z", visibility="hidden"
    )
    return OutsideRemovalAlert.objects.create(
        item=item, channel=channel, previous_visibility="visible", new_visibility="hidden"
    ).pk


def _action_pk(fx):
    from channels.models import Item, OutboxAction

    channel = fx("channel")
    item = Item.objects.create(channel=channel, platform_id="access-2", kind="comment", created_at="2026-01-01T10:00:00Z")
    return OutboxAction.objects.create(
        idempotency_key="access-table", channel=channel, item=item, kind="reply", text="Hej!", state="failed"
    ).pk


ACCESS = {
    # Meta calls it; without hub parameters a GET only says what it is. Deliveries need a signature.
    "channels-meta-webhook": public_page(),
    "channels-health": staff(*ALL_STAFF),
    "channels-channel-health": staff(*SEES_CHANNEL, kwargs=lambda fx: {"pk": fx("channel").pk}),
    "channels-channel-credentials": staff(
        "informator", "dept_admin", kwargs=lambda fx: {"pk": fx("channel").pk}, method="post",
        data=lambda fx: {"access_token": "ny-token-123"},
    ),
    "channels-channel-settings": staff(
        "informator", "dept_admin", kwargs=lambda fx: {"pk": fx("channel").pk}, method="post",
        data=lambda fx: {"api_base_url": "", "poll_interval_minutes": "5", "polling_enabled": "on"},
    ),
    "channels-alert-acknowledge": staff("informator", kwargs=lambda fx: {"pk": _alert_pk(fx)}, method="post"),
    "channels-outbox-retry": staff(
        "informator", "dept_admin", kwargs=lambda fx: {"pk": _action_pk(fx)}, method="post"
    ),
}
