"""Decisions end to end against the platform simulator over real HTTP: the outbox runs after commit
(its task function is called directly here, as the worker would), the platform shows the result, and
the entry completes only when the platform has confirmed."""

from __future__ import annotations

import pytest
from django.db.models import F
from django.urls import reverse

from archive.models import ChainHead
from channels.models import ActionState, OutboxAction
from channels.services import outbox_execute
from channels.tests.simhelpers import faults, state
from moderation import services
from moderation.models import AuditEvent, QueueState
from moderation.tests.workspace_helpers import arrive_from_platform, on_platform, run_outbox

pytestmark = pytest.mark.django_db

INSULT = "Du är en jävla idiot, Rut."


def test_unpublish_hides_the_comment_on_the_platform_after_commit(client, sim, channel, representative,
                                                                  django_capture_on_commit_callbacks):
    entry = arrive_from_platform(sim, channel, INSULT)
    client.force_login(representative)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client.post(reverse("moderation-remove", kwargs={"pk": entry.item_id}), {
            "kind": "hide", "codes": ["fortal"], "motivation": "Personangrepp mot en anställd.", "criticism": "no"})
    assert response.status_code == 302 and len(callbacks) == 1
    # Nothing has reached the platform before the transaction committed and the worker ran.
    assert on_platform(sim, channel, entry.item.platform_id)["hidden"] is False
    run_outbox(entry)
    assert on_platform(sim, channel, entry.item.platform_id)["hidden"] is True
    assert entry.state == QueueState.UNPUBLISHED and entry.decided_by == representative and not entry.pending_state
    assert entry.audit_events.filter(action=AuditEvent.Action.PLATFORM_CONFIRMED).count() == 1
    assert services.entries_reconcile_actions() == 0  # idempotent


def test_restore_shows_the_comment_again(sim, channel, representative):
    entry = arrive_from_platform(sim, channel, INSULT)
    services.entry_remove(user=representative, entry=entry, kind="hide", codes=["fortal"], motivation="x",
                          criticism=False)
    run_outbox(entry)
    services.entry_restore(user=representative, entry=entry, motivation="Felbedömning: det var ett citat.")
    run_outbox(entry)
    assert on_platform(sim, channel, entry.item.platform_id)["hidden"] is False
    assert entry.state == QueueState.CLAIMED and entry.claimed_by == representative and not entry.pending_state
    assert entry.audit_events.filter(action=AuditEvent.Action.RESTORED).exists()


def test_an_answer_is_posted_once_and_the_item_is_answered_when_the_platform_confirms(sim, channel, representative):
    entry = arrive_from_platform(sim, channel, "När öppnar biblioteket på lördag?")
    text = "Hej! Vi öppnar kl. 10 på lördagar. /Rut, Ludvika bibliotek"
    services.entry_answer(user=representative, entry=entry, text=text)
    entry.refresh_from_db()
    assert entry.state == QueueState.CLAIMED and entry.pending_state == QueueState.ANSWERED
    run_outbox(entry)
    outbox_execute(action_id=entry.pending_action_id)  # a redelivered task does nothing
    assert entry.state == QueueState.ANSWERED
    own = [i for i in state(sim, channel)["items"] if i["own"] and i["text"] == text]
    assert len(own) == 1


