import datetime
import json
import zoneinfo

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from archive import services
from archive.models import AccessLogEntry, ArchiveRecord, MaskedCopy, PublicRecordsRequest, RequestState
from archive.selectors import request_deadline, request_is_overdue
from archive.tests.helpers import make_record, make_request, make_request_item

pytestmark = pytest.mark.django_db
STOCKHOLM = zoneinfo.ZoneInfo("Europe/Stockholm")


def test_a_request_may_be_anonymous(client, records_officer):
    client.force_login(records_officer)
    response = client.post(reverse("archive-request-create"), {"description": "Kommentarer om badhuset"})
    assert response.status_code == 302
    request = PublicRecordsRequest.objects.get()
    assert request.is_anonymous and request.received_at is not None and request.state == RequestState.OPEN


def test_a_request_without_description_is_refused_in_swedish(client, records_officer):
    client.force_login(records_officer)
    response = client.post(reverse("archive-request-create"), {"description": ""})
    assert response.status_code == 400
    assert "Inget har sparats" in response.content.decode()
    assert not PublicRecordsRequest.objects.exists()


def test_deadline_is_the_next_swedish_working_day():
    friday = datetime.datetime(2026, 6, 5, 15, 0, tzinfo=STOCKHOLM)  # Midsommarafton is 19 June
    assert request_deadline(friday) == datetime.datetime(2026, 6, 9, 0, 0, tzinfo=STOCKHOLM)  # end of Monday 8th
    before_midsummer = datetime.datetime(2026, 6, 18, 10, 0, tzinfo=STOCKHOLM)
    assert request_deadline(before_midsummer) == datetime.datetime(2026, 6, 23, 0, 0, tzinfo=STOCKHOLM)


def test_open_requests_older_than_one_working_day_are_highlighted(client, records_officer):
    old = services.request_create(user=records_officer, description="Gammal",
                                  received_at=datetime.datetime(2026, 1, 2, 9, tzinfo=STOCKHOLM))
    new = make_request(records_officer)
    assert request_is_overdue(old) and not request_is_overdue(new)
    client.force_login(records_officer)
    body = client.get(reverse("archive-request-list")).content.decode()
    assert body.count('class="overdue"') == 1


def test_masking_makes_a_copy_and_a_log_and_never_alters_the_original(records_officer, channel):
    record = make_record(channel, text="Ring Karin Svensson på 070-1234567 om ärendet.")
    before = (record.content, record.content_sha256, record.record_sha256)
    request = make_request(records_officer)
    services.request_add_records(request=request, records=[record], user=records_officer)
    item = request.items.get()
    copy = services.masking_create(item=item, phrases=["Karin Svensson", "070-1234567"],
                                   osl_reference="OSL 21:7", user=records_officer)
    assert copy.masked_text == "Ring ██████████████ på ███████████ om ärendet."
    assert [e for e in copy.mask_log if e["field"] == "text"] == [
        {"field": "text", "start": 5, "end": 19, "length": 14, "osl_reference": "OSL 21:7"},
        {"field": "text", "start": 23, "end": 34, "length": 11, "osl_reference": "OSL 21:7"},
    ]
    assert copy.original_content_sha256 == record.content_sha256
    record.refresh_from_db()
    assert (record.content, record.content_sha256, record.record_sha256) == before
    item.refresh_from_db()
    assert item.decision == "partial"


def test_masking_text_that_is_not_there_changes_nothing(records_officer, channel):
    _request, item = make_request_item(records_officer, channel)
    with pytest.raises(ValidationError):
        services.masking_create(item=item, phrases=["finns inte"], osl_reference="OSL 21:7", user=records_officer)
    assert not MaskedCopy.objects.exists()


def test_refusal_without_osl_reference_is_refused(records_officer, channel):
    _request, item = make_request_item(records_officer, channel)
    with pytest.raises(ValidationError):
        services.request_item_decide(item=item, decision="refuse", osl_reference="", user=records_officer)


def test_refusal_decision_tells_how_to_appeal(records_officer, channel):
    request, item = make_request_item(records_officer, channel)
    services.request_item_decide(item=item, decision="refuse", osl_reference="OSL 26:1", user=records_officer)
    text = services.request_decide(request=request, user=records_officer).text
    assert "BESLUT" in text and "26 kap. 1 § OSL" in text
    assert f"Arkivpost {item.record.sequence}" in text
    assert "Kammarrätten i Sundsvall" in text
    assert "inom tre veckor" in text
    assert "till Ludvika kommun, inte direkt till kammarrätten" in text


