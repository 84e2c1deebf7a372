"""Deliveries release only what the records officer reviewed.

The scenario a records officer met: a reply "Elsa Berg 120315-1234 borde byta skola." under a parent
comment "Min dotter Elsa Berg (120315-1234) blir mobbad…". The reply is masked (the child's name,
the personnummer and the sender) and delivered as PDF and BagIt. Every file that leaves is read:
the PDF's text layer (pypdf) and every file in the bag, PDFs in it included. Nothing that was not
reviewed and released may be anywhere in them: not the parent comment (another document), not the
author's platform id, profile address or name, not the platform's raw payload.
"""

from __future__ import annotations

import io
import json
import zipfile

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from pypdf import PdfReader

from archive import services
from archive.models import RequestItem
from archive.tests.helpers import make_record, make_request

pytestmark = pytest.mark.django_db

PARENT_TEXT = "Min dotter Elsa Berg (120315-1234) blir mobbad på Marnässkolan varje rast."
REPLY_TEXT = "Elsa Berg 120315-1234 borde byta skola."
POST_TEXT = "Skolstarten i Ludvika: välkommen tillbaka!"
# What must never leave in the masked delivery, in any file.
SECRETS = [
    "120315", "1234", "Elsa", "Berg", "Kalle", "Karlsson", "kalle-1", "facebook.com/kalle",
    "Min dotter", "mobbad", "Marnässkolan", "Anna", "Skolstarten", "raw-marker",
]


def _scenario(channel):
    post = make_record(channel, platform_id="p-1", kind="post", text=POST_TEXT,
                       author={"platform_id": "ludvika", "name": "Ludvika kommun", "profile_url": ""},
                       thread={"root_platform_id": "", "root_text": "", "parent_platform_id": "", "parent_text": ""})
    parent = make_record(
        channel, platform_id="p-1_c-1", text=PARENT_TEXT,
        author={"platform_id": "anna-9", "name": "Anna Berg", "profile_url": "https://facebook.com/anna.berg"},
        thread={"root_platform_id": "p-1", "root_text": POST_TEXT, "parent_platform_id": "p-1",
                "parent_text": POST_TEXT},
    )
    reply = make_record(
        channel, platform_id="p-1_c-2", kind="reply", text=REPLY_TEXT,
        author={"platform_id": "kalle-1", "name": "Kalle Karlsson", "profile_url": "https://facebook.com/kalle.karlsson"},
        thread={"root_platform_id": "p-1", "root_text": POST_TEXT, "parent_platform_id": "p-1_c-1",
                "parent_text": PARENT_TEXT},
        raw={"id": "p-1_c-2", "message": REPLY_TEXT, "from": {"id": "kalle-1", "name": "Kalle Karlsson"},
             "parent": {"message": PARENT_TEXT}, "marker": "raw-marker"},
    )
    return post, parent, reply


def _pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(data)).pages)


def _every_file_as_text(zip_bytes: bytes) -> dict[str, str]:
    """Every file in a zipped bag as text: a PDF by its text layer, anything else decoded."""
    out = {}
    with zipfile.ZipFile(io.BytesIO(zip_bytes)) as bag:
        for name in bag.namelist():
            data = bag.read(name)
            out[name] = _pdf_text(data) if data.startswith(b"%PDF-") else data.decode("utf-8", errors="replace")
    return out


def _leaks(text: str, secrets=SECRETS) -> list[str]:
    return [s for s in secrets if s.casefold() in text.casefold()]


def test_a_masked_reply_leaks_nothing_in_the_pdf_or_any_file_of_the_bag(records_officer, channel):
    _post, _parent, reply = _scenario(channel)
    request = make_request(records_officer, description="Kommentarer om mobbning på skolan")
    services.request_add_records(request=request, records=[reply], user=records_officer)
    item = request.items.get()
    services.masking_create(item=item, phrases=["Elsa Berg", "120315-1234"], whole_fields=["author"],
                            osl_reference="OSL 21:7", user=records_officer)
    services.request_decide(request=request, user=records_officer)

    pdf = services.export_path(services.export_request_pdf(request=request, user=records_officer)).read_bytes()
    text = _pdf_text(pdf)
    assert "borde byta skola" in text  # the text layer is read, and what was released is there
    assert _leaks(text) == []

    bag = services.export_path(services.export_request_bag(request=request, user=records_officer)).read_bytes()
    files = _every_file_as_text(bag)
    assert {"data/beslut.pdf", "data/beslut.txt", f"data/records/{reply.sequence:010d}.json"} <= {
        name.split("/", 1)[1] if name.count("/") > 1 else name for name in files} | set(files)
    assert {name: _leaks(content) for name, content in files.items() if _leaks(content)} == {}


