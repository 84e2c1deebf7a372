"""The prohibited-content list, per-channel additions (with append-only history) and screening flags.

The eight codes come from the policy (registry/policy.py) and are seeded by a data migration.
A channel's additions are proposals until the informatör approves them; every change leaves a
RuleAdditionEvent row. A Flag is what screening found in one stored item version; the moderation
workspace (a later issue) reads flags to prioritise and explain its queue.
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from registry.policy import PROHIBITED_CODES

SIGNAL_CODES = ("politisk", "fraga", "arende")


class ProhibitedCategory(models.Model):
    """One of the policy's eight categories of content that posts and comments must not contain."""

    code = models.CharField(_("kod"), max_length=20, unique=True)
    policy_wording = models.CharField(_("riktlinjernas lydelse"), max_length=300)
    plain = models.TextField(_("förklaring"))
    legal_reference = models.CharField(_("lagstöd"), max_length=300)
    position = models.PositiveSmallIntegerField(_("ordning"), default=0)

    class Meta:
        ordering = ["position"]
        verbose_name = _("förbjudet innehåll")
        verbose_name_plural = _("förbjudet innehåll")
        constraints = [
            models.CheckConstraint(condition=Q(code__in=PROHIBITED_CODES), name="category_code_is_policy_code"),
        ]

    def __str__(self) -> str:
        return f"{self.code}: {self.policy_wording}"


class AdditionStatus(models.TextChoices):
    PROPOSED = "foreslagen", _("Föreslagen")
    APPROVED = "godkand", _("Godkänd")
    REJECTED = "avslagen", _("Avslagen")
    WITHDRAWN = "aterkallad", _("Återkallad")


