"""The workspace's decisions without a platform call: the queue, claims, refusals, safeguards,
forwarding, substitutes and the audit trail. Platform round trips are in test_workspace_platform.py."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import F
from django.urls import reverse
from django.utils import timezone

from archive.models import ArchiveRecord, ChainHead, RecordType
from channels.connectors.base import ItemKind
from channels.models import OutboxAction
from moderation import selectors, services
from moderation.models import Absence, AuditEvent, DepartmentSettings, QueueEntry, QueueState, RemovalApproval
from tests.factories import ChannelFactory

from .workspace_helpers import arrive

pytestmark = pytest.mark.django_db

INSULT = "Du är en jävla idiot, Rut."
CRITICISM = "Kommunen sköter snöröjningen uselt och politikerna bryr sig inte."


def _removals() -> int:
    return ArchiveRecord.objects.filter(record_type=RecordType.REMOVAL_SNAPSHOT).count()


def test_a_question_enters_the_queue_with_a_due_time_and_the_channels_own_post_does_not(channel):
    entry = arrive(channel, "c-1", "När öppnar biblioteket på lördag?")
    assert entry.state == QueueState.NEW
    assert entry.needs_answer and entry.due_at is not None and "fraga" in entry.flag_code_list
    assert not QueueEntry.objects.filter(item__platform_id="post-1").exists()
    assert entry.audit_events.get().action == AuditEvent.Action.QUEUED


def test_a_thank_you_needs_no_answer_and_has_no_due_time(channel):
    entry = arrive(channel, "c-2", "Tack för en fin kväll!")
    assert not entry.needs_answer and entry.due_at is None


def test_two_moderators_claiming_the_same_item_one_wins(channel, representative, informator):
    entry = arrive(channel)
    first = QueueEntry.objects.get(pk=entry.pk)
    second = QueueEntry.objects.get(pk=entry.pk)
    services.entry_claim(user=representative, entry=first)
    with pytest.raises(ValidationError):
        services.entry_claim(user=informator, entry=second)
    entry.refresh_from_db()
    assert entry.state == QueueState.CLAIMED and entry.claimed_by == representative
    assert entry.audit_events.filter(action=AuditEvent.Action.CLAIMED).count() == 1


def test_an_item_claimed_by_someone_else_cannot_be_decided(channel, representative, informator):
    entry = arrive(channel)
    services.entry_claim(user=representative, entry=entry)
    with pytest.raises(ValidationError):
        services.entry_no_action(user=informator, entry=QueueEntry.objects.get(pk=entry.pk))
    assert QueueEntry.objects.get(pk=entry.pk).state == QueueState.CLAIMED


def test_unpublish_without_a_code_is_refused_and_changes_nothing(client, channel, representative):
    entry = arrive(channel, "c-3", INSULT)
    before_audit = AuditEvent.objects.count()
    client.force_login(representative)
    response = client.post(reverse("moderation-remove", kwargs={"pk": entry.item_id}),
                           {"kind": "hide", "motivation": "Personangrepp.", "criticism": "no"})
    assert response.status_code == 400
    assert "Välj minst en kod ur listan." in response.content.decode()
    entry.refresh_from_db()
    assert entry.state == QueueState.NEW and not entry.pending_state
    assert _removals() == 0 and not OutboxAction.objects.exists() and AuditEvent.objects.count() == before_audit


def test_unpublish_without_a_motivation_is_refused_and_changes_nothing(channel, representative):
    entry = arrive(channel, "c-3", INSULT)
    with pytest.raises(ValidationError):
        services.entry_remove(user=representative, entry=entry, kind="hide", codes=["fortal"], motivation="  ",
                              criticism=False)
    with pytest.raises(ValidationError):
        services.entry_remove(user=representative, entry=entry, kind="hide", codes=["kritik"], motivation="x",
                              criticism=False)
    entry.refresh_from_db()
    assert entry.state == QueueState.NEW and _removals() == 0 and not OutboxAction.objects.exists()


def test_unpublish_archives_the_snapshot_and_queues_the_hide_in_one_decision(client, channel, representative,
                                                                            django_capture_on_commit_callbacks):
    entry = arrive(channel, "c-4", INSULT, author="Bo Berg")
    client.force_login(representative)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client.post(reverse("moderation-remove", kwargs={"pk": entry.item_id}), {
            "kind": "hide", "codes": ["fortal", "svordomar"], "motivation": "Personangrepp mot en anställd.",
            "criticism": "no",
        }, HTTP_X_REQUEST_ID="req-123-abc")
    assert response.status_code == 302
    record = ArchiveRecord.objects.get(record_type=RecordType.REMOVAL_SNAPSHOT)
    import json

    content = json.loads(record.content)
    snapshot = content["snapshot"]
    assert snapshot["text"] == INSULT and snapshot["author"]["name"] == "Bo Berg"
    assert snapshot["author"]["platform_id"] and snapshot["author"]["profile_url"]
    assert snapshot["thread"]["root_platform_id"] == "post-1" and snapshot["thread"]["root_text"]
    assert snapshot["raw"] and "attachments" in snapshot
    assert content["decision"]["codes"] == ["fortal", "svordomar"]
    action = OutboxAction.objects.get()
    assert action.kind == "hide" and action.snapshot_id == record.pk
    assert len(callbacks) == 1  # the platform call is only enqueued after commit
    entry.refresh_from_db()
    assert entry.state == QueueState.CLAIMED and entry.pending_state == QueueState.UNPUBLISHED
    audit = entry.audit_events.get(action=AuditEvent.Action.UNPUBLISHED)
    assert audit.codes == ["fortal", "svordomar"] and audit.motivation == "Personangrepp mot en anställd."
    assert audit.policy_version == "2026-11-28" and audit.request_id == "req-123-abc"
    assert audit.actor == representative and audit.before["state"] == "new"
    assert audit.after["archive_sequence"] == record.sequence and audit.after["outbox_action"] == action.pk


def test_when_the_archive_write_fails_nothing_is_queued_for_the_platform(channel, representative):
    entry = arrive(channel, "c-5", INSULT)
    # Make the next archive append collide with an existing sequence number: a real write failure.
    ChainHead.objects.update(sequence=F("sequence") - 1)
    with pytest.raises(Exception):  # noqa: B017 (the database's integrity error, whatever its class)
        services.entry_remove(user=representative, entry=entry, kind="delete", codes=["fortal"],
                              motivation="Personangrepp.", criticism=False)
    assert not OutboxAction.objects.exists()
    entry.refresh_from_db()
    assert entry.state == QueueState.NEW and not entry.pending_state
    assert not entry.audit_events.exclude(action=AuditEvent.Action.QUEUED).exists()
    assert _removals() == 0


def test_unpublishing_unflagged_criticism_needs_a_second_moderator(channel, representative, informator):
    entry = arrive(channel, "c-6", CRITICISM)
    assert not entry.has_prohibited_flag
    outcome = services.entry_remove(user=representative, entry=entry, kind="hide", codes=["fortal"],
                                    motivation="Angrepp på politikerna.", criticism=True)
    assert outcome == "approval"
    assert _removals() == 0 and not OutboxAction.objects.exists()
    approval = RemovalApproval.objects.get()
    with pytest.raises(ValidationError):
        services.approval_decide(user=representative, approval=approval, approve=True)
    with pytest.raises(ValidationError):  # nobody else can decide meanwhile
        services.entry_no_action(user=informator, entry=QueueEntry.objects.get(pk=entry.pk))
    services.approval_decide(user=informator, approval=approval, approve=True, note="Rimligt.")
    action = OutboxAction.objects.get()
    assert action.kind == "hide" and action.snapshot is not None
    record = action.snapshot
    assert record.codes == ["fortal"]
    assert AuditEvent.objects.filter(entry=entry, action=AuditEvent.Action.APPROVAL_GRANTED, actor=informator).exists()


def test_a_refused_approval_leaves_the_item_with_the_proposer_and_nothing_removed(channel, representative, informator):
    entry = arrive(channel, "c-7", CRITICISM)
    services.entry_remove(user=representative, entry=entry, kind="delete", codes=["fortal"], motivation="x",
                          criticism=True)
    approval = RemovalApproval.objects.get()
    with pytest.raises(ValidationError):
        services.approval_decide(user=informator, approval=approval, approve=False, note="")
    services.approval_decide(user=informator, approval=approval, approve=False, note="Det är kritik, inte förtal.")
    entry.refresh_from_db()
    assert entry.state == QueueState.CLAIMED and entry.claimed_by == representative and not entry.pending_state
    assert _removals() == 0 and not OutboxAction.objects.exists()


def test_the_safeguard_can_be_turned_off_for_a_forvaltning_and_does_not_apply_to_flagged_items(
        channel, representative, dept):
    flagged = arrive(channel, "c-8", INSULT)
    assert flagged.has_prohibited_flag
    assert services.entry_remove(user=representative, entry=flagged, kind="hide", codes=["fortal"], motivation="x",
                                 criticism=True) == "queued"
    DepartmentSettings.objects.create(department=dept, objectivity_second_approval=False)
    entry = arrive(channel, "c-9", CRITICISM, minute=2)
    assert services.entry_remove(user=representative, entry=entry, kind="hide", codes=["fortal"], motivation="x",
                                 criticism=True) == "queued"


def test_forwarding_tracks_the_item_in_both_queues_until_the_receiver_acts(channel, representative, outsider,
                                                                           mailoutbox,
                                                                           django_capture_on_commit_callbacks):
    entry = arrive(channel, "c-10", "Varför är skolbussen alltid sen?")
    with django_capture_on_commit_callbacks(execute=True):
        services.entry_forward(user=representative, entry=entry, to_user=outsider, note="Skolskjutsar är ert område.")
    assert len(mailoutbox) == 1 and mailoutbox[0].to == [outsider.email]
    assert "Skolskjutsar är ert område." in mailoutbox[0].body
    assert entry in selectors.queue_for_user(user=representative)
    assert entry in selectors.queue_for_user(user=outsider)
    # The outsider represents nothing on this channel but may act on what was forwarded to them.
    forwarded = selectors.item_get_for_user(user=outsider, pk=entry.item_id)
    services.entry_claim(user=outsider, entry=forwarded)
    assert entry in selectors.queue_for_user(user=representative)
    services.entry_no_action(user=outsider, entry=QueueEntry.objects.get(pk=entry.pk), motivation="Besvarat per telefon.")
    assert entry not in selectors.queue_for_user(user=outsider)
    assert entry not in selectors.queue_for_user(user=representative)


def test_forwarding_needs_a_note_and_another_active_official(channel, representative):
    entry = arrive(channel)
    with pytest.raises(ValidationError):
        services.entry_forward(user=representative, entry=entry, to_user=representative, note="x")
    entry.refresh_from_db()
    assert entry.state == QueueState.NEW


def test_an_absence_routes_the_queue_to_the_substitute_and_back(channel, representative, substitute):
    entry = arrive(channel)
    assert entry not in selectors.queue_for_user(user=substitute)
    with pytest.raises(PermissionDenied):
        services.entry_claim(user=substitute, entry=entry)
    today = timezone.localdate()
    absence = Absence.objects.create(user=representative, starts_on=today, ends_on=today + dt.timedelta(days=3))
    assert entry in selectors.queue_for_user(user=substitute)
    services.entry_claim(user=substitute, entry=QueueEntry.objects.get(pk=entry.pk))
    Absence.objects.filter(pk=absence.pk).update(ends_on=today - dt.timedelta(days=1), starts_on=today - dt.timedelta(days=2))
    assert entry not in selectors.queue_for_user(user=substitute)
    assert entry in selectors.queue_for_user(user=representative)


def test_the_outsider_neither_sees_nor_acts_on_the_channel(client, channel, outsider):
    entry = arrive(channel)
    assert not selectors.queue_for_user(user=outsider).exists()
    client.force_login(outsider)
    assert client.get(reverse("moderation-item", kwargs={"pk": entry.item_id})).status_code == 404
    assert client.post(reverse("moderation-claim", kwargs={"pk": entry.item_id})).status_code == 404
    assert QueueEntry.objects.get(pk=entry.pk).state == QueueState.NEW


def test_no_action_closes_the_item_with_an_audit_row(channel, representative):
    entry = arrive(channel)
    services.entry_no_action(user=representative, entry=entry, motivation="Ett tack.")
    entry.refresh_from_db()
    assert entry.state == QueueState.NO_ACTION and entry.decided_by == representative and entry.decided_at
    assert entry.audit_events.filter(action=AuditEvent.Action.NO_ACTION, motivation="Ett tack.").exists()


def test_a_platform_without_hide_says_so_and_the_manual_action_is_recorded(client, dept, representative):
    channel = ChannelFactory(department=dept, platform="other", public_url="https://forum.example.org/ludvika",
                             responsible=representative)
    from tests.factories import AppointmentFactory

    AppointmentFactory(channel=channel, user=representative)
    entry = arrive(channel, "m-1", INSULT)
    with pytest.raises(ValidationError):
        services.entry_remove(user=representative, entry=entry, kind="hide", codes=["fortal"], motivation="x",
                              criticism=False)
    client.force_login(representative)
    page = client.get(reverse("moderation-item", kwargs={"pk": entry.item_id})).content.decode()
    assert "ingen API-koppling" in page and "Registrera manuell åtgärd" in page
    response = client.post(reverse("moderation-manual", kwargs={"pk": entry.item_id}), {
        "kind": "delete", "codes": ["fortal"], "motivation": "Personangrepp.",
        "platform_note": "Raderad i forumets administration kl. 10.12.",
    })
    assert response.status_code == 302
    entry.refresh_from_db()
    assert entry.state == QueueState.DELETED and not OutboxAction.objects.exists()
    assert _removals() == 1
    audit = entry.audit_events.get(action=AuditEvent.Action.MANUAL)
    assert audit.after["platform_note"].startswith("Raderad") and audit.codes == ["fortal"]


def test_audit_rows_are_append_only(channel, representative):
    entry = arrive(channel)
    services.entry_claim(user=representative, entry=entry)
    row = AuditEvent.objects.filter(entry=entry).last()
    with pytest.raises(TypeError):
        row.save()
    with pytest.raises(TypeError):
        row.delete()
    with pytest.raises(TypeError):
        AuditEvent.objects.filter(pk=row.pk).update(motivation="ändrad")
    with pytest.raises(TypeError):
        AuditEvent.objects.all().delete()


def test_a_later_note_is_appended_and_the_motivation_stays(channel, representative):
    entry = arrive(channel, "c-11", INSULT)
    services.entry_remove(user=representative, entry=entry, kind="hide", codes=["fortal"], motivation="Första.",
                          criticism=False)
    services.entry_add_note(user=representative, entry=QueueEntry.objects.get(pk=entry.pk), note="Tillägg.")
    assert entry.audit_events.get(action=AuditEvent.Action.UNPUBLISHED).motivation == "Första."
    assert entry.audit_events.filter(action=AuditEvent.Action.NOTE, motivation="Tillägg.").exists()


def test_registering_a_case_needs_a_diarienummer_and_a_subject(channel, representative):
    entry = arrive(channel)
    with pytest.raises(ValidationError):
        services.entry_register_case(user=representative, entry=entry, case_number=" ", subject="Bygglov")
    with pytest.raises(ValidationError):
        services.entry_register_case(user=representative, entry=entry, case_number="KS 2026/123", subject=" ")
    services.entry_register_case(user=representative, entry=entry, case_number="KS 2026/123",
                                 subject="Synpunkt på bygglov, Storgatan")
    entry.refresh_from_db()
    assert entry.concerns_case and entry.case_number == "KS 2026/123"


def test_user_text_is_never_rendered_as_html(client, channel, representative):
    entry = arrive(channel, "c-12", "<script>alert('x')</script> hej", author="<b>Eve</b>")
    client.force_login(representative)
    for url in (reverse("moderation-item", kwargs={"pk": entry.item_id}), reverse("moderation-queue")):
        page = client.get(url).content.decode()
        assert "<script>alert" not in page and "<b>Eve</b>" not in page
        assert "&lt;script&gt;" in page


def test_htmx_claim_returns_the_row_without_a_full_page(client, channel, representative):
    entry = arrive(channel)
    client.force_login(representative)
    response = client.post(reverse("moderation-claim", kwargs={"pk": entry.item_id}), HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    body = response.content.decode()
    assert body.lstrip().startswith("<tr") and "<html" not in body
    assert QueueEntry.objects.get(pk=entry.pk).state == QueueState.CLAIMED


def test_htmx_claim_lost_race_shows_a_swedish_message(client, channel, representative, informator):
    entry = arrive(channel)
    services.entry_claim(user=informator, entry=entry)
    client.force_login(representative)
    response = client.post(reverse("moderation-claim", kwargs={"pk": entry.item_id}), HTTP_HX_REQUEST="true")
    assert response["HX-Retarget"] == "#queue-messages" and "någon annan" in response.content.decode()


def test_bulk_no_action_closes_the_selected_items_and_reports_the_rest(client, channel, representative, informator):
    a = arrive(channel, "b-1", "Tack!")
    b = arrive(channel, "b-2", "Tack så mycket!", minute=2)
    services.entry_claim(user=informator, entry=b)
    client.force_login(representative)
    response = client.post(reverse("moderation-bulk"), {"action": "no_action", "items": [a.item_id, b.item_id]},
                           follow=True)
    assert QueueEntry.objects.get(pk=a.pk).state == QueueState.NO_ACTION
    assert QueueEntry.objects.get(pk=b.pk).state == QueueState.CLAIMED
    assert "kunde inte ändras" in response.content.decode()


def test_the_queue_is_sorted_by_due_time_and_filtered(client, channel, representative):
    thanks = arrive(channel, "s-1", "Tack!", minute=1)
    question = arrive(channel, "s-2", "Hur lånar jag e-böcker?", minute=2)
    dm = arrive(channel, "s-3", "Hej, jag har en fråga om min faktura?", kind=ItemKind.DM, minute=3)
    rows = list(selectors.queue_for_user(user=representative))
    assert rows.index(question) < rows.index(thanks) and rows.index(dm) < rows.index(thanks)
    assert list(selectors.queue_for_user(user=representative, dms=True)) == [dm]
    counts = selectors.queue_counts(user=representative)
    assert counts["open"] == 3 and counts["dms"] == 1 and counts["needs_answer"] == 2 and counts["code_fraga"] >= 1
    client.force_login(representative)
    assert client.get(reverse("moderation-queue"), {"dms": "on"}).status_code == 200


def test_the_queue_query_count_does_not_grow_with_page_size(client, channel, representative,
                                                             django_assert_max_num_queries):
    for n in range(30):
        arrive(channel, f"q-{n}", f"Fråga nummer {n}: när öppnar ni?", minute=n)
    client.force_login(representative)
    client.get(reverse("moderation-queue"))  # warm the session and role caches
    counts = []
    for size in (25, 100):
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as ctx:
            response = client.get(reverse("moderation-queue"), {"size": size})
        assert response.status_code == 200
        counts.append(len(ctx.captured_queries))
    assert counts[0] == counts[1]
    with django_assert_max_num_queries(12):
        client.get(reverse("moderation-queue"), {"size": 200})


def test_the_substitute_takes_over_an_item_the_absent_representative_had_claimed(channel, representative,
                                                                                substitute):
    entry = arrive(channel)
    services.entry_claim(user=representative, entry=entry)
    today = timezone.localdate()
    Absence.objects.create(user=representative, starts_on=today, ends_on=today)
    services.entry_claim(user=substitute, entry=QueueEntry.objects.get(pk=entry.pk))
    entry.refresh_from_db()
    assert entry.claimed_by == substitute


def test_the_second_moderator_approves_on_the_item_page(client, channel, representative, informator):
    entry = arrive(channel, "v-1", CRITICISM)
    client.force_login(representative)
    response = client.post(reverse("moderation-remove", kwargs={"pk": entry.item_id}), {
        "kind": "hide", "codes": ["fortal"], "motivation": "Angrepp.", "criticism": "yes"}, follow=True)
    assert "en annan moderator måste godkänna" in response.content.decode()
    assert "Godkännandet måste göras av en annan moderator" in response.content.decode()
    client.force_login(informator)
    page = client.get(reverse("moderation-item", kwargs={"pk": entry.item_id})).content.decode()
    assert "Väntar på en annan moderators godkännande" in page and "Spara beslut" in page
    approval = RemovalApproval.objects.get()
    client.post(reverse("moderation-approval", kwargs={"pk": approval.pk}), {"decision": "approve", "note": ""})
    assert OutboxAction.objects.get().kind == "hide" and _removals() == 1


def test_answer_and_forward_through_the_item_page(client, channel, representative, outsider, mailoutbox,
                                                  django_capture_on_commit_callbacks):
    question = arrive(channel, "v-2", "Hur lånar jag e-böcker?")
    client.force_login(representative)
    page = client.get(reverse("moderation-item", kwargs={"pk": question.item_id})).content.decode()
    assert "Hänvisning till de politiska partierna" in page and "Personlig hälsning" in page
    assert client.post(reverse("moderation-answer", kwargs={"pk": question.item_id}), {"text": " "}).status_code == 400
    assert not OutboxAction.objects.exists()
    client.post(reverse("moderation-answer", kwargs={"pk": question.item_id}), {"text": "Hej! Via appen."})
    assert OutboxAction.objects.get().text == "Hej! Via appen."
    other = arrive(channel, "v-3", "Varför är skolbussen sen?", minute=3)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("moderation-forward", kwargs={"pk": other.item_id}),
                               {"to_user": outsider.pk, "note": "Ert område."})
    assert response.status_code == 302 and len(mailoutbox) == 1
    assert QueueEntry.objects.get(pk=other.pk).forwarded_to == outsider


def test_changing_a_filter_with_htmx_returns_only_the_list(client, channel, representative):
    arrive(channel, "h-1", "Hur lånar jag e-böcker?")
    client.force_login(representative)
    response = client.get(reverse("moderation-queue"), {"needs_answer": "on"}, HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert response.status_code == 200 and "<html" not in body and "e-böcker" in body


@pytest.mark.parametrize("state", ["new", "claimed", "unpublished"])
def test_the_item_page_has_no_duplicate_ids_and_every_label_names_one_field(client, channel, representative, state):
    """Many forms share the item page: a repeated id would point a label at another form's field."""
    from collections import Counter

    import lxml.html

    entry = arrive(channel, "c-1", "Du är en idiot")
    closed = {"decided_at": timezone.now(), "decided_by": representative} if state == "unpublished" else {}
    QueueEntry.objects.filter(pk=entry.pk).update(state=state, claimed_by=representative, **closed)
    client.force_login(representative)
    page = lxml.html.fromstring(client.get(reverse("moderation-item", kwargs={"pk": entry.item_id})).content)
    ids = Counter(page.xpath("//@id"))
    assert [i for i, n in ids.items() if n > 1] == []
    for label in page.xpath("//label[@for]"):
        assert ids[label.get("for")] == 1, f"label for {label.get('for')!r} points at nothing"
    assert len(page.xpath("//textarea")) >= (2 if state == "unpublished" else 4)


