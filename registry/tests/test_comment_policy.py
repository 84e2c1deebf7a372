"""The public comment policy as dated versions (lag (1998:112) 3 §): earlier versions stay readable at
their own address, decisions record the version in force, and approved per-channel additions are
published with the channel's entry."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from registry import selectors, services
from registry.models import ChangeRecord, CommentPolicyVersion

pytestmark = pytest.mark.django_db


def test_the_first_version_is_published_and_in_force(client):
    assert selectors.comment_policy_version() == "2026-11-28"
    page = client.get(reverse("comment-policy")).content.decode()
    assert "Version 2026-11-28" in page and "<h2>Vad kommentarer och inlägg inte får innehålla</h2>" in page


def test_a_new_version_takes_over_and_the_old_one_stays_readable_at_its_address(client, informator):
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    services.comment_policy_publish(actor=informator, valid_from=timezone.localdate(), version="2026-12-04",
                                    body="## Nytt\n- Inga <script>länkar</script> till spel.", change_note="Spel.")
    assert selectors.comment_policy_version() == "2026-12-04"
    page = client.get(reverse("comment-policy")).content.decode()
    assert "Inga &lt;script&gt;länkar&lt;/script&gt; till spel." in page  # plain text, escaped
    old = client.get(reverse("comment-policy-version", args=["2026-11-28"]))
    assert old.status_code == 200 and "tidigare version" in old.content.decode()
    assert ChangeRecord.objects.filter(object_type="policy", action="publish").count() == 1
    with pytest.raises(ValidationError, match="senare datum"):
        services.comment_policy_publish(actor=informator, valid_from=timezone.localdate(), body="x")
    services.comment_policy_publish(actor=informator, valid_from=tomorrow, body="Kommer i morgon")
    assert selectors.comment_policy_version() == "2026-12-04"  # not yet in force


def test_a_version_cannot_apply_in_the_past_or_be_published_by_others(informator, representative):
    with pytest.raises(ValidationError, match="bakåt"):
        services.comment_policy_publish(actor=informator, valid_from=dt.date(2020, 1, 1), body="x")
    with pytest.raises(PermissionDenied):
        services.comment_policy_publish(actor=representative, valid_from=timezone.localdate(), body="x")
    assert CommentPolicyVersion.objects.count() == 1


def test_the_informator_publishes_from_the_staff_page(client, informator):
    client.force_login(informator)
    response = client.post(reverse("registry-policy-list"), {
        "valid_from": timezone.localdate().isoformat(), "body": "## Ny\nText.", "change_note": "Ny rubrik."})
    assert response.status_code == 302
    bad = client.post(reverse("registry-policy-list"), {"valid_from": "2001-01-01", "body": "x", "change_note": "y"})
    assert bad.status_code == 400 and "bakåt i tiden" in bad.content.decode()
    assert CommentPolicyVersion.objects.count() == 2


def test_an_unknown_version_is_404(client):
    assert client.get(reverse("comment-policy-version", args=["1999"])).status_code == 404
