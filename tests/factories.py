"""Factories shared by every app's tests."""

import datetime as dt

import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.utils import timezone

from registry.models import (
    Appointment,
    AppointmentRole,
    Board,
    Channel,
    ChannelStatus,
    Department,
    DepartmentDecision,
    Party,
    Platform,
    StaffProfile,
)


class BoardFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Board
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"Nämnd {n}")
    slug = factory.Sequence(lambda n: f"namnd-{n}")


class DepartmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Department
        django_get_or_create = ("slug",)

    board = factory.SubFactory(BoardFactory)
    name = factory.Sequence(lambda n: f"Förvaltning {n}")
    slug = factory.Sequence(lambda n: f"forvaltning-{n}")
    email = factory.LazyAttribute(lambda o: f"{o.slug}@ludvika.se")


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = "Test"
    last_name = factory.Sequence(lambda n: f"Person{n}")
    email = factory.LazyAttribute(lambda o: f"{o.username}@ludvika.se")
    password = factory.django.Password("korrekt-hast-batteri")

    @factory.post_generation
    def roles(self, create, extracted, **kwargs):
        for role in extracted or ():
            self.groups.add(Group.objects.get(name=role))

    @factory.post_generation
    def department(self, create, extracted, **kwargs):
        StaffProfile.objects.update_or_create(user=self, defaults={"department": extracted})


class ChannelFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Channel

    department = factory.SubFactory(DepartmentFactory)
    platform = Platform.FACEBOOK
    name = factory.Sequence(lambda n: f"Kanal {n}")
    public_url = factory.Sequence(lambda n: f"https://www.facebook.com/ludvika.kanal{n}")
    account_id = factory.Sequence(lambda n: f"10000{n}")
    purpose = "Information till invånare."
    public_contact = "Skriv till förvaltningen"
    status = ChannelStatus.ACTIVE
    activated_at = factory.LazyFunction(timezone.now)


class AppointmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Appointment

    channel = factory.SubFactory(ChannelFactory)
    user = factory.SubFactory(UserFactory)
    role = AppointmentRole.REPRESENTATIVE
    starts_on = factory.LazyFunction(lambda: timezone.localdate() - dt.timedelta(days=30))


class PartyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Party
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"Parti {n}")
    abbreviation = factory.Sequence(lambda n: f"P{n}")
    website = factory.Sequence(lambda n: f"https://parti{n}.example.se")
    council_seats = 3


class DepartmentDecisionFactory(factory.django.DjangoModelFactory):
    """A förvaltning's decision to use social media on the given platforms, naming who may represent it
    (``appointed=[user, ...]``)."""

    class Meta:
        model = DepartmentDecision
        skip_postgeneration_save = True

    department = factory.SubFactory(DepartmentFactory)
    uses_social_media = True
    services = factory.LazyFunction(lambda: [p for p, _label in Platform.choices])
    decided_on = factory.LazyFunction(lambda: timezone.localdate())
    decided_by = "Förvaltningschefen"
    reference = factory.Sequence(lambda n: f"KFN 2026/{n}")

    @factory.post_generation
    def appointed(self, create, extracted, **kwargs):
        if create and extracted:
            self.appointed.set(extracted)
