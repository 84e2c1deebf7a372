"""Per-channel additions: who may propose and decide, history, the test bench and their effect."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from channels.models import ItemVersion
from channels.services import items_store
from channels.tests.helpers import make_item, make_post
from moderation import services
from moderation.models import AdditionStatus, Flag, ProhibitedCategory, RuleAddition, RuleAdditionEvent


def test_the_eight_policy_codes_are_seeded_with_their_wording(db):
    from registry.policy import PROHIBITED_CATEGORIES

    seeded = list(ProhibitedCategory.objects.values_list("code", "policy_wording", "legal_reference"))
    assert seeded == [(c.code, c.policy_wording, c.legal_reference) for c in PROHIBITED_CATEGORIES]


def propose(user, channel, pattern="bokbov*"):
    return services.addition_propose(user=user, channel=channel, code="fortal", pattern=pattern,
                                     motivation="Återkommande glåpord.")


def test_representative_and_department_admin_may_propose_for_their_channel(representative, dept_admin, channel):
    a = propose(representative, channel)
    b = propose(dept_admin, channel, "glåpord")
    assert a.status == b.status == AdditionStatus.PROPOSED
    assert RuleAdditionEvent.objects.filter(addition=a, action="foreslagen").count() == 1


@pytest.mark.parametrize("persona", ["substitute", "outsider", "records_officer"])
def test_others_may_not_propose_for_the_channel(persona, personas, channel):
    with pytest.raises(PermissionDenied):
        propose(personas[persona], channel)
    assert not RuleAddition.objects.exists()


@pytest.mark.parametrize("pattern", ["", "*", "a", "ab{", "x" * 201, "#kommentar"])
def test_a_bad_pattern_is_refused_with_a_message_and_nothing_is_saved(pattern, representative, channel):
    with pytest.raises(ValidationError):
        propose(representative, channel, pattern)
    assert not RuleAddition.objects.exists()


def test_only_the_informator_decides_and_only_once(informator, representative, channel):
    a = propose(representative, channel)
    with pytest.raises(PermissionDenied):
        services.addition_approve(user=representative, addition=a)
    services.addition_approve(user=informator, addition=a, note="Rimligt.")
    with pytest.raises(ValidationError):
        services.addition_reject(user=informator, addition=a, note="För sent.")
    a.refresh_from_db()
    assert a.status == AdditionStatus.APPROVED and a.decided_by == informator
    assert list(a.events.values_list("action", flat=True)) == ["foreslagen", "godkand"]


def test_rejecting_needs_a_reason(informator, representative, channel):
    a = propose(representative, channel)
    with pytest.raises(ValidationError):
        services.addition_reject(user=informator, addition=a, note=" ")
    a.refresh_from_db()
    assert a.status == AdditionStatus.PROPOSED


def store(channel, *texts):
    items_store(channel=channel, items=[make_post(), *(make_item(f"c{i}", t) for i, t in enumerate(texts))])
    return list(ItemVersion.objects.filter(item__channel=channel).values_list("id", flat=True))


def test_only_approved_additions_take_effect_and_only_on_their_channel(
    informator, representative, channel, other_channel, django_capture_on_commit_callbacks
):
    a = propose(representative, channel)
    mine = store(channel, "En riktig bokbov igen")
    theirs = store(other_channel, "En riktig bokbov igen")
    services.versions_screen(version_ids=mine + theirs)
    assert not Flag.objects.filter(rule__startswith="tillagg").exists()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.addition_approve(user=informator, addition=a)
    # After commit: the rescreen task, and the registry's cached version is dropped (the addition is
    # published with the channel's public entry).
    assert sorted(c.__name__ for c in callbacks) == ["enqueue", "registry_version_forget"]
    services.channel_rescreen(channel_id=channel.pk)
    flags = Flag.objects.filter(rule=f"tillagg.{a.pk}")
    assert [f.version.item.channel_id for f in flags] == [channel.pk]
    assert flags[0].addition == a and flags[0].code == "fortal"


def test_screening_the_same_versions_twice_creates_no_duplicates(channel):
    ids = store(channel, "Jävla skit", "Tack!")
    first = services.versions_screen(version_ids=ids)
    assert first > 0
    assert services.versions_screen(version_ids=ids) == 0


def test_every_version_stored_in_one_transaction_is_screened_by_one_task(channel, django_capture_on_commit_callbacks):
    from moderation import receivers

    sent = []
    original = receivers._Batch.__call__

    def spy(self):
        sent.append(list(self.ids))
        return original(self)

    receivers._Batch.__call__ = spy
    try:
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            items_store(channel=channel, items=[make_post(), make_item("c1", "Jävla skit"), make_item("c2", "Hej")])
        batches = [cb for cb in callbacks if isinstance(cb, receivers._Batch)]
        assert len(batches) == 1 and len(batches[0].ids) == 3
        # What the task does with the batch: the profane comment gets a flag with its span.
        services.versions_screen(version_ids=batches[0].ids)
        flag = Flag.objects.get(code="svordomar", rule="svordom", version__item__platform_id="c1", start=0)
        assert flag.version.text[flag.start : flag.end] == "Jävla"
    finally:
        receivers._Batch.__call__ = original


def test_addition_detail_shows_which_recent_items_it_would_have_flagged(client, informator, representative, channel):
    store(channel, "En riktig bokbov <script>alert(1)</script>", "Tack för hjälpen")
    a = propose(representative, channel)
    client.force_login(informator)
    html = client.get(reverse("moderation-addition-detail", args=[a.pk])).content.decode()
    assert '<mark class="flag">bokbov</mark>' in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html and "<script>alert(1)" not in html
    assert "Tack för hjälpen" not in html


def test_bench_highlights_flags_and_escapes_the_text(client, informator):
    client.force_login(informator)
    response = client.post(reverse("moderation-bench"), {"text": "<b>jävla</b> idiot", "pattern": "", "code": ""})
    html = response.content.decode()
    assert response.status_code == 200
    assert "&lt;b&gt;" in html and "<b>jävla" not in html
    assert '<mark class="flag"' in html


def test_bench_refuses_a_bad_pattern_with_a_swedish_message(client, informator):
    client.force_login(informator)
    response = client.post(reverse("moderation-bench"), {"text": "hej", "pattern": "*", "code": "fortal"})
    assert response.status_code == 400
    assert "Mönstret kunde inte tolkas" in response.content.decode()


def test_rules_page_lists_the_codes(client, representative, django_assert_max_num_queries):
    client.force_login(representative)
    with django_assert_max_num_queries(12):
        html = client.get(reverse("moderation-rules")).content.decode()
    assert "hets mot folkgrupp" in html and "kod-personuppgifter" in html


def test_propose_view_saves_and_redirects(client, representative, channel):
    client.force_login(representative)
    response = client.post(reverse("moderation-addition-propose"), {
        "channel": channel.pk, "code": "svordomar", "pattern": "bokbov*", "motivation": "Glåpord."})
    addition = RuleAddition.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("moderation-addition-detail",
                                                                           args=[addition.pk])


def test_an_approved_addition_is_published_with_the_channels_entry_and_its_withdrawal_removes_it(
    client, channel, informator, representative,
):
    from moderation import services as mod
    from moderation.models import RuleAddition

    channel.status = "aktiv"
    channel.activated_at = timezone.now()
    channel.save(update_fields=["status", "activated_at"])
    addition = mod.addition_propose(user=representative, channel=channel, code="upphovsratt", pattern="streamingsajt",
                                    motivation="Länkar till olagliga strömningstjänster tas bort.")
    assert "olagliga strömningstjänster" not in client.get(reverse("public-channels")).content.decode()
    mod.addition_approve(user=informator, addition=addition)
    page = client.get(reverse("public-channels")).content.decode()
    assert "Länkar till olagliga strömningstjänster tas bort." in page and "streamingsajt" not in page
    feed = client.get(reverse("public-channels-json")).json()
    [entry] = [c for c in feed["channels"] if c["id"] == channel.pk]
    assert entry["comment_policy_additions"] == [
        "Olovligt bruk av upphovsrättsligt skyddat material: Länkar till olagliga strömningstjänster tas bort."]
    mod.addition_withdraw(user=informator, addition=RuleAddition.objects.get(pk=addition.pk), note="Behövs inte")
    assert "olagliga strömningstjänster" not in client.get(reverse("public-channels")).content.decode()
