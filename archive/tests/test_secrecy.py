"""Sekretess markings (OSL 5:5): chosen grounds, shown wherever the record is, carried into exports,
and a request cannot release a marked record in full."""

from __future__ import annotations

import io
import json
import zipfile

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from archive import services
from archive.models import ArchiveRecord, RecordType, SecrecyMarking
from archive.tests.helpers import make_record, make_request
from archive.verification import verify_chain

pytestmark = pytest.mark.django_db


def _item_records(channel):
    first = make_record(channel, platform_id="p1_c9", text="Min son har fått beslut om särskilt stöd.")
    second = make_record(channel, platform_id="p1_c9", version=2, text="Min son har fått beslut om stöd (ändrad).")
    return first, second


def test_marking_an_item_marks_every_record_of_it_and_is_kept_in_the_chain(records_officer, channel):
    first, second = _item_records(channel)
    other = make_record(channel)
    marking = services.secrecy_mark(user=records_officer, record=first, osl_ground="OSL 23:2", note="Elevstöd")
    marked = services.secrecy_markings_for([first, second, other])
    assert marked[first.pk] == [marking] and marked[second.pk] == [marking] and marked[other.pk] == []
    chain = ArchiveRecord.objects.get(record_type=RecordType.SECRECY_MARKING)
    assert json.loads(chain.content)["event"]["osl_ground"] == "OSL 23:2"
    assert (chain.channel_id, chain.platform_id) == (channel.pk, "p1_c9")
    assert verify_chain().ok


def test_a_ground_not_in_the_list_is_refused_and_changes_nothing(client, records_officer, channel):
    first, _second = _item_records(channel)
    with pytest.raises(ValidationError, match="listan"):
        services.secrecy_mark(user=records_officer, record=first, osl_ground="OSL 99:1")
    client.force_login(records_officer)
    response = client.post(reverse("archive-record-secrecy-mark", args=[first.sequence]),
                           {"secrecy-osl_ground": "fritext"})
    assert response.status_code == 302
    assert not SecrecyMarking.objects.exists()
    page = client.get(reverse("archive-record-detail", args=[first.sequence])).content.decode()
    assert "Välj sekretessgrunden ur listan" in page


def test_an_item_is_marked_once(records_officer, channel):
    first, second = _item_records(channel)
    services.secrecy_mark(user=records_officer, record=first, osl_ground="OSL 23:2")
    with pytest.raises(ValidationError, match="redan"):
        services.secrecy_mark(user=records_officer, record=second, osl_ground="OSL 26:1")
    assert SecrecyMarking.objects.count() == 1


def test_the_marking_shows_on_the_record_page_in_search_and_in_the_request(client, records_officer, channel):
    first, second = _item_records(channel)
    services.secrecy_mark(user=records_officer, record=first, osl_ground="OSL 23:2")
    request = make_request(records_officer)
    services.request_add_records(request=request, records=[second], user=records_officer)
    client.force_login(records_officer)
    label = "23 kap. 2 § OSL"
    assert label in client.get(reverse("archive-record-detail", args=[second.sequence])).content.decode()
    assert "Sekretessmarkerad" in client.get(reverse("archive-search"), {"q": "stöd"}).content.decode()
    assert "Sekretessmarkerad" in client.get(reverse("archive-request-detail", args=[request.pk])).content.decode()
    review = client.get(reverse("archive-request-item-review", args=[request.pk, request.items.get().pk]))
    assert label in review.content.decode()


def test_a_request_cannot_release_a_marked_record_in_full(records_officer, channel):
    first, _second = _item_records(channel)
    services.secrecy_mark(user=records_officer, record=first, osl_ground="OSL 23:2")
    request = make_request(records_officer)
    services.request_add_records(request=request, records=[first], user=records_officer)
    item = request.items.get()
    with pytest.raises(ValidationError, match="sekretessmarkerad"):
        services.request_item_decide(item=item, decision="release", user=records_officer)
    item.refresh_from_db()
    assert item.decision == "pending"
    # Masking or refusing is the decision it forces.
    services.masking_create(item=item, phrases=["särskilt stöd"], osl_reference="OSL 23:2", user=records_officer)
    assert item.decision == "partial"


def test_a_lifted_marking_needs_a_reason_and_then_allows_release(client, records_officer, channel):
    first, _second = _item_records(channel)
    marking = services.secrecy_mark(user=records_officer, record=first, osl_ground="OSL 23:2")
    with pytest.raises(ValidationError):
        services.secrecy_lift(user=records_officer, marking=marking, reason="  ")
    client.force_login(records_officer)
    client.post(reverse("archive-secrecy-lift", args=[marking.pk]), {"lift-reason": "Uppgiften är redan offentlig."})
    marking.refresh_from_db()
    assert marking.lifted_at is not None and marking.lift_reason == "Uppgiften är redan offentlig."
    assert [json.loads(r.content)["event"]["event"] for r in ArchiveRecord.objects.filter(
        record_type=RecordType.SECRECY_MARKING).order_by("sequence")] == ["marked", "lifted"]
    request = make_request(records_officer)
    services.request_add_records(request=request, records=[first], user=records_officer)
    services.request_item_decide(item=request.items.get(), decision="release", user=records_officer)


def test_the_marking_travels_with_the_exports(records_officer, channel):
    first, _second = _item_records(channel)
    services.secrecy_mark(user=records_officer, record=first, osl_ground="OSL 23:2")
    request = make_request(records_officer)
    services.request_add_records(request=request, records=[first], user=records_officer)
    services.masking_create(item=request.items.get(), phrases=["son"], osl_reference="OSL 23:2", user=records_officer)
    services.request_decide(request=request, user=records_officer)
    bag = services.export_request_bag(request=request, user=records_officer)
    with zipfile.ZipFile(io.BytesIO(services.export_path(bag).read_bytes())) as archive:
        entry = json.loads(archive.read(f"data/records/{first.sequence:010d}.json"))
    assert entry["secrecy_markings"][0]["osl_ground"].startswith("23 kap. 2 § OSL")
    sip = services.export_sip(user=records_officer, channel_id=channel.pk)
    with zipfile.ZipFile(services.export_path(sip)) as archive:
        name = next(n for n in archive.namelist() if n.endswith("records.jsonl"))
        lines = [json.loads(line) for line in archive.read(name).decode().splitlines()]
    marked = next(line for line in lines if line["sequence"] == first.sequence)
    assert marked["secrecy_markings"][0]["osl_ground"] == "OSL 23:2"