def test_a_released_reply_carries_no_thread_context_no_author_id_and_no_raw_payload(records_officer, channel):
    _post, parent, reply = _scenario(channel)
    request = make_request(records_officer)
    services.request_add_records(request=request, records=[reply], user=records_officer)
    services.request_item_decide(item=request.items.get(), decision="release", user=records_officer)
    services.request_decide(request=request, user=records_officer)
    not_reviewed = ["Min dotter", "mobbad", "Marnässkolan", "Anna", "Skolstarten", "kalle-1",
                    "facebook.com/kalle", "raw-marker"]

    text = _pdf_text(services.export_path(services.export_request_pdf(request=request, user=records_officer))
                     .read_bytes())
    assert REPLY_TEXT in text.replace("\n", " ") and "Kalle Karlsson" in text  # released: the reviewed fields
    assert f"arkivpost {parent.sequence}" in text  # the parent is named by its record, never quoted
    assert _leaks(text, not_reviewed) == []
    files = _every_file_as_text(services.export_path(
        services.export_request_bag(request=request, user=records_officer)).read_bytes())
    assert {name: _leaks(content, not_reviewed) for name, content in files.items() if _leaks(content, not_reviewed)} == {}


def test_the_parent_is_released_only_as_its_own_reviewed_record(records_officer, channel):
    _post, parent, reply = _scenario(channel)
    request = make_request(records_officer)
    services.request_add_records(request=request, records=[reply, parent], user=records_officer)
    reply_item, parent_item = (request.items.get(record=reply), request.items.get(record=parent))
    services.request_item_decide(item=reply_item, decision="release", user=records_officer)
    services.masking_create(item=parent_item, phrases=["Elsa Berg", "120315-1234"], whole_fields=["author"],
                            osl_reference="OSL 23:2", user=records_officer)
    services.request_decide(request=request, user=records_officer)
    text = _pdf_text(services.export_path(services.export_request_pdf(request=request, user=records_officer))
                     .read_bytes())
    assert "blir mobbad" in text  # reviewed and released (masked) as its own record
    assert "Anna Berg" not in text and "(120315-1234)" not in text


def test_every_field_that_leaves_is_on_the_review_page(client, records_officer, channel):
    _post, _parent, reply = _scenario(channel)
    request = make_request(records_officer)
    services.request_add_records(request=request, records=[reply], user=records_officer)
    item = request.items.get()
    page = client_get(client, records_officer, reverse("archive-request-item-review", args=[request.pk, item.pk]))
    view = services.record_view(reply)
    for field in view.fields:
        assert field.label in page and field.value.replace("&", "&amp;") in page, field.key
    for field in view.maskable:
        assert f'name="whole_fields" value="{field.key}"' in page, field.key
    # What a delivery never carries is not offered either.
    assert "Min dotter" not in page and "kalle-1" not in page


def client_get(client, user, url) -> str:
    client.force_login(user)
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def test_suggestions_find_the_personnummer_and_the_names(records_officer, channel):
    _post, _parent, reply = _scenario(channel)
    phrases = {s.phrase for s in services.mask_suggestions(services.record_view(reply))}
    assert {"120315-1234", "Elsa Berg", "Kalle Karlsson"} <= phrases


def test_masking_with_an_unknown_field_or_ground_changes_nothing(records_officer, channel):
    _post, _parent, reply = _scenario(channel)
    request = make_request(records_officer)
    services.request_add_records(request=request, records=[reply], user=records_officer)
    item = request.items.get()
    with pytest.raises(ValidationError, match="Okänt fält"):
        services.masking_create(item=item, whole_fields=["raw"], osl_reference="OSL 21:7", user=records_officer)
    with pytest.raises(ValidationError, match="listan"):
        services.masking_create(item=item, phrases=["Elsa"], osl_reference="OSL 99:9", user=records_officer)
    with pytest.raises(ValidationError, match="listan"):
        services.request_item_decide(item=item, decision="refuse", osl_reference="påhittad grund", user=records_officer)
    item.refresh_from_db()
    assert item.decision == "pending" and not item.masked_copies.exists()


def test_the_review_page_refuses_an_unknown_ground_in_swedish(client, records_officer, channel):
    _post, _parent, reply = _scenario(channel)
    request = make_request(records_officer)
    services.request_add_records(request=request, records=[reply], user=records_officer)
    item = request.items.get()
    client.force_login(records_officer)
    response = client.post(reverse("archive-request-item-review", args=[request.pk, item.pk]),
                           {"phrases": "Elsa", "osl_reference": "OSL 99:9"})
    assert response.status_code == 400 and "Välj sekretessgrunden ur listan" in response.content.decode()
    assert RequestItem.objects.get(pk=item.pk).decision == "pending"


def test_the_data_subject_extract_holds_only_the_persons_own_data(records_officer, channel):
    _post, _parent, reply = _scenario(channel)
    services.snapshot_for_removal(snapshot=json.loads(reply.content)["snapshot"], decided_by=records_officer,
                                  codes=["personuppgifter"], reason="Personnummer om ett barn.")
    export = services.export_data_subject(user=records_officer, author_platform_id="kalle-1")
    files = _every_file_as_text(services.export_path(export).read_bytes())
    everything = "\n".join(files.values())
    assert REPLY_TEXT in everything  # their own text, every version
    assert "Personnummer om ett barn." in everything  # the decision about them
    others = ["Min dotter", "mobbad", "Anna", "Skolstarten", "raw-marker", records_officer.first_name]
    assert [o for o in others if o in everything] == []
    assert '"raw"' not in everything and "parent_text" not in everything
    assert "Integritetsskyddsmyndigheten" in files[next(n for n in files if n.endswith("sammanfattning.txt"))]
