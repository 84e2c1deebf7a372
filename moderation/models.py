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
