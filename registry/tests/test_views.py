"""Staff pages of the registry: what each role may do, object scoping, list queries, workflows."""

import pytest
from django.test import Client
from django.urls import reverse

from registry import services
from registry.models import Appointment, ChangeRecord, Channel, ChannelStatus, DepartmentDecision
from tests.factories import ChannelFactory, DepartmentFactory

pytestmark = pytest.mark.django_db


def login(client, user):
    client.force_login(user)
    return client


def submitted_channel(dept, dept_admin):
    return services.channel_submit(actor=dept_admin, data={
        "department": dept, "platform": "instagram", "name": "Ludvika konsthall",
        "public_url": "https://www.instagram.com/ludvikakonsthall", "account_id": "", "purpose": "Utställningar",
        "responsible": dept_admin, "public_contact": "", "public_contact_email": "", "response_target_hours": 8,
    })


# --- the list page ---------------------------------------------------------------------------


@pytest.mark.parametrize("count", [5, 50])
def test_channel_list_query_count_does_not_grow(client, informator, dept, count, django_assert_max_num_queries):
    ChannelFactory.create_batch(count, department=dept)
    login(client, informator)
    with django_assert_max_num_queries(8):
        response = client.get(reverse("registry-channel-list"))
    assert response.status_code == 200
    assert response.context["page"].paginator.count == count


def test_channel_list_filters_searches_and_sorts(client, informator, channel, other_channel):
    login(client, informator)
    url = reverse("registry-channel-list")

    def names(**params):
        return [c.name for c in client.get(url, params).context["page"].object_list]

    assert names(platform="instagram") == ["Ludvika skolor"]
    assert names(department=channel.department_id) == ["Ludvika bibliotek"]
    assert names(status="anmald") == []
    assert names(q="BIBLIO") == ["Ludvika bibliotek"]
    assert names(sort="-name") == ["Ludvika skolor", "Ludvika bibliotek"]
    assert names(sort="name") == ["Ludvika bibliotek", "Ludvika skolor"]


def test_channel_list_paginates(client, informator, dept):
    ChannelFactory.create_batch(30, department=dept)
    login(client, informator)
    first = client.get(reverse("registry-channel-list"), {"sort": "name"})
    second = client.get(reverse("registry-channel-list"), {"sort": "name", "sida": 2})
    assert len(first.context["page"].object_list) == 25 and len(second.context["page"].object_list) == 5
    assert "sort=name&amp;sida=2" in first.content.decode()


def test_department_staff_see_only_their_channels_plus_appointments(client, substitute, outsider, channel, other_channel):
    login(client, substitute)
    listed = {c.pk for c in client.get(reverse("registry-channel-list")).context["page"].object_list}
    assert listed == {channel.pk, other_channel.pk}  # own department's and the one they substitute on
    login(client, outsider)
    listed = {c.pk for c in client.get(reverse("registry-channel-list")).context["page"].object_list}
    assert listed == {other_channel.pk}


# --- scoping by guessed ids ------------------------------------------------------------------


@pytest.mark.parametrize(("name", "method"), [
    ("registry-channel-detail", "get"), ("registry-channel-edit", "get"), ("registry-channel-edit", "post"),
    ("registry-channel-request-closure", "post"), ("registry-appointment-create", "post"),
])
def test_outsider_cannot_see_or_change_another_departments_channel(client, outsider, channel, name, method):
    login(client, outsider)
    url = reverse(name, args=[channel.pk])
    response = getattr(client, method)(url, {"name": "Kapad", "reason": "x", "user": outsider.pk, "role": "substitute",
                                              "starts_on": "2025-01-01"})
    assert response.status_code == 404
    channel.refresh_from_db()
    assert channel.name == "Ludvika bibliotek" and channel.closure_requested_at is None
    assert not Appointment.objects.filter(user=outsider).exists()
    assert not ChangeRecord.objects.exists()