def test_a_request_cannot_close_without_a_written_decision(records_officer, channel):
    request, item = make_request_item(records_officer, channel)
    services.request_item_decide(item=item, decision="refuse", osl_reference="OSL 26:1", user=records_officer)
    with pytest.raises(ValidationError):
        services.request_close(request=request, user=records_officer)
    services.request_decide(request=request, user=records_officer)
    assert services.request_close(request=request, user=records_officer).state == RequestState.CLOSED


def test_a_request_with_unreviewed_records_cannot_close(records_officer, channel):
    request, _item = make_request_item(records_officer, channel)
    with pytest.raises(ValidationError):
        services.request_close(request=request, user=records_officer)


def test_viewing_a_record_is_logged(client, informator, channel):
    record = make_record(channel)
    client.force_login(informator)
    response = client.get(reverse("archive-record-detail", args=[record.sequence]))
    assert response.status_code == 200
    entry = AccessLogEntry.objects.get()
    assert (entry.user, entry.action, entry.record_sequences) == (informator, "view", [record.sequence])


def test_search_finds_text_and_logs_what_was_shown(client, records_officer, channel, django_assert_max_num_queries):
    hit = make_record(channel, text="Snöröjningen på Storgatan är dålig")
    for _ in range(30):
        make_record(channel)
    client.force_login(records_officer)
    with django_assert_max_num_queries(12):
        response = client.get(reverse("archive-search"), {"q": "snöröjningen"})
    body = response.content.decode()
    assert "Snöröjningen på Storgatan" in body
    assert AccessLogEntry.objects.get().record_sequences == [hit.sequence]


def test_search_filters_by_author_and_channel(records_officer, channel, other_channel):
    from archive.selectors import record_search

    mine = make_record(channel)
    make_record(other_channel)
    assert list(record_search(user=records_officer, channel_id=channel.pk)) == [mine]
    assert list(record_search(user=records_officer, author=mine.author_platform_id)) == [mine]


def test_search_filters_by_code(records_officer, representative, channel):
    from archive.selectors import record_search

    removed = services.snapshot_for_removal(snapshot=json.loads(make_record(channel).content)["snapshot"],
                                            decided_by=representative, codes=["hets"], reason="Hets")
    assert list(record_search(user=records_officer, code="hets")) == [removed]
    assert list(record_search(user=records_officer, code="fortal")) == []


def test_request_workflow_in_the_browser(client, records_officer, channel):
    record = make_record(channel, text="Mitt personnummer är 19800101-1234")
    client.force_login(records_officer)
    client.post(reverse("archive-request-create"), {"description": "Allt om mig"})
    request = PublicRecordsRequest.objects.get()
    client.post(reverse("archive-request-add-records", args=[request.pk]), {"sequences": f"{record.sequence}"})
    item = request.items.get()
    response = client.post(reverse("archive-request-item-review", args=[request.pk, item.pk]),
                           {"phrases": "19800101-1234", "osl_reference": "OSL 21:7"})
    assert response.status_code == 302
    body = client.get(reverse("archive-request-detail", args=[request.pk])).content.decode()
    assert "█████████████" in body
    assert ArchiveRecord.objects.get(pk=record.pk).content == record.content


def test_search_counts_only_up_to_the_cap(client, records_officer, channel, monkeypatch):
    from archive import selectors

    monkeypatch.setattr(selectors, "SEARCH_COUNT_CAP", 3)
    for _ in range(5):
        make_record(channel, text="Badhuset är stängt")
    client.force_login(records_officer)
    body = client.get(reverse("archive-search"), {"q": "badhuset"}).content.decode()
    assert "Fler än 3 arkivposter" in body


def test_search_without_archive_role_is_refused(outsider):
    from django.core.exceptions import PermissionDenied

    from archive.selectors import record_search

    with pytest.raises(PermissionDenied):
        record_search(user=outsider, q="x")


def test_records_ticked_in_the_search_are_added_to_the_chosen_open_request(client, records_officer, channel):
    first = make_record(channel, text="Biblioteket stänger tidigt")
    second = make_record(channel, text="Biblioteket har nya böcker")
    make_record(channel, text="Simhallen")
    request = make_request(records_officer)
    closed = make_request(records_officer, description="En gammal begäran")
    PublicRecordsRequest.objects.filter(pk=closed.pk).update(state=RequestState.CLOSED, closed_at=closed.received_at)
    client.force_login(records_officer)

    page = client.get(reverse("archive-search"), {"q": "biblioteket"}).content.decode()
    assert 'form="add-to-request"' in page and f'value="{first.sequence}"' in page
    assert "En gammal begäran" not in page  # only open requests are offered

    response = client.post(reverse("archive-records-add-to-request"), {
        "target": request.pk, "sequence": [first.sequence, second.sequence]})
    assert response.status_code == 302 and response["Location"] == reverse("archive-request-detail", args=[request.pk])
    assert sorted(request.items.values_list("record__sequence", flat=True)) == [first.sequence, second.sequence]