def test_a_failing_platform_call_is_retried_visibly_and_can_be_retried_by_hand(client, sim, channel, representative,
                                                                               settings):
    settings.CHANNELS_OUTBOX_MAX_ATTEMPTS = 1
    entry = arrive_from_platform(sim, channel, INSULT)
    services.entry_remove(user=representative, entry=entry, kind="hide", codes=["fortal"], motivation="x",
                          criticism=False)
    faults(sim, next=[{"fault": "5xx", "status": 503}])
    run_outbox(entry)
    assert entry.pending_action.state == ActionState.FAILED
    assert entry.action_failed and entry.state == QueueState.CLAIMED
    assert on_platform(sim, channel, entry.item.platform_id)["hidden"] is False
    client.force_login(representative)
    page = client.get(reverse("moderation-item", kwargs={"pk": entry.item_id})).content.decode()
    assert "Plattformen svarade med fel." in page and "Försök igen" in page
    assert client.post(reverse("moderation-retry", kwargs={"pk": entry.item_id})).status_code == 302
    entry.refresh_from_db()
    assert not entry.action_failed and entry.pending_action.state == ActionState.PENDING
    run_outbox(entry)
    assert entry.state == QueueState.UNPUBLISHED
    assert on_platform(sim, channel, entry.item.platform_id)["hidden"] is True
    actions = list(entry.audit_events.values_list("action", flat=True))
    assert AuditEvent.Action.PLATFORM_FAILED in actions and AuditEvent.Action.RETRIED in actions


def test_a_transient_failure_leaves_the_action_pending_with_its_error(sim, channel, representative):
    entry = arrive_from_platform(sim, channel, INSULT)
    services.entry_remove(user=representative, entry=entry, kind="delete", codes=["fortal"], motivation="x",
                          criticism=False)
    faults(sim, next=[{"fault": "5xx", "status": 502}])
    result = run_outbox(entry)
    assert result.retry_in and entry.pending_action.state == ActionState.PENDING
    assert "TransientError" in entry.pending_action.last_error and not entry.action_failed
    OutboxAction.objects.filter(pk=entry.pending_action_id).update(next_attempt_at=None)
    run_outbox(entry)
    assert entry.state == QueueState.DELETED
    assert on_platform(sim, channel, entry.item.platform_id)["deleted"] is True


def test_when_the_archive_write_fails_the_platform_is_never_called(sim, channel, representative):
    entry = arrive_from_platform(sim, channel, INSULT)
    ChainHead.objects.update(sequence=F("sequence") - 1)
    with pytest.raises(Exception):  # noqa: B017 (the database's integrity error)
        services.entry_remove(user=representative, entry=entry, kind="hide", codes=["fortal"], motivation="x",
                              criticism=False)
    assert not OutboxAction.objects.exists()
    assert on_platform(sim, channel, entry.item.platform_id)["hidden"] is False
    entry.refresh_from_db()
    assert entry.state == QueueState.NEW


def test_the_decision_completes_as_soon_as_the_outbox_action_is_done(sim, channel, representative):
    """The outbox tells moderation when an action has ended: no wait for the periodic reconcile."""
    entry = arrive_from_platform(sim, channel, INSULT)
    services.entry_remove(user=representative, entry=entry, kind="hide", codes=["fortal"], motivation="x",
                          criticism=False)
    entry.refresh_from_db()
    outbox_execute(action_id=entry.pending_action_id)  # only the worker's call, no reconcile
    entry.refresh_from_db()
    assert entry.state == QueueState.UNPUBLISHED and not entry.pending_state
    assert services.entries_reconcile_actions() == 0


def test_a_failing_receiver_does_not_fail_the_done_platform_action(sim, channel, representative, caplog):
    from channels.models import OutboxAction
    from channels.signals import outbox_action_finished

    def broken(sender, action_id, **kwargs):
        raise RuntimeError("moderation is down")

    outbox_action_finished.connect(broken, dispatch_uid="test-broken")
    try:
        entry = arrive_from_platform(sim, channel, INSULT)
        services.entry_remove(user=representative, entry=entry, kind="hide", codes=["fortal"], motivation="x",
                              criticism=False)
        entry.refresh_from_db()
        result = outbox_execute(action_id=entry.pending_action_id)
    finally:
        outbox_action_finished.disconnect(dispatch_uid="test-broken")
    assert result.action.state == ActionState.SUCCEEDED
    assert OutboxAction.objects.get(pk=result.action.pk).state == ActionState.SUCCEEDED
    assert "broken failed: RuntimeError" in caplog.text
    assert on_platform(sim, channel, entry.item.platform_id)["hidden"] is True
