"""Registry services: each workflow, its history rows, its e-mails and its refusals."""

import datetime as dt

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from registry import selectors, services
from registry.models import (
    Appointment,
    AppointmentRole,
    ChangeRecord,
    Channel,
    ChannelStatus,
    Role,
)
from tests.factories import ChannelFactory, DepartmentDecisionFactory, UserFactory

pytestmark = pytest.mark.django_db


def channel_data(dept, **overrides):
    data = {
        "department": dept, "platform": "facebook", "name": "Ludvika simhall",
        "public_url": "https://www.facebook.com/ludvikasimhall", "account_id": "55501",
        "purpose": "Öppettider och nyheter.", "responsible": None, "public_contact": "Skriv till simhallen",
        "public_contact_email": "simhall@ludvika.se", "response_target_hours": 8,
    }
    data.update(overrides)
    return data


def records(obj_type, obj_id):
    return list(ChangeRecord.objects.filter(object_type=obj_type, object_id=obj_id).order_by("at", "id"))


def test_submission_is_pending_recorded_and_emails_every_informator(
    dept, dept_admin, informator, django_capture_on_commit_callbacks, settings
):
    settings.INFORMATOR_EMAIL = "informator@ludvika.se"
    UserFactory(username="inf2", email="inf2@ludvika.se", roles=[Role.INFORMATOR])
    UserFactory(username="inf3", email="inf3@ludvika.se", roles=[Role.INFORMATOR], is_active=False)
    with django_capture_on_commit_callbacks(execute=True):
        channel = services.channel_submit(actor=dept_admin, data=channel_data(dept), base_url="https://s.example/")
    assert channel.status == ChannelStatus.SUBMITTED
    assert channel.submitted_by == dept_admin
    (record,) = records("channel", channel.pk)
    assert record.action == "submit" and record.actor == dept_admin and record.before is None
    assert record.after["name"] == "Ludvika simhall"
    (message,) = mail.outbox
    assert sorted(message.to) == ["inf2@ludvika.se", "informator@ludvika.se"]
    assert "Ludvika simhall" in message.subject
    assert f"https://s.example/personal/kanaler/{channel.pk}/" in message.body
    assert channel in selectors.informator_attention()["pending_submissions"]


def test_submission_is_not_emailed_when_the_transaction_rolls_back(dept, dept_admin, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError), transaction.atomic():
        services.channel_submit(actor=dept_admin, data=channel_data(dept))
        raise RuntimeError("the caller's transaction fails after the service")
    assert mail.outbox == []
    assert not Channel.objects.exists()


def test_approve_makes_active_with_checklist_and_records_before_after(dept, dept_admin, informator):
    decision = DepartmentDecisionFactory(department=dept)
    channel = services.channel_submit(actor=dept_admin, data=channel_data(dept))
    services.channel_approve(
        actor=informator, channel=channel,
        checklist={"profile_picture_ok": True, "profile_name_ok": True, "official_marking_ok": False},
    )
    channel.refresh_from_db()
    assert channel.status == ChannelStatus.ACTIVE and channel.activated_at is not None
    assert channel.profile_picture_ok and channel.profile_name_ok and not channel.official_marking_ok
    approve = records("channel", channel.pk)[-1]
    assert approve.action == "approve" and approve.actor == informator
    assert approve.before["status"] == "anmald" and approve.after["status"] == "aktiv"
    assert channel in selectors.public_channels()
    assert f"med stöd av förvaltningens beslut {decision.decided_on.isoformat()} {decision.reference}" in channel.status_note


def test_a_channel_is_approved_only_on_a_decision_that_covers_its_platform_or_with_a_recorded_reason(
    dept, dept_admin, informator,
):
    DepartmentDecisionFactory(department=dept, services=["instagram"])
    channel = services.channel_submit(actor=dept_admin, data=channel_data(dept))  # a Facebook page
    count = ChangeRecord.objects.count()
    with pytest.raises(ValidationError, match="omfattar inte Facebook"):
        services.channel_approve(actor=informator, channel=channel, checklist={})
    assert Channel.objects.get(pk=channel.pk).status == ChannelStatus.SUBMITTED and ChangeRecord.objects.count() == count
    services.channel_approve(actor=informator, channel=channel, checklist={},
                             without_decision="Beslut fattas på ledningsgruppen i morgon; brådskande information.")
    channel.refresh_from_db()
    assert channel.status == ChannelStatus.ACTIVE and "utan stöd i förvaltningens beslut" in channel.status_note