def test_a_record_is_added_to_a_request_from_its_own_page(client, records_officer, channel):
    record = make_record(channel)
    request = make_request(records_officer)
    client.force_login(records_officer)
    page = client.get(reverse("archive-record-detail", args=[record.sequence])).content.decode()
    assert "Lägg till posten i begäran" in page
    client.post(reverse("archive-records-add-to-request"), {"target": request.pk, "sequence": [record.sequence]})
    assert request.items.get().record_id == record.pk


@pytest.mark.parametrize("bad", [{"sequence": []}, {"sequence": ["x"]}, {"target": "closed"}, {"target": "999999"}])
def test_adding_to_a_request_with_bad_input_changes_nothing(client, records_officer, channel, bad):
    record = make_record(channel)
    request = make_request(records_officer)
    closed = make_request(records_officer, description="Stängd")
    PublicRecordsRequest.objects.filter(pk=closed.pk).update(state=RequestState.CLOSED, closed_at=closed.received_at)
    data = {"target": request.pk, "sequence": [record.sequence], "next": "https://evil.example/"}
    data.update({k: (closed.pk if v == "closed" else v) for k, v in bad.items()})
    client.force_login(records_officer)
    response = client.post(reverse("archive-records-add-to-request"), data)
    assert response.status_code == 302 and response["Location"] == reverse("archive-search")  # never off-site
    assert not request.items.exists() and not closed.items.exists()
    assert "begäran" in client.get(reverse("archive-search")).content.decode().lower()


def test_the_search_filter_lists_each_archived_channel_once_by_its_current_name(records_officer, channel,
                                                                                 other_channel,
                                                                                 django_assert_max_num_queries):
    from archive.selectors import archive_channels

    for n in range(5):
        make_record(channel, text=f"Kommentar {n}")
    make_record(other_channel, text="En annan kanal")
    channel.name = "Biblioteket (nytt namn)"
    channel.save(update_fields=["name"])
    with django_assert_max_num_queries(2):  # the skip scan and the registry's names, however many records
        listed = archive_channels()
    assert sorted(listed) == sorted([(channel.pk, "Biblioteket (nytt namn)"), (other_channel.pk, other_channel.name)])


def test_search_tells_the_municipalitys_own_voice_from_what_came_in(records_officer, channel):
    from archive.selectors import record_search

    post = make_record(channel, kind="post", text="Biblioteket stänger i jul.")
    own_reply = make_record(channel, kind="reply", text="Hej! Vi öppnar igen den 27:e.",
                            author={"platform_id": channel.account_id, "name": channel.name, "profile_url": ""})
    comment = make_record(channel, text="Varför stänger ni?")
    assert channel.account_id
    assert set(record_search(user=records_officer, direction="out")) == {post, own_reply}
    assert set(record_search(user=records_officer, direction="in")) == {comment}


def test_the_records_officers_start_page_lists_open_requests_overdue_first_with_readable_deadlines(
    client, records_officer,
):
    new = make_request(records_officer, description="Ny begäran")
    old = services.request_create(user=records_officer, description="Gammal begäran",
                                  received_at=datetime.datetime(2026, 1, 2, 9, tzinfo=STOCKHOLM))
    client.force_login(records_officer)
    page = client.get(reverse("staff-home")).content.decode()
    assert page.index("Gammal begäran") < page.index("Ny begäran")  # the overdue one first
    assert "måndag 5 januari 2026" in page and "försenad" in page  # 2 January 2026 is a Friday
    assert new.pk and old.pk


def test_the_records_officers_are_emailed_once_when_a_requests_last_day_comes(records_officer, mailoutbox):
    from archive.services.requests import request_deadline_reminders_send

    received = datetime.datetime(2026, 6, 5, 15, 0, tzinfo=STOCKHOLM)  # a Friday: last day Monday 8 June
    services.request_create(user=records_officer, description="Protokoll", received_at=received)
    assert request_deadline_reminders_send(now=datetime.datetime(2026, 6, 7, 12, tzinfo=STOCKHOLM)) == 0
    assert request_deadline_reminders_send(now=datetime.datetime(2026, 6, 8, 8, tzinfo=STOCKHOLM)) == 1
    assert request_deadline_reminders_send(now=datetime.datetime(2026, 6, 8, 9, tzinfo=STOCKHOLM)) == 0
    assert "måndag 8 juni 2026" in mailoutbox[0].subject and records_officer.email in mailoutbox[0].to
