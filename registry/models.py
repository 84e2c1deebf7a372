"""The official channel registry: boards, departments, their decisions, channels, appointments, parties.

Every write goes through registry.services, which records a ChangeRecord (who, when, before/after).
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Platform(models.TextChoices):
    FACEBOOK = "facebook", "Facebook"
    INSTAGRAM = "instagram", "Instagram"
    YOUTUBE = "youtube", "YouTube"
    WORDPRESS = "wordpress", _("Blogg (WordPress)")
    MASTODON = "mastodon", "Mastodon"
    BLUESKY = "bluesky", "Bluesky"
    LINKEDIN = "linkedin", "LinkedIn"
    OTHER = "other", _("Annan")


class Role(models.TextChoices):
    """The staff roles of DESIGN §1. Each is a Django group of the same name."""

    INFORMATOR = "informator", _("Informatör")
    DEPARTMENT_ADMIN = "forvaltningsadmin", _("Förvaltningsadministratör")
    REPRESENTATIVE = "foretradare", _("Företrädare/moderator")
    RECORDS_OFFICER = "registrator", _("Registrator/arkivansvarig")


class Board(models.Model):
    """A nämnd. Each board takes the retention decisions (gallringsbeslut) for its area."""

    name = models.CharField(_("namn"), max_length=200, unique=True)
    slug = models.SlugField(_("kortnamn"), max_length=80, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("nämnd")
        verbose_name_plural = _("nämnder")

    def __str__(self) -> str:
        return self.name


class Department(models.Model):
    """A förvaltning, which belongs to a board and decides its own use of social media."""

    board = models.ForeignKey(Board, on_delete=models.PROTECT, related_name="departments", verbose_name=_("nämnd"))
    name = models.CharField(_("namn"), max_length=200, unique=True)
    slug = models.SlugField(_("kortnamn"), max_length=80, unique=True)
    email = models.EmailField(_("e-post"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("förvaltning")
        verbose_name_plural = _("förvaltningar")

    def __str__(self) -> str:
        return self.name


class DepartmentDecision(models.Model):
    """A department's recorded decision on its use of social media (policy: 'beslutsmandat över')."""

    department = models.ForeignKey(
        Department, on_delete=models.PROTECT, related_name="decisions", verbose_name=_("förvaltning")
    )
    uses_social_media = models.BooleanField(_("använder sociala medier"))
    services = models.JSONField(_("tjänster"), default=list, blank=True, help_text=_("Plattformar som får användas."))
    decided_on = models.DateField(_("beslutsdatum"))
    decided_by = models.CharField(_("beslutat av"), max_length=200)
    reference = models.CharField(_("diarienummer/referens"), max_length=100, blank=True)
    note = models.TextField(_("anteckning"), blank=True)
    # Who may represent the förvaltning in social media (the policy: the förvaltning decides "vem eller
    # vilka som får representera förvaltningen"): only they can be appointed representatives.
    appointed = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="+", verbose_name=_("får företräda förvaltningen"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+",
        verbose_name=_("registrerat av"),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-decided_on", "-id"]
        verbose_name = _("beslut")
        verbose_name_plural = _("beslut")

    def __str__(self) -> str:
        return f"{self.department} {self.decided_on}"

    @property
    def services_display(self) -> list[str]:
        labels = dict(Platform.choices)
        return [str(labels.get(s, s)) for s in self.services]


class StaffProfile(models.Model):
    """Which department a staff member works in; roles come from the user's groups."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="staff_profile")
    department = models.ForeignKey(
        Department, on_delete=models.PROTECT, null=True, blank=True, related_name="staff", verbose_name=_("förvaltning")
    )
    title = models.CharField(_("titel"), max_length=200, blank=True)
    phone = models.CharField(_("telefon"), max_length=50, blank=True)

    def __str__(self) -> str:
        return self.user.get_full_name() or self.user.get_username()


class ExternalIdentity(models.Model):
    """The identity provider's subject (issuer, sub) bound to an account at its first single sign-on.

    The e-mail claim finds the account; this binding keeps it: afterwards a login is refused when its
    subject belongs to another account or the account to another subject, so an address that changes
    hands at the provider (or an unverified one) cannot take an account over. Written only by
    ludvika_social/oidc.py. The subject may be a personnummer: it is kept here and nowhere else.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="external_identities",
        verbose_name=_("användare"),
    )
    issuer = models.CharField(_("utfärdare"), max_length=500)
    subject = models.CharField(_("identitet hos utfärdaren"), max_length=255)
    created_at = models.DateTimeField(_("kopplad"), auto_now_add=True)
    last_login_at = models.DateTimeField(_("senaste inloggning"), default=timezone.now)

    class Meta:
        verbose_name = _("extern identitet")
        verbose_name_plural = _("externa identiteter")
        constraints = [
            models.UniqueConstraint(fields=["issuer", "subject"], name="external_identity_unique_subject"),
            models.UniqueConstraint(fields=["user", "issuer"], name="external_identity_unique_user_issuer"),
        ]

    def __str__(self) -> str:
        # Never the subject: this text reaches logs and pages.
        return f"{self.user} ({self.issuer})"


