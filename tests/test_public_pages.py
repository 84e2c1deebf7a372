"""The public pages: channel list, JSON feed, embeddable fragment, comment policy, accessibility."""

import json

import pytest
from django.urls import reverse

from registry.audit import record_change, snapshot
from registry.models import ChannelStatus
from registry.policy import PROHIBITED_CATEGORIES
from tests.factories import ChannelFactory, DepartmentFactory, PartyFactory


def _touch(channel, **changes):
    """Change a channel the way a service does: save and record the change."""
    before = snapshot(channel)
    for field, value in changes.items():
        setattr(channel, field, value)
    channel.save()
    record_change(obj=channel, object_type="channel", action="update", actor=None, before=before)


@pytest.fixture
def registry_world(db):
    dept = DepartmentFactory(name="Fritidsförvaltningen")
    active = ChannelFactory(department=dept, name="Ludvika bibliotek", public_contact="Ring biblioteket")
    pending = ChannelFactory(department=dept, name="Ny kanal", status=ChannelStatus.SUBMITTED, activated_at=None)
    PartyFactory(name="Socialdemokraterna", council_seats=17)
    PartyFactory(name="Utan mandat", council_seats=0, has_board_seat=False)
    for c in (active, pending):
        record_change(obj=c, object_type="channel", action="create", actor=None, before=None)
    return {"active": active, "pending": pending, "dept": dept}


def test_channel_list_shows_active_channels_grouped_by_department(client, registry_world):
    response = client.get(reverse("public-channels"))
    assert response.status_code == 200
    body = response.content.decode()
    assert "Ludvika bibliotek" in body
    assert "Fritidsförvaltningen" in body
    assert "Ring biblioteket" in body
    assert "Ny kanal" not in body, "a channel still under anmälan is not public"


def test_channel_list_shows_eligible_parties_and_disclaimer(client, registry_world):
    body = client.get(reverse("public-channels")).content.decode()
    assert "Socialdemokraterna" in body
    assert "Utan mandat" not in body, "only parties with a seat may be linked"
    assert "ansvarar inte för inlägg och kommentarer" in body
    assert reverse("comment-policy") in body


def test_channel_list_hides_staff_personal_data(client, registry_world, representative):
    channel = registry_world["active"]
    channel.responsible = representative
    channel.save()
    body = client.get(reverse("public-channels")).content.decode()
    assert representative.last_name not in body
    assert representative.email not in body


def test_public_page_is_semantic_swedish_html(client, registry_world):
    body = client.get(reverse("public-channels")).content.decode()
    assert '<html lang="sv">' in body
    assert 'class="skip-link" href="#main"' in body
    for landmark in ("<header", "<main", "<footer", "<nav"):
        assert landmark in body


def test_hostile_channel_purpose_is_rendered_inert(client, db):
    dept = DepartmentFactory()
    channel = ChannelFactory(department=dept, purpose='<script>alert(1)</script><img src=x onerror="alert(2)">')
    record_change(obj=channel, object_type="channel", action="create", actor=None, before=None)
    body = client.get(reverse("public-channels")).content.decode()
    assert "<script>alert(1)" not in body
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body
    assert "<img src=x" not in body


def test_json_feed_has_documented_fields_and_cors(client, registry_world):
    response = client.get(reverse("public-channels-json"))
    assert response.status_code == 200
    assert response["Access-Control-Allow-Origin"] == "*"
    data = json.loads(response.content)
    assert set(data) == {
        "municipality", "updated", "comment_policy_url", "comment_policy_version", "party_disclaimer",
        "channels", "parties",
    }
    [channel] = data["channels"]
    assert set(channel) == {
        "id", "name", "platform", "platform_name", "url", "purpose", "department", "board", "contact",
        "contact_email", "active_since", "comment_policy_additions",
    }
    assert channel["name"] == "Ludvika bibliotek"
    assert [p["name"] for p in data["parties"]] == ["Socialdemokraterna"]


def test_embed_is_a_fragment_without_page_layout(client, registry_world):
    response = client.get(reverse("public-channels-embed"))
    body = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in body and "<header" not in body
    assert "Ludvika bibliotek" in body
    assert response["Access-Control-Allow-Origin"] == "*"