class RuleAddition(models.Model):
    """A channel's addition to the list (policy: discussed with the informatör before use).

    ``pattern`` uses the lexicon syntax (a word, a phrase, * for more letters); it only takes effect
    once approved."""

    channel = models.ForeignKey(
        "registry.Channel", on_delete=models.PROTECT, related_name="rule_additions", verbose_name=_("kanal")
    )
    category = models.ForeignKey(
        ProhibitedCategory, on_delete=models.PROTECT, related_name="additions", verbose_name=_("kategori")
    )
    pattern = models.CharField(_("ord, fras eller mönster"), max_length=200)
    motivation = models.TextField(_("motivering"))
    status = models.CharField(_("status"), max_length=20, choices=AdditionStatus.choices, default=AdditionStatus.PROPOSED)
    proposed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    proposed_at = models.DateTimeField(_("föreslagen"), default=timezone.now)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(_("beslutad"), null=True, blank=True)
    decision_note = models.TextField(_("beslutsmotivering"), blank=True)

    class Meta:
        ordering = ["-proposed_at", "-id"]
        verbose_name = _("tillägg till listan")
        verbose_name_plural = _("tillägg till listan")
        constraints = [
            models.UniqueConstraint(
                "channel",
                "pattern",
                name="addition_unique_open_pattern",
                condition=Q(status__in=["foreslagen", "godkand"]),
                violation_error_message=_("Kanalen har redan ett tillägg med det mönstret."),
            ),
            models.CheckConstraint(
                condition=Q(status="foreslagen") | Q(status="aterkallad") | Q(decided_at__isnull=False, decided_by__isnull=False),
                name="addition_decision_recorded",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.pattern} ({self.category.code}, {self.channel})"


class RuleAdditionEvent(models.Model):
    """Append-only history of an addition: proposed, approved, rejected, withdrawn."""

    class Action(models.TextChoices):
        PROPOSED = "foreslagen", _("Föreslagen")
        APPROVED = "godkand", _("Godkänd")
        REJECTED = "avslagen", _("Avslagen")
        WITHDRAWN = "aterkallad", _("Återkallad")

    addition = models.ForeignKey(RuleAddition, on_delete=models.PROTECT, related_name="events")
    action = models.CharField(max_length=20, choices=Action.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(default=timezone.now)
    note = models.TextField(blank=True)
    snapshot = models.JSONField(default=dict)

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("händelse")
        verbose_name_plural = _("händelser")

    def __str__(self) -> str:
        return f"{self.addition_id} {self.action} {self.at:%Y-%m-%d %H:%M}"


class Flag(models.Model):
    """What screening found in one item version: a prohibited code or a signal, with its span in the
    version's text, the rule that found it, a confidence and a Swedish explanation."""

    version = models.ForeignKey(
        "platform_channels.ItemVersion", on_delete=models.CASCADE, related_name="flags", verbose_name=_("version")
    )
    code = models.CharField(_("kod"), max_length=20)
    rule = models.CharField(_("regel"), max_length=100)
    start = models.PositiveIntegerField()
    end = models.PositiveIntegerField()
    confidence = models.FloatField(_("säkerhet"))
    explanation = models.CharField(_("förklaring"), max_length=300)
    addition = models.ForeignKey(
        RuleAddition, on_delete=models.PROTECT, null=True, blank=True, related_name="flags",
        verbose_name=_("kanalens tillägg"),
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["version", "start", "code"]
        verbose_name = _("flagga")
        verbose_name_plural = _("flaggor")
        constraints = [
            models.UniqueConstraint(fields=["version", "code", "rule", "start", "end"], name="flag_unique_span"),
            models.CheckConstraint(condition=Q(end__gt=F("start")), name="flag_span_not_empty"),
            models.CheckConstraint(condition=Q(confidence__gte=0) & Q(confidence__lte=1), name="flag_confidence_range"),
            models.CheckConstraint(
                condition=Q(code__in=[*PROHIBITED_CODES, *SIGNAL_CODES]), name="flag_code_known"
            ),
        ]
        indexes = [models.Index(fields=["code", "confidence"], name="flag_code_confidence")]

    def __str__(self) -> str:
        return f"{self.code} {self.start}-{self.end} ({self.rule})"

    @property
    def is_prohibited(self) -> bool:
        return self.code in PROHIBITED_CODES


# --- the workspace: queue entries, decisions, approvals, absences, hand-offs, audit ----------------


class QueueState(models.TextChoices):
    NEW = "new", _("Ny")
    CLAIMED = "claimed", _("Påbörjad")
    FORWARDED = "forwarded", _("Vidarebefordrad")
    ANSWERED = "answered", _("Besvarad")
    UNPUBLISHED = "unpublished", _("Avpublicerad")
    DELETED = "deleted", _("Raderad")
    NO_ACTION = "no_action", _("Ingen åtgärd")


OPEN_STATES = (QueueState.NEW, QueueState.CLAIMED, QueueState.FORWARDED)
CLOSED_STATES = (QueueState.ANSWERED, QueueState.UNPUBLISHED, QueueState.DELETED, QueueState.NO_ACTION)


class QueueEntry(models.Model):
    """An inbound item's place in the moderation queue: one per item that someone must look at.

    Created after screening (the channel's own posts and our own replies never enter). ``state`` moves
    new → claimed → answered / forwarded / unpublished / deleted / no action, always by compare-and-set
    updates in moderation.services. Who sees the entry is decided at query time (appointments and
    absences), so an absence routes the entry to the substitute and back without rewriting rows.
    ``pending_action`` is the outbox action whose platform confirmation completes the decision.
    """

    item = models.OneToOneField(
        "platform_channels.Item", on_delete=models.PROTECT, related_name="queue_entry", verbose_name=_("post")
    )
    channel = models.ForeignKey(
        "registry.Channel", on_delete=models.PROTECT, related_name="queue_entries", verbose_name=_("kanal"),
        db_index=False,
    )
    is_dm = models.BooleanField(_("direktmeddelande"), default=False)
    needs_answer = models.BooleanField(_("behöver svar"), default=False)
    received_at = models.DateTimeField(_("mottagen"))
    due_at = models.DateTimeField(_("svara senast"), null=True, blank=True)
    state = models.CharField(_("status"), max_length=20, choices=QueueState.choices, default=QueueState.NEW)
    claimed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("handläggs av"),
    )
    claimed_at = models.DateTimeField(null=True, blank=True)
    forwarded_to = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="forwarded_entries",
        verbose_name=_("vidarebefordrad till"),
    )
    forwarded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
    )
    decided_at = models.DateTimeField(_("beslutad"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("beslutad av"),
    )
    # The state the entry takes when the pending platform action is confirmed.
    pending_action = models.ForeignKey(
        "platform_channels.OutboxAction", on_delete=models.PROTECT, null=True, blank=True, related_name="+",
    )
    pending_state = models.CharField(max_length=20, choices=QueueState.choices, blank=True)
    action_failed = models.BooleanField(_("plattformsåtgärden misslyckades"), default=False)
    # The current version's flag codes as ",fortal,fraga," (filterable with a plain LIKE on any database).
    flag_codes = models.CharField(_("flaggor"), max_length=300, blank=True)
    has_prohibited_flag = models.BooleanField(default=False)
    concerns_case = models.BooleanField(_("rör ett ärende"), default=False)
    case_number = models.CharField(_("diarienummer"), max_length=100, blank=True)
    first_viewed_at = models.DateTimeField(_("först öppnad"), null=True, blank=True)
    reminder_sent_at = models.DateTimeField(null=True, blank=True)
    supervision_alerted_at = models.DateTimeField(null=True, blank=True)
    handoff_alerted_at = models.DateTimeField(null=True, blank=True)
    # A direct message that needs no hand-off, and why (moderation.services.records).
    handoff_waived_reason = models.TextField(_("skäl till att inte lämna över"), blank=True)
    handoff_waived_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
    )
    handoff_waived_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("ärende i inkorgen")
        verbose_name_plural = _("ärenden i inkorgen")
        constraints = [
            models.CheckConstraint(
                condition=~Q(state="claimed") | Q(claimed_by__isnull=False), name="queueentry_claimed_has_user"
            ),
            models.CheckConstraint(
                condition=~Q(state="forwarded") | Q(forwarded_to__isnull=False), name="queueentry_forwarded_has_user"
            ),
            models.CheckConstraint(
                condition=Q(state__in=["new", "claimed", "forwarded"]) | Q(decided_at__isnull=False),
                name="queueentry_closed_has_decided_at",
            ),
            models.CheckConstraint(
                condition=~Q(concerns_case=True) | ~Q(case_number=""), name="queueentry_case_has_number"
            ),
        ]
        indexes = [
            # The queue's first page: a channel's open entries by due time.
            models.Index(fields=["channel", "state", "due_at", "received_at"], name="queue_channel_state_due"),
            # Every open entry by due time (the informatör's queue, reminders): small, as most are closed.
            models.Index(fields=["due_at", "received_at", "id"], condition=Q(state__in=["new", "claimed", "forwarded"]),
                         name="queue_open_due"),
            models.Index(fields=["forwarded_to", "state"], name="queue_forwarded_state"),
            models.Index(fields=["state", "received_at"], name="queue_state_received"),
        ]

    def __str__(self) -> str:
        return f"{self.item_id} ({self.state})"

    @property
    def flag_code_list(self) -> list[str]:
        return [c for c in self.flag_codes.split(",") if c]

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_STATES

    @property
    def is_overdue(self) -> bool:
        return bool(self.needs_answer and self.is_open and self.due_at and self.due_at < timezone.now())