class ChannelStatus(models.TextChoices):
    SUBMITTED = "anmald", _("Anmäld")
    ACTIVE = "aktiv", _("Aktiv")
    CLOSED = "avslutad", _("Avslutad")
    REJECTED = "avslagen", _("Avslagen")


class Channel(models.Model):
    """An official channel of the municipality on one platform."""

    department = models.ForeignKey(
        Department, on_delete=models.PROTECT, related_name="channels", verbose_name=_("förvaltning")
    )
    platform = models.CharField(_("plattform"), max_length=20, choices=Platform.choices)
    name = models.CharField(_("namn"), max_length=200)
    public_url = models.URLField(_("publik adress"), max_length=500)
    account_id = models.CharField(_("konto-id på plattformen"), max_length=200, blank=True)
    purpose = models.TextField(_("syfte"), blank=True)
    responsible = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="responsible_for",
        verbose_name=_("ansvarig"),
    )
    public_contact = models.CharField(
        _("kontaktväg för läsare"),
        max_length=300,
        blank=True,
        help_text=_("Visas publikt: hur läsare når den ansvarige, t.ex. för att anmäla olämpliga kommentarer."),
    )
    public_contact_email = models.EmailField(_("publik e-post"), blank=True)
    status = models.CharField(_("status"), max_length=20, choices=ChannelStatus.choices, default=ChannelStatus.SUBMITTED)
    submitted_at = models.DateTimeField(_("anmäld"), default=timezone.now)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("anmäld av"),
    )
    activated_at = models.DateTimeField(_("godkänd"), null=True, blank=True)
    closed_at = models.DateTimeField(_("avslutad"), null=True, blank=True)
    rejected_at = models.DateTimeField(_("avslagen"), null=True, blank=True)
    status_note = models.TextField(_("motivering"), blank=True)
    closure_requested_at = models.DateTimeField(_("avslut anmält"), null=True, blank=True)
    closure_reason = models.TextField(_("skäl för avslut"), blank=True)
    # Graphic profile checklist (policy: "den grafiska profilen ska eftersträvas").
    profile_picture_ok = models.BooleanField(_("profilbild enligt grafisk profil"), default=False)
    profile_name_ok = models.BooleanField(_("kontonamn enligt grafisk profil"), default=False)
    official_marking_ok = models.BooleanField(_("tydligt att kontot är kommunens"), default=False)
    response_target_hours = models.PositiveSmallIntegerField(
        _("svarsmål (kontorstimmar)"), default=8, help_text=_("8 kontorstimmar motsvarar nästa arbetsdag.")
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["department__name", "name"]
        verbose_name = _("kanal")
        verbose_name_plural = _("kanaler")
        constraints = [
            models.UniqueConstraint(
                Lower("public_url"),
                name="channel_unique_public_url",
                condition=~Q(status__in=["avslutad", "avslagen"]),
                violation_error_message=_("Det finns redan en kanal med den adressen."),
            ),
            models.UniqueConstraint(
                "platform",
                "account_id",
                name="channel_unique_account",
                condition=~Q(account_id="") & ~Q(status__in=["avslutad", "avslagen"]),
                violation_error_message=_("Det finns redan en kanal med det kontot på plattformen."),
            ),
            models.CheckConstraint(
                condition=Q(response_target_hours__gte=1),
                name="channel_response_target_positive",
            ),
            models.CheckConstraint(
                condition=~Q(status="aktiv") | Q(activated_at__isnull=False),
                name="channel_active_has_activated_at",
            ),
            models.CheckConstraint(
                condition=~Q(status="avslutad") | Q(closed_at__isnull=False),
                name="channel_closed_has_closed_at",
            ),
        ]
        indexes = [models.Index(fields=["status", "platform"])]

    def __str__(self) -> str:
        return f"{self.name} ({self.get_platform_display()})"

    @property
    def graphic_profile_complete(self) -> bool:
        return self.profile_picture_ok and self.profile_name_ok and self.official_marking_ok

    @property
    def closure_pending(self) -> bool:
        return self.status == ChannelStatus.ACTIVE and self.closure_requested_at is not None

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        from .platforms import validate_public_url

        errors = {}
        if self.public_url and self.platform:
            try:
                validate_public_url(platform=self.platform, url=self.public_url)
            except ValidationError as e:
                errors["public_url"] = e.messages
        if self.activated_at and self.closed_at and self.closed_at < self.activated_at:
            errors["closed_at"] = [_("Avslutsdatum får inte vara före datumet då kanalen blev aktiv.")]
        if errors:
            raise ValidationError(errors)


class AppointmentRole(models.TextChoices):
    REPRESENTATIVE = "representative", _("Företrädare")
    SUBSTITUTE = "substitute", _("Ersättare")


class Appointment(models.Model):
    """A person appointed to represent a channel, or to substitute during the representative's absence."""

    channel = models.ForeignKey(Channel, on_delete=models.CASCADE, related_name="appointments", verbose_name=_("kanal"))
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="appointments", verbose_name=_("person")
    )
    role = models.CharField(_("uppdrag"), max_length=20, choices=AppointmentRole.choices)
    starts_on = models.DateField(_("från"))
    ends_on = models.DateField(_("till"), null=True, blank=True)
    appointed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("förordnad av"),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["channel", "role", "starts_on"]
        verbose_name = _("förordnande")
        verbose_name_plural = _("förordnanden")
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(ends_on__gte=models.F("starts_on")),
                name="appointment_dates_in_order",
                violation_error_message=_("Slutdatum får inte vara före startdatum."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} – {self.get_role_display()} – {self.channel}"

    def is_active_on(self, day) -> bool:
        return self.starts_on <= day and (self.ends_on is None or self.ends_on >= day)

    @property
    def has_ended(self) -> bool:
        return self.ends_on is not None and self.ends_on < timezone.localdate()