@pytest.mark.parametrize("url_name", ["public-channels", "public-channels-json", "public-channels-embed"])
def test_conditional_get_returns_304_until_the_registry_changes(client, registry_world, url_name):
    url = reverse(url_name)
    first = client.get(url)
    etag, last_modified = first["ETag"], first["Last-Modified"]
    assert client.get(url, headers={"if-none-match": etag}).status_code == 304

    _touch(registry_world["active"], name="Ludvika stadsbibliotek")

    changed = client.get(url, headers={"if-none-match": etag})
    assert changed.status_code == 200
    assert changed["ETag"] != etag
    assert "Ludvika stadsbibliotek" in changed.content.decode()
    assert changed["Last-Modified"] >= last_modified


def test_channel_list_query_count_does_not_grow_with_channels(client, db, django_assert_max_num_queries):
    dept = DepartmentFactory()
    ChannelFactory.create_batch(3, department=dept)
    record_change(obj=dept, object_type="department", action="create", actor=None, before=None)
    # The version, the channels, the parties, the channels' approved additions (moderation), the newest change.
    with django_assert_max_num_queries(5):
        client.get(reverse("public-channels"))
    for n in range(60):
        other = DepartmentFactory() if n % 10 == 0 else dept
        ChannelFactory(department=other)
    record_change(obj=dept, object_type="department", action="update", actor=None, before=None)
    with django_assert_max_num_queries(5):
        response = client.get(reverse("public-channels"))
    assert response.content.decode().count('class="platform"') == 63


def test_comment_policy_lists_the_eight_categories_and_contact(client, db):
    body = client.get(reverse("comment-policy")).content.decode()
    assert len(PROHIBITED_CATEGORIES) == 8
    for category in PROHIBITED_CATEGORIES:
        assert category.plain[:40].lower() in body.lower()
    assert "allmänna handlingar" in body
    assert "Version" in body


def test_accessibility_statement_is_published(client, db):
    body = client.get(reverse("accessibility")).content.decode()
    assert "Tillgänglighetsredogörelse" in body
    assert "Digg" in body


def test_unknown_url_gets_styled_404(client, db, settings):
    settings.DEBUG = False
    response = client.get("/finns-inte/")
    assert response.status_code == 404
    assert "Sidan finns inte" in response.content.decode()


def test_server_error_page_shows_no_internals(rf):
    from ludvika_social.views import server_error

    response = server_error(rf.get("/"))
    body = response.content.decode()
    assert response.status_code == 500
    assert "Ett fel uppstod" in body
    assert "Traceback" not in body and "settings" not in body


def test_the_site_has_a_favicon_at_the_root_and_in_every_page_head(client, registry_world):
    # Browsers ask for /favicon.ico on their own (the embeddable fragment has no <head>).
    response = client.get("/favicon.ico")
    assert response.status_code == 200
    assert response["Content-Type"] in ("image/x-icon", "image/vnd.microsoft.icon")
    assert b"".join(response.streaming_content)[:4] == b"\x00\x00\x01\x00"
    page = client.get(reverse("public-channels")).content.decode()
    assert 'rel="icon" href="/static/img/favicon.svg"' in page


@pytest.mark.parametrize("address", ["javascript:alert(1)", " JavaScript:alert(1)", "data:text/html,<b>x</b>",
                                     "//evil.example/", "vbscript:msgbox"])
def test_an_address_that_is_not_http_is_never_a_link_or_in_the_feed(client, db, address):
    # Forms refuse these (URLField); written to the database by other means, they are still not output.
    ChannelFactory(name="Kanal med fel adress", public_url=address)
    PartyFactory(name="Parti med fel adress", website=address)
    for name in ("public-channels", "public-channels-embed"):
        body = client.get(reverse(name)).content.decode()
        assert "Kanal med fel adress" in body and "Parti med fel adress" in body
        assert address.strip() not in body and "javascript:" not in body.lower()
    feed = client.get(reverse("public-channels-json")).json()
    assert [c["url"] for c in feed["channels"]] == [""]
    assert [p["website"] for p in feed["parties"] if p["name"] == "Parti med fel adress"] == [""]