class AuditQuerySet(models.QuerySet):
    """Audit rows are only ever added: bulk updates and deletes are refused."""

    def update(self, **kwargs):
        raise TypeError("audit rows are append-only")

    def delete(self):
        raise TypeError("audit rows are append-only")


class AuditEvent(models.Model):
    """An append-only row for every decision and state change in the workspace: who, what, the codes
    and motivation written at the moment of the decision, before/after, the comment policy version in
    force and the request id (JO practice: reasons are recorded at the moment, later notes appended)."""

    class Action(models.TextChoices):
        QUEUED = "queued", _("Kom in i inkorgen")
        CLAIMED = "claimed", _("Påbörjad")
        RELEASED = "released", _("Släppt")
        REPLY_QUEUED = "reply_queued", _("Svar köat")
        ANSWERED = "answered", _("Besvarad")
        FORWARDED = "forwarded", _("Vidarebefordrad")
        UNPUBLISHED = "unpublished", _("Avpublicerad")
        DELETED = "deleted", _("Raderad")
        RESTORED = "restored", _("Återställd")
        MANUAL = "manual", _("Manuell åtgärd på plattformen")
        NO_ACTION = "no_action", _("Ingen åtgärd")
        APPROVAL_REQUESTED = "approval_requested", _("Begärt godkännande")
        APPROVAL_GRANTED = "approval_granted", _("Godkänd av andra moderator")
        APPROVAL_REFUSED = "approval_refused", _("Nekad av andra moderator")
        PLATFORM_CONFIRMED = "platform_confirmed", _("Bekräftad av plattformen")
        PLATFORM_FAILED = "platform_failed", _("Plattformen svarade med fel")
        RETRIED = "retried", _("Nytt försök")
        NEEDS_ANSWER = "needs_answer", _("Ändrad svarsbedömning")
        REGISTERED = "registered", _("Rör ärende (diarieförs)")
        HANDOFF = "handoff", _("Överlämnad som inkommen handling")
        HANDOFF_WAIVED = "handoff_waived", _("Ingen överlämning behövs (motiverat)")
        SECRECY = "secrecy", _("Sekretessmarkerad")
        BLOCKED = "blocked", _("Avsändaren blockerad")
        BLOCK_REVIEWED = "block_reviewed", _("Blockering omprövad")
        UNBLOCKED = "unblocked", _("Blockering hävd")
        NOTE = "note", _("Anteckning")

    entry = models.ForeignKey(QueueEntry, on_delete=models.PROTECT, related_name="audit_events")
    channel = models.ForeignKey("registry.Channel", on_delete=models.PROTECT, related_name="+", db_index=False)
    action = models.CharField(_("händelse"), max_length=30, choices=Action.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                              related_name="+", verbose_name=_("vem"))
    actor_name = models.CharField(max_length=200, blank=True)
    at = models.DateTimeField(_("tidpunkt"), default=timezone.now)
    codes = models.JSONField(_("koder"), default=list, blank=True)
    motivation = models.TextField(_("motivering"), blank=True)
    before = models.JSONField(default=dict, blank=True)
    after = models.JSONField(default=dict, blank=True)
    policy_version = models.CharField(_("kommentarspolicy"), max_length=40)
    request_id = models.CharField(max_length=64, blank=True)

    objects = AuditQuerySet.as_manager()

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("logghändelse")
        verbose_name_plural = _("logghändelser")
        indexes = [
            models.Index(fields=["entry", "at"], name="audit_entry_at"),
            models.Index(fields=["channel", "at"], name="audit_channel_at"),
            models.Index(fields=["action", "at"], name="audit_action_at"),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_name} {self.action}"

    def save(self, *args, **kwargs):
        if self.pk is not None and not self._state.adding:
            raise TypeError("audit rows are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise TypeError("audit rows are append-only")


class RemovalKind(models.TextChoices):
    HIDE = "hide", _("Avpublicera (dölj)")
    DELETE = "delete", _("Radera")


class RemovalApproval(models.Model):
    """Objectivity safeguard: a proposed unpublish/delete of criticism without a screening flag, which
    a second moderator approves or refuses. The codes and motivation are the proposer's, fixed when
    proposed."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Väntar")
        APPROVED = "approved", _("Godkänd")
        REFUSED = "refused", _("Nekad")

    entry = models.ForeignKey(QueueEntry, on_delete=models.PROTECT, related_name="approvals")
    kind = models.CharField(max_length=10, choices=RemovalKind.choices)
    codes = models.JSONField(default=list)
    motivation = models.TextField()
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField(default=timezone.now)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.TextField(blank=True)

    class Meta:
        ordering = ["-requested_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["entry"], condition=Q(status="pending"), name="approval_one_pending"),
            models.CheckConstraint(
                condition=Q(status="pending") | Q(decided_by__isnull=False, decided_at__isnull=False),
                name="approval_decision_recorded",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.entry_id} {self.kind} {self.status}"


class DepartmentSettings(models.Model):
    """Per förvaltning settings of the workspace."""

    department = models.OneToOneField("registry.Department", on_delete=models.CASCADE,
                                      related_name="moderation_settings")
    objectivity_second_approval = models.BooleanField(
        _("andra moderators godkännande för att avpublicera kritik"), default=True,
        help_text=_("Gäller kritik mot kommunen eller dess politiker som screeningen inte har flaggat."),
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("inställningar för inkorgen")

    def __str__(self) -> str:
        return str(self.department_id)


class Absence(models.Model):
    """A period when a staff member is away: their channels' items go to the substitute meanwhile."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="absences")
    starts_on = models.DateField(_("från och med"))
    ends_on = models.DateField(_("till och med"))
    note = models.CharField(_("anteckning"), max_length=200, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-starts_on"]
        verbose_name = _("frånvaro")
        verbose_name_plural = _("frånvaro")
        constraints = [
            models.CheckConstraint(condition=Q(ends_on__gte=F("starts_on")), name="absence_dates_in_order",
                                   violation_error_message=_("Slutdatum får inte vara före startdatum.")),
        ]
        indexes = [models.Index(fields=["user", "ends_on"], name="absence_user_end")]

    def __str__(self) -> str:
        return f"{self.user_id} {self.starts_on}–{self.ends_on}"


class HandoffMethod(models.TextChoices):
    MAILBOX = "mailbox", _("E-post till myndighetsbrevlådan")
    FEEDBACK = "feedback", _("Synpunktshanteringen")
    CASE_SYSTEM = "case_system", _("Ärendehanteringssystemet (export)")


class Handoff(models.Model):
    """The one hand-off of a direct message (an inkommen handling) to the records process, with the
    receipt: the e-mail's Message-ID, the .eml's SHA-256 and the reference given by the receiver."""

    entry = models.OneToOneField(QueueEntry, on_delete=models.PROTECT, related_name="handoff")
    method = models.CharField(_("överlämning"), max_length=20, choices=HandoffMethod.choices)
    recipient = models.CharField(_("mottagare"), max_length=300, blank=True)
    reference = models.CharField(_("referens/diarienummer"), max_length=100, blank=True)
    message_id = models.CharField(max_length=300, blank=True)
    eml_sha256 = models.CharField(max_length=64)
    eml = models.TextField()
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("överlämning")
        verbose_name_plural = _("överlämningar")

    def __str__(self) -> str:
        return f"{self.entry_id} {self.method}"



class BlockState(models.TextChoices):
    ACTIVE = "active", _("Gäller")
    LIFTED = "lifted", _("Hävd")


class Block(models.Model):
    """Blocking an account from a channel: a decision with codes and a motivation written at the
    moment (JO practice), a date by which it is reviewed, and its lifting; each step is also an archive
    record (moderation.services.blocks). Through the outbox where the platform's API can block,
    otherwise done by hand on the platform and recorded here with what was done."""

    channel = models.ForeignKey("registry.Channel", on_delete=models.PROTECT, related_name="blocks",
                                verbose_name=_("kanal"))
    # The item whose author is blocked (the block is decided on it; its entry holds the audit rows).
    item = models.ForeignKey("platform_channels.Item", on_delete=models.PROTECT, related_name="blocks")
    account_platform_id = models.CharField(_("kontots id"), max_length=300)
    account_name = models.CharField(_("kontots namn"), max_length=300, blank=True)
    codes = models.JSONField(_("koder"), default=list)
    motivation = models.TextField(_("motivering"))
    review_on = models.DateField(_("omprövas senast"))
    state = models.CharField(_("status"), max_length=10, choices=BlockState.choices, default=BlockState.ACTIVE)
    via_platform_api = models.BooleanField(_("via plattformens API"), default=False)
    manual_note = models.TextField(_("vad som gjordes på plattformen"), blank=True)
    blocked_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    blocked_at = models.DateTimeField(_("blockerad"), default=timezone.now)
    block_action = models.ForeignKey("platform_channels.OutboxAction", on_delete=models.PROTECT, null=True,
                                     blank=True, related_name="+")
    lifted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                  related_name="+")
    lifted_at = models.DateTimeField(_("hävd"), null=True, blank=True)
    lift_reason = models.TextField(_("skäl för att häva"), blank=True)
    unblock_action = models.ForeignKey("platform_channels.OutboxAction", on_delete=models.PROTECT, null=True,
                                       blank=True, related_name="+")
    reminder_sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-blocked_at", "-id"]
        verbose_name = _("blockering")
        verbose_name_plural = _("blockeringar")
        constraints = [
            models.UniqueConstraint(fields=["channel", "account_platform_id"], condition=Q(state="active"),
                                    name="block_one_active_per_account"),
            models.CheckConstraint(condition=Q(state="active") | (Q(lifted_at__isnull=False) & ~Q(lift_reason="")),
                                   name="block_lift_recorded"),
            models.CheckConstraint(condition=~Q(motivation=""), name="block_has_motivation"),
        ]
        indexes = [models.Index(fields=["state", "review_on"], name="block_state_review")]

    def __str__(self) -> str:
        return f"{self.account_name or self.account_platform_id} ({self.channel_id})"