def test_only_people_the_decision_appoints_can_be_made_representatives(channel, informator, representative):
    someone = UserFactory(username="annan", roles=["foretradare"], department=channel.department)
    with pytest.raises(ValidationError, match="utser inte"):
        services.appointment_create(actor=informator, channel=channel, user=someone,
                                    role=AppointmentRole.REPRESENTATIVE, starts_on=timezone.localdate())
    # A substitute covers during absence without being named in the decision.
    services.appointment_create(actor=informator, channel=channel, user=someone, role=AppointmentRole.SUBSTITUTE,
                                starts_on=timezone.localdate())
    DepartmentDecisionFactory(department=channel.department, appointed=[someone])
    services.appointment_create(actor=informator, channel=channel, user=someone, role=AppointmentRole.REPRESENTATIVE,
                                starts_on=timezone.localdate())


def test_approving_an_active_channel_is_refused_and_changes_nothing(channel, informator):
    before = Channel.objects.get(pk=channel.pk)
    count = ChangeRecord.objects.count()
    with pytest.raises(ValidationError, match="inte anmäld"):
        services.channel_approve(actor=informator, channel=channel, checklist={})
    after = Channel.objects.get(pk=channel.pk)
    assert (after.status, after.activated_at, after.updated_at) == (before.status, before.activated_at, before.updated_at)
    assert ChangeRecord.objects.count() == count


def test_stale_object_cannot_approve_twice(dept, dept_admin, informator):
    channel = services.channel_submit(actor=dept_admin, data=channel_data(dept))
    stale = Channel.objects.get(pk=channel.pk)
    services.channel_reject(actor=informator, channel=channel, motivation="Förvaltningen har inget beslut.")
    with pytest.raises(ValidationError):
        services.channel_approve(actor=informator, channel=stale, checklist={})
    assert Channel.objects.get(pk=channel.pk).status == ChannelStatus.REJECTED


def test_reject_needs_a_motivation_and_keeps_it(dept, dept_admin, informator):
    channel = services.channel_submit(actor=dept_admin, data=channel_data(dept))
    with pytest.raises(ValidationError, match="motivering"):
        services.channel_reject(actor=informator, channel=channel, motivation="   ")
    assert Channel.objects.get(pk=channel.pk).status == ChannelStatus.SUBMITTED
    services.channel_reject(actor=informator, channel=channel, motivation="Det finns redan en kanal för simhallen.")
    channel.refresh_from_db()
    assert channel.status == ChannelStatus.REJECTED and channel.rejected_at is not None
    assert channel.status_note == "Det finns redan en kanal för simhallen."
    assert records("channel", channel.pk)[-1].action == "reject"


