"""Load the demo data for `make run` (idempotent) and print the demo users' passwords."""

from __future__ import annotations

import datetime as dt
import secrets
import string

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from ludvika_social.demo_data import (
    DEMO_BOARDS,
    DEMO_CHANNELS,
    DEMO_PARTIES,
    DEMO_USERS,
    connect_demo_channels,
)
from registry.audit import record_change
from registry.models import (
    Appointment,
    AppointmentRole,
    Board,
    ChangeRecord,
    Channel,
    Department,
    DepartmentDecision,
    Party,
    StaffProfile,
)


class Command(BaseCommand):
    help = "Lägger in demodata (nämnder, förvaltningar, kanaler, partier, en användare per roll)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--simulator-url",
            default="",
            help="Plattformssimulatorns adress; demokanalerna hämtar sina kommentarer därifrån.",
        )

    def handle(self, *args, simulator_url: str = "", **options):
        with transaction.atomic():
            departments = self._organisation()
            users = self._users(departments)
            self._channels(departments, users)
            self._decisions_appoint(departments)
            self._parties()
        if simulator_url:
            self._connect_to_simulator(simulator_url)
        self._print_users(users)

    def _organisation(self) -> dict[str, Department]:
        departments = {}
        for board_name, board_slug, depts in DEMO_BOARDS:
            board, created = Board.objects.get_or_create(slug=board_slug, defaults={"name": board_name})
            if created:
                record_change(obj=board, object_type="board", action="create", actor=None, before=None)
            for name, slug, email in depts:
                dept, created = Department.objects.get_or_create(
                    slug=slug, defaults={"name": name, "board": board, "email": email}
                )
                if created:
                    record_change(obj=dept, object_type="department", action="create", actor=None, before=None)
                    decision = DepartmentDecision.objects.create(
                        department=dept,
                        uses_social_media=True,
                        services=sorted({c[1] for c in DEMO_CHANNELS if c[0] == slug}),
                        decided_on=dt.date(2025, 1, 15),
                        decided_by=f"Förvaltningschef, {name}",
                        reference=f"{slug.upper()} 2025/12",
                        note="Demodata.",
                    )
                    record_change(obj=decision, object_type="decision", action="create", actor=None, before=None)
                departments[slug] = dept
        return departments

    def _decisions_appoint(self, departments) -> None:
        """Each förvaltning's decision names the people who represent its channels (only they can be
        appointed representatives)."""
        for dept in departments.values():
            decision = DepartmentDecision.objects.filter(department=dept).order_by("-decided_on", "-id").first()
            if decision is None:
                continue
            users = set(Appointment.objects.filter(channel__department=dept).values_list("user_id", flat=True))
            if users:
                decision.appointed.add(*users)

    def _users(self, departments) -> dict[str, tuple]:
        User = get_user_model()
        users = {}
        for username, first, last, roles, dept_slug, title in DEMO_USERS:
            password = "".join(secrets.choice(string.ascii_letters + string.digits) for _ in range(12))
            user, _ = User.objects.get_or_create(
                username=username,
                defaults={"first_name": first, "last_name": last, "email": f"{username}@ludvika.se"},
            )
            user.set_password(password)
            user.save(update_fields=["password"])
            user.groups.set(Group.objects.filter(name__in=roles))
            StaffProfile.objects.update_or_create(
                user=user, defaults={"department": departments.get(dept_slug), "title": title}
            )
            users[username] = (user, password, roles)
        return users

    def _channels(self, departments, users) -> None:
        now = timezone.now()
        rep = users["foretradare.bibliotek"][0]
        sub = users["ersattare.bibliotek"][0]
        informator = users["informator"][0]
        for slug, platform, name, url, account, purpose, status in DEMO_CHANNELS:
            if Channel.objects.filter(public_url=url).exists():
                continue
            dept = departments[slug]
            on_kof = slug == "kof"
            channel = Channel.objects.create(
                department=dept,
                platform=platform,
                name=name,
                public_url=url,
                account_id=account,
                purpose=purpose,
                responsible=rep if on_kof else informator if slug == "klk" else None,
                public_contact=f"Kontakta {dept.name} via e-post, eller skriv ett privat meddelande till kanalen.",
                public_contact_email=dept.email,
                status=status,
                submitted_at=now - dt.timedelta(days=400),
                activated_at=now - dt.timedelta(days=390) if status in ("aktiv", "avslutad") else None,
                closed_at=now - dt.timedelta(days=30) if status == "avslutad" else None,
                profile_picture_ok=status != "anmald",
                profile_name_ok=True,
                official_marking_ok=status != "anmald",
            )
            record_change(obj=channel, object_type="channel", action="create", actor=None, before=None)
            if status != "aktiv":
                continue
            reps = [(rep, AppointmentRole.REPRESENTATIVE), (sub, AppointmentRole.SUBSTITUTE)] if on_kof else []
            if slug == "klk":
                reps = [(informator, AppointmentRole.REPRESENTATIVE)]
            for user, role in reps:
                appointment = Appointment.objects.create(
                    channel=channel, user=user, role=role, starts_on=dt.date(2025, 2, 1)
                )
                record_change(
                    obj=appointment, object_type="appointment", action="create", actor=None, before=None,
                    channel=channel,
                )

    def _parties(self) -> None:
        for name, abbreviation, website, seats, board_seat in DEMO_PARTIES:
            party, created = Party.objects.get_or_create(
                name=name,
                defaults={
                    "abbreviation": abbreviation,
                    "website": website,
                    "council_seats": seats,
                    "has_board_seat": board_seat,
                },
            )
            if created:
                record_change(obj=party, object_type="party", action="create", actor=None, before=None)

    def _connect_to_simulator(self, simulator_url: str) -> None:
        """Point the active demo channels at the platform simulator, with demo credentials, so the
        workers poll real HTTP and the queues fill as `make run` starts."""
        connected = connect_demo_channels(simulator_url=simulator_url)
        self.stdout.write(f"{connected} demokanaler hämtar kommentarer från simulatorn på {simulator_url}.")

    def _print_users(self, users) -> None:
        self.stdout.write("")
        self.stdout.write("Demoanvändare (lösenorden skapas på nytt vid varje start):")
        for username, (_user, password, roles) in users.items():
            self.stdout.write(f"  {username:<24} {password:<16} {', '.join(roles)}")
        self.stdout.write(f"  Ändringar i registret: {ChangeRecord.objects.count()}")
