"""The Drift pages: health, credentials (encrypted, never shown again), settings, alerts, retries."""

from __future__ import annotations

import pytest
from django.urls import reverse

from channels.crypto import credentials_decrypt
from channels.models import ChannelSync, Item, OutboxAction, OutsideRemovalAlert
from tests.factories import ChannelFactory

pytestmark = pytest.mark.django_db

SECRET = "EAAB-super-secret-token-4711"


def test_credentials_are_stored_encrypted_and_never_shown_again(client, dept_admin, channel):
    client.force_login(dept_admin)
    url = reverse("channels-channel-credentials", kwargs={"pk": channel.pk})
    response = client.post(url, {"access_token": SECRET})
    assert response.status_code == 302
    sync = ChannelSync.objects.get(channel=channel)
    assert SECRET not in sync.credentials_encrypted
    assert credentials_decrypt(token=sync.credentials_encrypted) == {"access_token": SECRET}
    page = client.get(reverse("channels-channel-health", kwargs={"pk": channel.pk}))
    body = page.content.decode()
    assert SECRET not in body
    assert "lagrade " in body


def test_entering_credentials_clears_the_reauthorisation_flag(client, informator, channel):
    ChannelSync.objects.create(channel=channel, needs_reauth=True, last_error="token expired")
    client.force_login(informator)
    client.post(reverse("channels-channel-credentials", kwargs={"pk": channel.pk}), {"access_token": "ny"})
    assert ChannelSync.objects.get(channel=channel).needs_reauth is False


def test_empty_credentials_are_refused_with_a_swedish_message_and_nothing_changes(client, informator, channel):
    client.force_login(informator)
    response = client.post(reverse("channels-channel-credentials", kwargs={"pk": channel.pk}), {"access_token": ""})
    assert response.status_code == 400
    assert "Ange en åtkomsttoken." in response.content.decode()
    assert not ChannelSync.objects.filter(channel=channel).exclude(credentials_encrypted="").exists()


def test_a_wordpress_channel_asks_for_username_and_application_password(client, informator, dept):
    blog = ChannelFactory(department=dept, platform="wordpress", public_url="https://blogg.ludvika.se")
    client.force_login(informator)
    url = reverse("channels-channel-credentials", kwargs={"pk": blog.pk})
    response = client.post(url, {"username": "kommun"})
    assert response.status_code == 400
    assert "Ange både användarnamn och applikationslösenord." in response.content.decode()
    client.post(url, {"username": "kommun", "password": "abcd efgh ijkl"})
    sync = ChannelSync.objects.get(channel=blog)
    assert credentials_decrypt(token=sync.credentials_encrypted) == {"username": "kommun", "password": "abcd efgh ijkl"}


def test_settings_change_interval_and_address(client, dept_admin, channel):
    client.force_login(dept_admin)
    response = client.post(
        reverse("channels-channel-settings", kwargs={"pk": channel.pk}),
        {"api_base_url": "http://127.0.0.1:8765/facebook/v21.0", "poll_interval_minutes": "2"},
    )
    assert response.status_code == 302
    sync = ChannelSync.objects.get(channel=channel)
    assert (sync.api_base_url, sync.poll_interval_seconds, sync.polling_enabled) == (
        "http://127.0.0.1:8765/facebook/v21.0", 120, False,
    )


def test_a_bad_interval_is_refused_and_nothing_changes(client, dept_admin, channel):
    client.force_login(dept_admin)
    response = client.post(
        reverse("channels-channel-settings", kwargs={"pk": channel.pk}), {"poll_interval_minutes": "0"}
    )
    assert response.status_code == 400
    assert not ChannelSync.objects.filter(channel=channel).exists()


def test_a_department_admin_of_another_department_cannot_set_credentials(client, outsider, channel):
    client.force_login(outsider)
    response = client.post(reverse("channels-channel-credentials", kwargs={"pk": channel.pk}), {"access_token": "x"})
    assert response.status_code == 404
    assert not ChannelSync.objects.filter(channel=channel).exists()


def test_the_representative_sees_health_but_no_credential_form(client, representative, channel):
    client.force_login(representative)
    body = client.get(reverse("channels-channel-health", kwargs={"pk": channel.pk})).content.decode()
    assert "Åtkomsttoken" not in body
    assert "Drift:" in body


def test_health_overview_lists_only_visible_channels_in_few_queries(
    client, dept_admin, channel, other_channel, django_assert_max_num_queries
):
    for i in range(10):
        ChannelSync.objects.create(channel=ChannelFactory(department=channel.department, name=f"Extra {i}"))
    client.force_login(dept_admin)
    with django_assert_max_num_queries(12):
        response = client.get(reverse("channels-health"))
    body = response.content.decode()
    assert channel.name in body and "Extra 9" in body
    assert other_channel.name not in body


def test_alert_text_from_users_is_escaped(client, informator, channel):
    item = Item.objects.create(
        channel=channel, platform_id="x1", kind="comment", created_at="2026-01-01T10:00:00Z",
        author_name="<script>alert(1)</script>", visibility="hidden",
    )
    OutsideRemovalAlert.objects.create(item=item, channel=channel, previous_visibility="visible", new_visibility="hidden")
    client.force_login(informator)
    body = client.get(reverse("channels-health")).content.decode()
    assert "<script>alert(1)</script>" not in body
    assert "&lt;script&gt;" in body


def test_the_informator_acknowledges_an_alert_once(client, informator, channel):
    item = Item.objects.create(channel=channel, platform_id="x1", kind="comment", created_at="2026-01-01T10:00:00Z")
    alert = OutsideRemovalAlert.objects.create(
        item=item, channel=channel, previous_visibility="visible", new_visibility="deleted"
    )
    client.force_login(informator)
    client.post(reverse("channels-alert-acknowledge", kwargs={"pk": alert.pk}))
    alert.refresh_from_db()
    assert alert.acknowledged_by == informator
    first = alert.acknowledged_at
    client.post(reverse("channels-alert-acknowledge", kwargs={"pk": alert.pk}))
    alert.refresh_from_db()
    assert alert.acknowledged_at == first


def test_retry_is_offered_only_for_failed_actions(client, informator, channel, django_capture_on_commit_callbacks):
    item = Item.objects.create(channel=channel, platform_id="x1", kind="comment", created_at="2026-01-01T10:00:00Z")
    action = OutboxAction.objects.create(
        idempotency_key="k", channel=channel, item=item, kind="reply", text="Hej", state="succeeded"
    )
    client.force_login(informator)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        client.post(reverse("channels-outbox-retry", kwargs={"pk": action.pk}))
    action.refresh_from_db()
    assert action.state == "succeeded" and callbacks == []