def test_outsider_cannot_end_appointments_or_record_decisions_of_another_department(client, outsider, channel, dept):
    login(client, outsider)
    appointment = channel.appointments.first()
    assert client.post(reverse("registry-appointment-end", args=[appointment.pk]), {"ends_on": "2030-01-01"}).status_code == 404
    assert client.post(reverse("registry-decision-create", args=[dept.pk]), {
        "uses_social_media": "on", "services": ["facebook"], "decided_on": "2025-01-01", "decided_by": "X"}).status_code == 404
    assert client.get(reverse("registry-department-detail", args=[dept.pk])).status_code == 404
    appointment.refresh_from_db()
    assert appointment.ends_on is None and not DepartmentDecision.objects.exists()


def test_substitute_sees_the_channel_but_cannot_change_it(client, substitute, channel):
    login(client, substitute)
    response = client.get(reverse("registry-channel-detail", args=[channel.pk]))
    assert response.status_code == 200 and not response.context["can_change"]
    assert client.get(reverse("registry-channel-edit", args=[channel.pk])).status_code == 403


def test_department_admin_cannot_approve_or_close(client, dept_admin, channel):
    login(client, dept_admin)
    assert client.post(reverse("registry-channel-close", args=[channel.pk]), {"reason": "x"}).status_code == 403
    pending = submitted_channel(channel.department, dept_admin)
    assert client.post(reverse("registry-channel-approve", args=[pending.pk]), {}).status_code == 403
    assert Channel.objects.get(pk=pending.pk).status == ChannelStatus.SUBMITTED


def test_department_admin_edit_form_has_no_department_or_checklist(client, dept_admin, channel):
    login(client, dept_admin)
    form = client.get(reverse("registry-channel-edit", args=[channel.pk])).context["form"]
    assert "department" not in form.fields and "profile_picture_ok" not in form.fields
    response = client.post(reverse("registry-channel-edit", args=[channel.pk]), {
        "platform": "facebook", "name": "Biblioteket", "public_url": channel.public_url, "account_id": channel.account_id,
        "purpose": "", "responsible": "", "public_contact": "", "public_contact_email": "", "response_target_hours": 8,
        "department": DepartmentFactory().pk, "profile_picture_ok": "on",
    })
    assert response.status_code == 302
    channel.refresh_from_db()
    assert channel.name == "Biblioteket" and channel.department.slug == "kultur-fritid" and not channel.profile_picture_ok


# --- workflows through the pages ---------------------------------------------------------------


def test_anmalan_to_approval_through_the_pages(client, dept, dept_admin, informator, django_capture_on_commit_callbacks):
    from django.core import mail

    from tests.factories import DepartmentDecisionFactory

    DepartmentDecisionFactory(department=dept, services=["youtube"], reference="KFN 2026/40")
    login(client, dept_admin)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("registry-channel-create"), {
            "department": dept.pk, "platform": "youtube", "name": "Ludvika på YouTube",
            "public_url": "https://www.youtube.com/@ludvika", "account_id": "", "purpose": "Filmer", "responsible": "",
            "public_contact": "", "public_contact_email": "", "response_target_hours": "8",
        })
    channel = Channel.objects.get(name="Ludvika på YouTube")
    assert response.status_code == 302 and channel.status == ChannelStatus.SUBMITTED
    assert len(mail.outbox) == 1

    login(client, informator)
    home = client.get(reverse("staff-home")).content.decode()
    assert "Ludvika på YouTube" in home
    page = client.get(reverse("registry-channel-detail", args=[channel.pk])).content.decode()
    assert "Kontrollera den grafiska profilen" in page and "Avslå anmälan" in page
    assert "KFN 2026/40" in page and "Beslutet omfattar YouTube" in page  # the decision it rests on
    response = client.post(reverse("registry-channel-approve", args=[channel.pk]),
                           {"profile_picture_ok": "on", "profile_name_ok": "on"}, follow=True)
    assert "Anmälan är godkänd" in response.content.decode()
    channel.refresh_from_db()
    assert channel.status == ChannelStatus.ACTIVE and channel.profile_picture_ok and not channel.official_marking_ok
    # Approving again is refused with a message and changes nothing.
    count = ChangeRecord.objects.count()
    response = client.post(reverse("registry-channel-approve", args=[channel.pk]), {}, follow=True)
    assert "Kanalen kan inte godkännas" in response.content.decode()
    assert ChangeRecord.objects.count() == count