def test_closure_request_emails_informator_and_close_ends_appointments(
    channel, dept_admin, informator, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        services.channel_closure_request(actor=dept_admin, channel=channel, reason="Biblioteket slutar med Facebook.")
    channel.refresh_from_db()
    assert channel.closure_pending and channel.closure_reason == "Biblioteket slutar med Facebook."
    assert len(mail.outbox) == 1 and "Avslut anmält" in mail.outbox[0].subject
    assert channel in selectors.informator_attention()["pending_closures"]
    with pytest.raises(ValidationError):  # a second request is refused
        services.channel_closure_request(actor=dept_admin, channel=channel, reason="igen")

    services.channel_close(actor=informator, channel=channel, reason=channel.closure_reason)
    channel.refresh_from_db()
    assert channel.status == ChannelStatus.CLOSED and channel.closed_at is not None
    today = timezone.localdate()
    assert all(a.ends_on == today for a in channel.appointments.all())
    assert Appointment.objects.filter(channel=channel).count() == 2  # ended, never deleted
    actions = [r.action for r in selectors.channel_change_records(channel=channel)]
    assert actions[:3] == ["end", "end", "close"] or sorted(actions[:3]) == ["close", "end", "end"]
    assert channel not in selectors.public_channels()
    with pytest.raises(ValidationError, match="inte aktiv"):
        services.channel_close(actor=informator, channel=channel, reason="igen")


def test_informator_creates_an_active_channel_directly(dept, informator):
    channel = services.channel_create(actor=informator, data=channel_data(dept, profile_name_ok=True))
    assert channel.status == ChannelStatus.ACTIVE and channel.activated_at is not None
    assert channel.profile_name_ok
    assert records("channel", channel.pk)[0].action == "create"


def test_update_records_changed_fields_and_nothing_when_unchanged(channel, dept_admin):
    count = ChangeRecord.objects.count()
    services.channel_update(actor=dept_admin, channel=channel, data={"purpose": channel.purpose})
    assert ChangeRecord.objects.count() == count
    services.channel_update(actor=dept_admin, channel=channel, data={"purpose": "Evenemang och boktips."})
    record = records("channel", channel.pk)[-1]
    assert record.changed_fields == [("purpose", "Information till invånare.", "Evenemang och boktips.")]
    (row,) = selectors.history_rows([record])
    assert row["fields"] == [{"label": "syfte", "before": "Information till invånare.", "after": "Evenemang och boktips."}]


def test_update_refuses_a_url_of_another_platform(channel, dept_admin):
    with pytest.raises(ValidationError) as excinfo:
        services.channel_update(actor=dept_admin, channel=channel, data={"public_url": "https://www.instagram.com/x"})
    assert "public_url" in excinfo.value.error_dict
    assert Channel.objects.get(pk=channel.pk).public_url == channel.public_url


def test_duplicate_channel_is_refused_by_the_service(channel, dept, informator):
    with pytest.raises(ValidationError, match="redan en kanal"):
        services.channel_create(actor=informator, data=channel_data(dept, public_url=channel.public_url.upper()))


def test_closed_channel_address_can_be_registered_again(channel, dept, informator):
    services.channel_close(actor=informator, channel=channel, reason="Nedlagd")
    again = services.channel_create(
        actor=informator, data=channel_data(dept, public_url=channel.public_url, account_id=channel.account_id)
    )
    assert again.status == ChannelStatus.ACTIVE


def test_appointment_create_and_end_keep_the_row_with_history(channel, dept_admin, representative):
    other = UserFactory(username="ny-foretradare", roles=[Role.REPRESENTATIVE])
    start = timezone.localdate()
    appointment = services.appointment_create(
        actor=dept_admin, channel=channel, user=other, role=AppointmentRole.SUBSTITUTE, starts_on=start
    )
    assert appointment.appointed_by == dept_admin
    ended = services.appointment_end(actor=dept_admin, appointment=appointment, ends_on=start + dt.timedelta(days=10))
    assert ended.ends_on == start + dt.timedelta(days=10)
    assert Appointment.objects.filter(pk=appointment.pk).exists()
    history = list(selectors.channel_change_records(channel=channel).filter(object_type="appointment"))
    assert [r.action for r in history] == ["end", "create"]
    assert history[0].before["ends_on"] is None and history[0].after["ends_on"] == ended.ends_on.isoformat()


def test_appointment_refuses_overlap_non_representative_and_bad_dates(channel, dept_admin, representative, outsider):
    today = timezone.localdate()
    with pytest.raises(ValidationError, match="redan"):
        services.appointment_create(
            actor=dept_admin, channel=channel, user=representative, role=AppointmentRole.REPRESENTATIVE, starts_on=today
        )
    plain = UserFactory(username="utan-roll", roles=[Role.RECORDS_OFFICER])
    with pytest.raises(ValidationError, match="företrädare"):
        services.appointment_create(
            actor=dept_admin, channel=channel, user=plain, role=AppointmentRole.SUBSTITUTE, starts_on=today
        )
    with pytest.raises(ValidationError):
        services.appointment_create(
            actor=dept_admin, channel=channel, user=outsider, role=AppointmentRole.SUBSTITUTE,
            starts_on=today, ends_on=today - dt.timedelta(days=1),
        )
    appointment = channel.appointments.get(role="representative")
    with pytest.raises(ValidationError):
        services.appointment_end(actor=dept_admin, appointment=appointment, ends_on=appointment.starts_on - dt.timedelta(days=1))
    assert channel.appointments.count() == 2


def test_decision_create_and_update_are_recorded(dept, dept_admin):
    decision = services.decision_create(actor=dept_admin, department=dept, data={
        "uses_social_media": True, "services": ["facebook", "instagram"], "decided_on": dt.date(2025, 3, 1),
        "decided_by": "Förvaltningschefen", "reference": "KFN 2025/12", "note": "",
    })
    services.decision_update(actor=dept_admin, decision=decision, data={"reference": "KFN 2025/13"})
    overview = selectors.department_overview(department=dept)
    assert [r.action for r in overview["changes"]] == ["update", "create"]
    assert overview["current_decision"] == decision


def test_board_department_party_saves_are_recorded(informator, board):
    department = services.department_save(actor=informator, data={
        "board": board, "name": "Samhällsbyggnadsförvaltningen", "slug": "sbf", "email": "sbf@ludvika.se"})
    services.department_save(actor=informator, department=department, data={"email": "samhallsbyggnad@ludvika.se"})
    party = services.party_save(actor=informator, data={
        "name": "Partiet", "abbreviation": "P", "website": "https://partiet.se", "council_seats": 3,
        "has_board_seat": False})
    services.party_save(actor=informator, party=party, data={"council_seats": 0})
    services.board_save(actor=informator, board=board, data={"name": "Kultur- och fritidsnämnden Ludvika"})
    assert [r.action for r in selectors.change_records_for(object_type="department", object_id=department.pk)] == [
        "update", "create"]
    assert [r.action for r in selectors.change_records_for(object_type="party", object_id=party.pk)] == [
        "update", "create"]
    assert selectors.change_records_for(object_type="board", object_id=board.pk).count() == 1
    assert party not in selectors.public_parties()


def test_every_write_moves_the_registry_version(channel, informator, dept_admin):
    assert selectors.registry_version() is None  # factories write no history
    services.channel_update(actor=informator, channel=channel, data={"name": "Biblioteket"})
    versions = [selectors.registry_version()]
    services.appointment_end(actor=dept_admin, appointment=channel.appointments.first(), ends_on=timezone.localdate())
    versions.append(selectors.registry_version())
    services.channel_closure_request(actor=dept_admin, channel=channel, reason="Slut")
    versions.append(selectors.registry_version())
    assert versions[0] < versions[1] <= versions[2] and len(set(versions)) == 3


def test_staff_account_history_never_holds_the_password(informator, dept, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        user = services.staff_user_create(actor=informator, data={
            "username": "nyanstalld", "first_name": "Nina", "last_name": "Ny", "email": "nina@ludvika.se",
            "roles": [Role.REPRESENTATIVE], "department": dept,
        }, base_url="https://s.example")
    assert not user.has_usable_password()
    (message,) = mail.outbox
    assert message.to == ["nina@ludvika.se"] and "https://s.example/konto/valj-losenord/" in message.body
    services.staff_user_set_password(actor=informator, user=user, password="ett-langt-losenord-42")
    services.staff_user_update(actor=informator, user=user, data={
        "first_name": "Nina", "last_name": "Ny", "email": "nina@ludvika.se",
        "roles": [Role.REPRESENTATIVE, Role.DEPARTMENT_ADMIN], "department": dept})
    services.staff_user_set_active(actor=informator, user=user, active=False)
    history = list(selectors.change_records_for(object_type="user", object_id=user.pk))
    assert [r.action for r in history] == ["deactivate", "update", "set_password", "create"]
    assert history[1].changed_fields == [("roles", ["foretradare"], ["foretradare", "forvaltningsadmin"])]
    user.refresh_from_db()
    for record in history:
        for state in (record.before or {}, record.after or {}):
            assert "password" not in state and user.password not in str(state)
    assert not user.is_active


def test_informator_cannot_lock_themselves_out(informator):
    with pytest.raises(ValidationError):
        services.staff_user_set_active(actor=informator, user=informator, active=False)
    with pytest.raises(ValidationError):
        services.staff_user_update(actor=informator, user=informator, data={
            "first_name": "Inga", "last_name": "I", "email": "i@ludvika.se", "roles": [Role.REPRESENTATIVE]})
    informator.refresh_from_db()
    assert informator.is_active and informator.groups.filter(name=Role.INFORMATOR).exists()


def test_import_is_all_or_nothing(dept, informator):
    good = (2, {**channel_data(dept), "status": ChannelStatus.ACTIVE})
    duplicate = (3, {**channel_data(dept, name="Kopia"), "status": ChannelStatus.ACTIVE})
    with pytest.raises(services.ImportFailed) as excinfo:
        services.channels_import(actor=informator, rows=[good, duplicate])
    assert [line for line, _ in excinfo.value.errors] == [3, 3]
    assert not Channel.objects.filter(name__in=["Ludvika simhall", "Kopia"]).exists()
    assert not ChangeRecord.objects.exists()


def test_factory_channel_world_is_consistent(channel, other_channel):
    assert ChannelFactory._meta.model is Channel
    assert channel.department != other_channel.department