class Party(models.Model):
    """A political party. Parties with an ordinary seat in kommunfullmäktige or a nämnd may be linked."""

    name = models.CharField(_("namn"), max_length=200, unique=True)
    abbreviation = models.CharField(_("förkortning"), max_length=20, blank=True)
    website = models.URLField(_("webbplats"), max_length=500)
    council_seats = models.PositiveSmallIntegerField(_("platser i kommunfullmäktige"), default=0)
    has_board_seat = models.BooleanField(_("ordinarie plats i en nämnd"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-council_seats", "name"]
        verbose_name = _("parti")
        verbose_name_plural = _("partier")

    def __str__(self) -> str:
        return self.name

    @property
    def is_eligible_for_link(self) -> bool:
        return self.council_seats > 0 or self.has_board_seat


class CommentPolicyVersion(models.Model):
    """One published version of the public comment policy (lag (1998:112) om elektroniska
    anslagstavlor 3 §: users are told what is allowed). Versions are only added, never changed:
    each stays readable at its own address, and every moderation decision records the version in
    force when it was made. ``body`` is plain text: a line starting with "## " is a heading, one
    starting with "- " a list item, blank lines separate paragraphs."""

    version = models.CharField(_("version"), max_length=40, unique=True)
    valid_from = models.DateField(_("gäller från"), unique=True)
    body = models.TextField(_("text"))
    change_note = models.TextField(_("vad som ändrats"), blank=True)
    published_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                     related_name="+")
    published_at = models.DateTimeField(_("publicerad"), default=timezone.now)

    class Meta:
        ordering = ["-valid_from"]
        verbose_name = _("version av kommentarspolicyn")
        verbose_name_plural = _("versioner av kommentarspolicyn")

    def __str__(self) -> str:
        return self.version


class ChangeRecord(models.Model):
    """Who changed what in the registry, and when, with the object's state before and after.

    Rows are only ever added (services write them in the same transaction as the change).
    """

    class ObjectType(models.TextChoices):
        BOARD = "board", _("Nämnd")
        DEPARTMENT = "department", _("Förvaltning")
        DECISION = "decision", _("Beslut")
        CHANNEL = "channel", _("Kanal")
        APPOINTMENT = "appointment", _("Förordnande")
        PARTY = "party", _("Parti")
        USER = "user", _("Användare")
        POLICY = "policy", _("Kommentarspolicy")

    object_type = models.CharField(max_length=20, choices=ObjectType.choices)
    object_id = models.BigIntegerField()
    object_repr = models.CharField(max_length=300)
    # The channel the change concerns, so an appointment's history also shows on its channel's page.
    channel = models.ForeignKey(Channel, on_delete=models.SET_NULL, null=True, blank=True, related_name="changes")
    action = models.CharField(max_length=40)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    actor_name = models.CharField(max_length=200, blank=True)
    at = models.DateTimeField(default=timezone.now, db_index=True)
    before = models.JSONField(null=True, blank=True)
    after = models.JSONField(null=True, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["object_type", "object_id"])]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_name} {self.action} {self.object_repr}"

    @property
    def changed_fields(self) -> list[tuple[str, object, object]]:
        before, after = self.before or {}, self.after or {}
        keys = sorted(set(before) | set(after))
        return [(k, before.get(k), after.get(k)) for k in keys if before.get(k) != after.get(k)]