def test_the_status_view_polls_while_pending_and_says_when_the_platform_has_confirmed(client, channel,
                                                                                   representative):
    entry = arrive(channel, "c-1", "När öppnar biblioteket?")
    services.entry_answer(user=representative, entry=entry, text="Klockan tio.")
    client.force_login(representative)
    url = reverse("moderation-item-status", kwargs={"pk": entry.item_id})

    pending = client.get(url).content.decode()
    assert 'hx-trigger="every 4s"' in pending and 'data-status-text="Väntar på plattformen."' in pending
    assert "<a " not in pending and "<input" not in pending and "<button" not in pending  # nothing to lose focus from

    QueueEntry.objects.filter(pk=entry.pk).update(state=QueueState.ANSWERED, pending_state="", decided_at=timezone.now(),
                                                  decided_by=representative)
    settled = client.get(url).content.decode()
    assert "hx-trigger" not in settled and 'data-status-text="Status: Besvarad."' in settled
    assert "Plattformen har bekräftat åtgärden." in settled


def test_polling_the_status_neither_marks_the_item_viewed_nor_uses_up_messages(client, channel, representative):
    entry = arrive(channel, "c-1", "Hej")
    client.force_login(representative)
    client.post(reverse("moderation-claim", kwargs={"pk": entry.item_id}))  # leaves a flash message
    client.get(reverse("moderation-item-status", kwargs={"pk": entry.item_id}))
    entry.refresh_from_db()
    assert entry.first_viewed_at is None
    assert "Du handlägger nu posten." in client.get(reverse("moderation-item", kwargs={"pk": entry.item_id})).content.decode()


@pytest.mark.parametrize("next_url", ["https://evil.example/", "//evil.example/personal/inkorg/",
                                      "/\\evil.example/", "/personal/kanaler/"])
def test_a_bulk_action_never_sends_the_moderator_off_the_inbox(client, channel, representative, next_url):
    entry = arrive(channel, "c-1", "Hej")
    client.force_login(representative)
    for data in ({"action": "claim", "items": [entry.item_id]}, {"action": "", "items": []}):
        response = client.post(reverse("moderation-bulk"), {**data, "next": next_url})
        assert response.status_code == 302 and response["Location"] == reverse("moderation-queue")
    response = client.post(reverse("moderation-bulk"), {"action": "no_action", "items": [entry.item_id],
                                                        "next": "/personal/inkorg/?state=all"})
    assert response["Location"] == "/personal/inkorg/?state=all"