def test_reject_without_motivation_is_refused(client, informator, dept, dept_admin):
    pending = submitted_channel(dept, dept_admin)
    login(client, informator)
    response = client.post(reverse("registry-channel-reject", args=[pending.pk]), {"motivation": ""}, follow=True)
    assert "Skriv en motivering till avslaget." in response.content.decode()
    assert Channel.objects.get(pk=pending.pk).status == ChannelStatus.SUBMITTED


def test_history_table_shows_changed_fields(client, informator, channel):
    services.channel_update(actor=informator, channel=channel, data={"purpose": "Boktips och evenemang"})
    login(client, informator)
    body = client.get(reverse("registry-channel-detail", args=[channel.pk])).content.decode()
    assert "Ändringshistorik" in body and "Syfte" in body and "Boktips och evenemang" in body
    assert "Inga Informatör" in body


def test_user_text_is_escaped_on_staff_pages(client, informator, channel):
    services.channel_update(actor=informator, channel=channel, data={"purpose": "<script>alert(1)</script>"})
    login(client, informator)
    body = client.get(reverse("registry-channel-detail", args=[channel.pk])).content.decode()
    assert "<script>alert(1)</script>" not in body and "&lt;script&gt;alert(1)&lt;/script&gt;" in body


def test_state_changes_need_post_and_csrf(informator, channel):
    client = Client(enforce_csrf_checks=True)
    client.force_login(informator)
    assert client.get(reverse("registry-channel-close", args=[channel.pk])).status_code == 405
    assert client.post(reverse("registry-channel-close", args=[channel.pk]), {"reason": "x"}).status_code == 403
    channel.refresh_from_db()
    assert channel.status == ChannelStatus.ACTIVE


def test_department_admin_records_a_decision_and_appoints(client, dept_admin, dept, channel, outsider):
    login(client, dept_admin)
    response = client.post(reverse("registry-decision-create", args=[dept.pk]), {
        "uses_social_media": "on", "services": ["facebook", "youtube"], "decided_on": "2025-02-01",
        "decided_by": "Förvaltningschefen", "reference": "KFN 2025/7", "note": ""})
    assert response.status_code == 302
    page = client.get(reverse("registry-department-detail", args=[dept.pk])).content.decode()
    assert "KFN 2025/7" in page and "Facebook, YouTube" in page
    response = client.post(reverse("registry-appointment-create", args=[channel.pk]), {
        "user": outsider.pk, "role": "substitute", "starts_on": "2025-03-01", "ends_on": "2025-06-30"})
    assert response.status_code == 302
    assert Appointment.objects.filter(channel=channel, user=outsider, role="substitute").exists()


def test_informator_manages_accounts(client, informator, dept, django_capture_on_commit_callbacks):
    from django.contrib.auth import get_user_model
    from django.core import mail

    login(client, informator)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("registry-user-create"), {
            "username": "rut2", "first_name": "Rut", "last_name": "Ny", "email": "rut2@ludvika.se",
            "roles": ["foretradare"], "department": dept.pk, "password1": "", "password2": ""})
    user = get_user_model().objects.get(username="rut2")
    assert response.status_code == 302 and user.groups.filter(name="foretradare").exists()
    link = next(line for line in mail.outbox[0].body.splitlines() if "/konto/valj-losenord/" in line)
    # The link works without login and sets the password.
    anonymous = Client()
    form_page = anonymous.get(link.replace("http://testserver", ""), follow=True)
    assert form_page.context["validlink"]
    anonymous.post(form_page.redirect_chain[-1][0], {"new_password1": "ett-bra-losenord-77",
                                                     "new_password2": "ett-bra-losenord-77"})
    user.refresh_from_db()
    assert user.check_password("ett-bra-losenord-77")

    client.post(reverse("registry-user-set-active", args=[user.pk]), {"active": "0"})
    user.refresh_from_db()
    assert not user.is_active
    body = client.get(reverse("registry-user-detail", args=[user.pk])).content.decode()
    assert "konto inaktiverat" in body
