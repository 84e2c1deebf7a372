"""Form validation through the staff pages: every rule, a Swedish message, and nothing saved."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from registry.forms import ChannelForm
from registry.models import Appointment, ChangeRecord, Channel, DepartmentDecision, Party

pytestmark = pytest.mark.django_db


def channel_post(dept, **overrides):
    data = {
        "department": dept.pk, "platform": "facebook", "name": "Ludvika simhall",
        "public_url": "https://www.facebook.com/ludvikasimhall", "account_id": "", "purpose": "",
        "responsible": "", "public_contact": "", "public_contact_email": "", "response_target_hours": "8",
    }
    data.update(overrides)
    return data


def assert_refused(response, text):
    assert response.status_code == 200
    body = response.content.decode()
    assert "Formuläret innehåller fel. Inget har sparats." in body
    assert text in body, body[body.find("errorlist") - 200: body.find("errorlist") + 400]


@pytest.fixture
def as_admin(client, dept_admin):
    client.force_login(dept_admin)
    return client


@pytest.mark.parametrize(("overrides", "message"), [
    ({"public_url": "https://www.instagram.com/simhall"}, "Adressen hör inte till Facebook"),
    ({"platform": "mastodon", "public_url": "https://mastodon.nu/simhall"}, "https://server.example/@konto"),
    ({"public_url": "inte en adress"}, "Fyll i en giltig URL"),
    ({"name": ""}, "Detta fält måste fyllas i"),
    ({"platform": "myspace"}, "Välj ett giltigt alternativ"),
    ({"response_target_hours": "0"}, "Kontrollera att detta värde är större än eller lika med 1"),
    ({"public_contact_email": "inte-epost"}, "Fyll i en giltig e-postadress"),
])
def test_invalid_channel_submission_saves_nothing(as_admin, dept, overrides, message):
    response = as_admin.post(reverse("registry-channel-create"), channel_post(dept, **overrides))
    assert_refused(response, message)
    assert not Channel.objects.exists() and not ChangeRecord.objects.exists()


def test_duplicate_address_is_refused_case_insensitively(as_admin, dept, channel):
    response = as_admin.post(reverse("registry-channel-create"), channel_post(dept, public_url=channel.public_url.upper()))
    assert_refused(response, "Det finns redan en kanal med den adressen.")
    assert response.content.decode().count("Det finns redan en kanal med den adressen.") == 1
    assert Channel.objects.count() == 1


def test_duplicate_account_on_same_platform_is_refused(as_admin, dept, channel):
    response = as_admin.post(reverse("registry-channel-create"), channel_post(dept, account_id=channel.account_id))
    assert_refused(response, "Det finns redan en kanal med det kontot på plattformen.")
    assert Channel.objects.count() == 1


def test_editing_a_channel_keeps_its_own_address_valid(client, informator, channel):
    form = ChannelForm(data={**channel_post(channel.department), "public_url": channel.public_url,
                             "account_id": channel.account_id, "name": "Nytt namn"},
                       instance=channel, user=informator)
    assert form.is_valid(), form.errors


def test_department_admin_cannot_submit_for_another_department(as_admin, other_dept):
    response = as_admin.post(reverse("registry-channel-create"), channel_post(other_dept))
    assert_refused(response, "Välj ett giltigt alternativ")
    assert not Channel.objects.exists()


def test_appointment_dates_out_of_order_are_refused(as_admin, channel, outsider):
    today = timezone.localdate()
    response = as_admin.post(reverse("registry-appointment-create", args=[channel.pk]), {
        "user": outsider.pk, "role": "substitute", "starts_on": today.isoformat(),
        "ends_on": (today - dt.timedelta(days=1)).isoformat(),
    })
    assert_refused(response, "Slutdatum får inte vara före startdatum.")
    assert Appointment.objects.filter(channel=channel).count() == 2


def test_appointment_overlap_is_refused_with_a_message(as_admin, channel, representative):
    response = as_admin.post(reverse("registry-appointment-create", args=[channel.pk]), {
        "user": representative.pk, "role": "representative", "starts_on": timezone.localdate().isoformat(),
    })
    assert_refused(response, "Personen har redan ett sådant förordnande på kanalen under samma tid.")
    assert Appointment.objects.filter(channel=channel).count() == 2


def test_appointment_end_before_start_is_refused(as_admin, channel):
    appointment = channel.appointments.get(role="representative")
    response = as_admin.post(reverse("registry-appointment-end", args=[appointment.pk]), {
        "ends_on": (appointment.starts_on - dt.timedelta(days=1)).isoformat()})
    assert_refused(response, "Slutdatum får inte vara före startdatum.")
    appointment.refresh_from_db()
    assert appointment.ends_on is None


@pytest.mark.parametrize(("data", "message"), [
    ({"uses_social_media": "on", "services": []}, "Välj minst en tjänst"),
    ({"services": ["facebook"]}, "Välj inga tjänster när förvaltningen inte använder sociala medier."),
    ({"uses_social_media": "on", "services": ["facebook"], "decided_on": "2999-01-01"}, "kan inte ligga i framtiden"),
    ({"uses_social_media": "on", "services": ["facebook"], "decided_by": ""}, "Detta fält måste fyllas i"),
])
def test_invalid_decision_saves_nothing(as_admin, dept, data, message):
    post = {"decided_on": "2025-01-10", "decided_by": "Förvaltningschefen", "reference": "", "note": "", **data}
    response = as_admin.post(reverse("registry-decision-create", args=[dept.pk]), post)
    assert_refused(response, message)
    assert not DepartmentDecision.objects.exists()


def test_party_needs_a_web_address(client, informator):
    client.force_login(informator)
    response = client.post(reverse("registry-party-create"), {
        "name": "Partiet", "abbreviation": "", "website": "inte en adress", "council_seats": "2"})
    assert_refused(response, "Fyll i en giltig URL")
    assert not Party.objects.exists()


@pytest.mark.parametrize(("data", "message"), [
    ({"roles": ["foretradare"], "department": ""}, "Välj förvaltning för förvaltningsadministratörer och företrädare."),
    ({"email": "informator@ludvika.se"}, "Det finns redan ett konto med den e-postadressen."),
    ({"username": "informator"}, "Användarnamnet är upptaget."),
    ({"password1": "kort", "password2": "kort"}, "Det här lösenordet är för kort"),
    ({"password1": "ett-langt-losenord-1", "password2": "ett-annat-losenord-2"}, "Lösenorden är inte lika."),
    ({"roles": []}, "Detta fält måste fyllas i"),
])
def test_invalid_staff_account_saves_nothing(client, informator, dept, data, message):
    from django.contrib.auth import get_user_model

    client.force_login(informator)
    before = get_user_model().objects.count()
    post = {"username": "ny", "first_name": "Ny", "last_name": "Person", "email": "ny@ludvika.se",
            "roles": ["registrator"], "department": dept.pk, "password1": "", "password2": "", **data}
    response = client.post(reverse("registry-user-create"), post)
    assert_refused(response, message)
    assert get_user_model().objects.count() == before
    assert not ChangeRecord.objects.filter(object_type="user").exists()
