"""The inbound store and the machinery around it: per-channel sync state, items and their versions,
attachments, alerts for removals made outside the tool, and the outbox of platform actions.

Items are unique per (channel, platform id); an edit adds an ItemVersion and no version row is ever
updated. Writes go through channels.services.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from registry.models import Channel


class ItemKind(models.TextChoices):
    # The values equal channels.connectors.base.ItemKind.
    POST = "post", _("Inlägg")
    COMMENT = "comment", _("Kommentar")
    REPLY = "reply", _("Svar")
    VISITOR_POST = "visitor_post", _("Besökarinlägg")
    DM = "dm", _("Direktmeddelande")
    OWN_REPLY = "own_reply", _("Kommunens svar")


class Visibility(models.TextChoices):
    # The values equal channels.connectors.base.Visibility.
    VISIBLE = "visible", _("Synlig")
    HIDDEN = "hidden", _("Dold")
    DELETED = "deleted", _("Borttagen")


class ChannelSync(models.Model):
    """A channel's connection to its platform: where its API is, its encrypted credentials, the poll
    cursor and health. One row per registry channel, created on first use."""

    channel = models.OneToOneField(Channel, on_delete=models.CASCADE, related_name="sync", verbose_name=_("kanal"))
    api_base_url = models.URLField(
        _("API-adress"),
        max_length=500,
        blank=True,
        help_text=_("Webbplatsens eller instansens adress (WordPress, Mastodon) eller en simulator. "
                    "Tomt: plattformens standardadress."),
    )
    # Fernet token (channels.crypto); never shown again after entry.
    credentials_encrypted = models.TextField(blank=True)
    credentials_stored_at = models.DateTimeField(_("inloggningsuppgifter lagrade"), null=True, blank=True)
    poll_interval_seconds = models.PositiveIntegerField(_("hämtningsintervall (sekunder)"), default=300)
    polling_enabled = models.BooleanField(_("hämtning påslagen"), default=True)
    cursor = models.JSONField(default=dict, blank=True)

    last_attempt_at = models.DateTimeField(_("senaste försök"), null=True, blank=True)
    last_success_at = models.DateTimeField(_("senaste lyckade hämtning"), null=True, blank=True)
    last_error = models.TextField(_("senaste fel"), blank=True)
    last_error_at = models.DateTimeField(_("senaste fel inträffade"), null=True, blank=True)
    next_poll_at = models.DateTimeField(_("nästa hämtning"), null=True, blank=True, db_index=True)
    rate_limited_until = models.DateTimeField(_("begränsad av plattformen till"), null=True, blank=True)
    consecutive_failures = models.PositiveIntegerField(_("fel i rad"), default=0)
    items_today = models.PositiveIntegerField(_("nya poster i dag"), default=0)
    items_today_date = models.DateField(null=True, blank=True)
    needs_reauth = models.BooleanField(_("behöver ny inloggning"), default=False)
    reauth_notified_at = models.DateTimeField(null=True, blank=True)

    # Reconciliation: known items are read again in batches, in the order of their ids, so a removal
    # that no list shows is noticed (channels.services.reconcile). The last item checked, and when a
    # full round ended.
    reconcile_after_item_id = models.BigIntegerField(default=0)
    reconcile_round_ended_at = models.DateTimeField(_("senaste fullständiga avstämning"), null=True, blank=True)

    # The poll lease: a compare-and-set claim with an expiry, so a killed worker's lease is taken over.
    lease_token = models.CharField(max_length=64, blank=True)
    lease_expires_at = models.DateTimeField(null=True, blank=True)

    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("plattformskoppling")
        verbose_name_plural = _("plattformskopplingar")
        constraints = [
            models.CheckConstraint(condition=Q(poll_interval_seconds__gte=30), name="channelsync_interval_min_30s"),
        ]

    def __str__(self) -> str:
        return f"sync:{self.channel_id}"

    @property
    def has_credentials(self) -> bool:
        return bool(self.credentials_encrypted)


class Item(models.Model):
    """One thing that arrived on a channel: a post, comment, reply, visitor post or direct message.

    ``text`` is the latest version's text; every version, the first included, is an ItemVersion."""

    # No separate index on channel: the unique (channel, platform_id) index serves it, and a lone
    # channel index tempts the planner into scanning a whole channel for a page's lookup.
    channel = models.ForeignKey(
        Channel, on_delete=models.PROTECT, related_name="items", verbose_name=_("kanal"), db_index=False
    )
    platform_id = models.CharField(_("plattforms-id"), max_length=300)
    kind = models.CharField(_("typ"), max_length=20, choices=ItemKind.choices)
    # Children are found by (channel, parent_platform_id), which has an index; an index on parent_id
    # would only mislead the planner for the store's lookups.
    parent = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="children", verbose_name=_("svar på"),
        db_index=False,
    )
    parent_platform_id = models.CharField(max_length=300, blank=True)
    thread_platform_id = models.CharField(max_length=300, blank=True)
    author_platform_id = models.CharField(_("avsändar-id"), max_length=300, blank=True)
    author_name = models.CharField(_("avsändare"), max_length=300, blank=True)
    author_profile_url = models.CharField(_("avsändarens profil"), max_length=1000, blank=True)
    text = models.TextField(_("text"), blank=True)
    permalink = models.CharField(_("länk"), max_length=1000, blank=True)
    created_at = models.DateTimeField(_("skapad på plattformen"))
    edited_at = models.DateTimeField(_("ändrad på plattformen"), null=True, blank=True)
    received_at = models.DateTimeField(_("mottagen"), default=timezone.now)
    visibility = models.CharField(_("synlighet"), max_length=10, choices=Visibility.choices, default=Visibility.VISIBLE)
    visibility_changed_at = models.DateTimeField(null=True, blank=True)
    version_count = models.PositiveIntegerField(default=1)
    raw = models.JSONField(default=dict, blank=True)
    # Suspected child sexual abuse material is never stored (DESIGN §4): when the records officer marks
    # the item in the archive, its content is blanked here (channels.services.purge) and never stored
    # again; ids, timestamps and hashes stay, and the marking is the reason.
    purged_at = models.DateTimeField(_("innehållet borttaget"), null=True, blank=True)
    csam_marking = models.ForeignKey(
        "archive.ArchiveRecord", on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("markering som misstänkt övergreppsmaterial"),
    )

    class Meta:
        verbose_name = _("inkommen post")
        verbose_name_plural = _("inkomna poster")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["channel", "platform_id"], name="item_unique_per_channel"),
            models.CheckConstraint(condition=Q(version_count__gte=1), name="item_version_count_positive"),
            models.CheckConstraint(
                condition=Q(purged_at__isnull=True)
                | Q(text="", author_name="", author_profile_url="", permalink="", raw={}),
                name="item_purged_has_no_content",
            ),
            models.CheckConstraint(
                condition=Q(csam_marking__isnull=True) | Q(purged_at__isnull=False), name="item_csam_marking_purged"
            ),
        ]
        indexes = [
            models.Index(fields=["channel", "received_at"], name="item_channel_received"),
            models.Index(fields=["channel", "parent_platform_id"], name="item_channel_parent_pid"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.platform_id}"


class ItemVersion(models.Model):
    """One version of an item's text, numbered from 1. Rows are only ever added; the one exception is
    a CSAM marking, which blanks the text and raw payload of every version of the item."""

    item = models.ForeignKey(Item, on_delete=models.PROTECT, related_name="versions", db_index=False)
    number = models.PositiveIntegerField(_("version"))
    text = models.TextField(_("text"), blank=True)
    edited_at = models.DateTimeField(null=True, blank=True)
    received_at = models.DateTimeField(_("mottagen"), default=timezone.now)
    raw = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["item", "number"]
        verbose_name = _("version")
        verbose_name_plural = _("versioner")
        constraints = [
            models.UniqueConstraint(fields=["item", "number"], name="itemversion_unique_number"),
            models.CheckConstraint(condition=Q(number__gte=1), name="itemversion_number_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.item_id} v{self.number}"


class AttachmentState(models.TextChoices):
    PENDING = "pending", _("Väntar på hämtning")
    STORED = "stored", _("Hämtad")
    REJECTED = "rejected", _("Avvisad")
    FAILED = "failed", _("Misslyckades")
    # The item was marked as suspected CSAM: the file is deleted and the URL blanked; hash and size stay.
    PURGED = "purged", _("Borttagen (misstänkt övergreppsmaterial)")


class Attachment(models.Model):
    """A file attached to an item: the platform URL and, once downloaded, a copy with its SHA-256."""

    item = models.ForeignKey(Item, on_delete=models.PROTECT, related_name="attachments")
    url = models.CharField(_("adress"), max_length=2000)
    media_type = models.CharField(_("typ"), max_length=100, blank=True)
    platform_id = models.CharField(max_length=300, blank=True)
    state = models.CharField(max_length=10, choices=AttachmentState.choices, default=AttachmentState.PENDING)
    file = models.FileField(upload_to="attachments/%Y/%m/", blank=True)
    content_type = models.CharField(max_length=100, blank=True)
    sha256 = models.CharField(max_length=64, blank=True)
    size = models.BigIntegerField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    error = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    downloaded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("bilaga")
        verbose_name_plural = _("bilagor")
        constraints = [
            # A purged attachment has no URL left; the URLs that remain are unique per item.
            models.UniqueConstraint(fields=["item", "url"], condition=~Q(url=""), name="attachment_unique_url_per_item"),
            models.CheckConstraint(condition=~Q(state="purged") | Q(url="", file=""), name="attachment_purged_has_no_file"),
        ]

    def __str__(self) -> str:
        return self.url


class OutsideRemovalAlert(models.Model):
    """An item that was hidden or deleted on the platform without an action of ours
    ("borttagen utanför verktyget"). One row per observed change."""

    item = models.ForeignKey(Item, on_delete=models.PROTECT, related_name="outside_removals")
    channel = models.ForeignKey(Channel, on_delete=models.PROTECT, related_name="outside_removals")
    previous_visibility = models.CharField(max_length=10, choices=Visibility.choices)
    new_visibility = models.CharField(max_length=10, choices=Visibility.choices)
    detected_at = models.DateTimeField(_("upptäckt"), default=timezone.now)
    acknowledged_at = models.DateTimeField(_("kvitterad"), null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-detected_at", "-id"]
        verbose_name = _("borttagen utanför verktyget")
        verbose_name_plural = _("borttagna utanför verktyget")

    def __str__(self) -> str:
        return f"{self.item_id}: {self.previous_visibility} → {self.new_visibility}"


class QuarantinedItem(models.Model):
    """Something a platform sent that could not be stored as an item (an entry the connector could not
    read, or an item our store cannot hold): set aside with its raw payload, so the rest of the page is
    stored, the cursor moves on, and staff can see what was left out (the channel's operations page)."""

    channel = models.ForeignKey(Channel, on_delete=models.PROTECT, related_name="quarantined_items")
    platform_id = models.CharField(_("plattforms-id"), max_length=300, blank=True)
    reason = models.CharField(_("skäl"), max_length=500)
    # The payload as it came (strings cleaned so it can be stored; see core/textclean.py).
    raw = models.JSONField(default=dict, blank=True)
    seen_how = models.CharField(max_length=20, default="poll")
    received_at = models.DateTimeField(_("mottagen"), default=timezone.now)
    resolved_at = models.DateTimeField(_("hanterad"), null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-received_at", "-id"]
        verbose_name = _("åsidosatt post")
        verbose_name_plural = _("åsidosatta poster")
        indexes = [models.Index(fields=["channel", "resolved_at"], name="quarantine_channel_open")]

    def __str__(self) -> str:
        return f"{self.channel_id}: {self.platform_id or '?'} ({self.reason[:40]})"


class WebhookMark(models.Model):
    """The newest delivery time taken for one item from a platform's webhook: a delivery with an older
    or equal time for the item is a repeat (a replay or a retry) and changes nothing."""

    channel = models.ForeignKey(Channel, on_delete=models.CASCADE, related_name="+")
    platform_id = models.CharField(max_length=300)
    delivered_at = models.BigIntegerField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["channel", "platform_id"], name="webhook_mark_once")]

    def __str__(self) -> str:
        return f"{self.channel_id}:{self.platform_id}@{self.delivered_at}"


class ActionKind(models.TextChoices):
    REPLY = "reply", _("Svara")
    HIDE = "hide", _("Dölj")
    UNHIDE = "unhide", _("Visa igen")
    DELETE = "delete", _("Radera")
    BLOCK = "block", _("Blockera kontot")
    UNBLOCK = "unblock", _("Häv blockering")


class ActionState(models.TextChoices):
    PENDING = "pending", _("Väntar")
    RUNNING = "running", _("Pågår")
    SUCCEEDED = "succeeded", _("Klar")
    FAILED = "failed", _("Misslyckad")


class OutboxAction(models.Model):
    """A platform action to execute after commit, at most once: reply, hide, unhide, delete, or block
    and unblock the item's author.

    Hide and delete rows carry the archive snapshot taken before the action (archive-before-act); block
    and unblock rows the archived block decision. An unblock's ``text`` is the block's reference on
    the platform (Bluesky: the block record's at-uri)."""

    idempotency_key = models.CharField(max_length=200, unique=True)
    channel = models.ForeignKey(Channel, on_delete=models.PROTECT, related_name="outbox_actions")
    item = models.ForeignKey(Item, on_delete=models.PROTECT, related_name="outbox_actions")
    kind = models.CharField(_("åtgärd"), max_length=10, choices=ActionKind.choices)
    text = models.TextField(_("svarstext"), blank=True)
    state = models.CharField(_("status"), max_length=10, choices=ActionState.choices, default=ActionState.PENDING)
    attempts = models.PositiveIntegerField(_("försök"), default=0)
    last_error = models.TextField(_("senaste fel"), blank=True)
    result_platform_id = models.CharField(_("resultat-id"), max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    # A running row whose lease has expired had an unknown outcome (timeout, killed worker).
    lease_expires_at = models.DateTimeField(null=True, blank=True)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    # Archive-before-act (DESIGN §6.1): the content-and-sender snapshot committed before a hide/delete.
    snapshot = models.ForeignKey(
        "archive.ArchiveRecord", on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("arkiverad ögonblicksbild"),
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("plattformsåtgärd")
        verbose_name_plural = _("plattformsåtgärder")
        constraints = [
            models.CheckConstraint(condition=~Q(kind="reply") | ~Q(text=""), name="outbox_reply_has_text"),
            models.CheckConstraint(
                condition=~Q(kind__in=["hide", "delete"]) | Q(snapshot__isnull=False),
                name="outbox_removal_has_snapshot",
            ),
            # A block carries its decision's archive record (moderation.services.blocks), written first.
            models.CheckConstraint(
                condition=~Q(kind__in=["block", "unblock"]) | Q(snapshot__isnull=False),
                name="outbox_block_has_record",
            ),
        ]
        indexes = [models.Index(fields=["state", "next_attempt_at"], name="outbox_state_next")]

    def __str__(self) -> str:
        return f"{self.kind} {self.item_id} ({self.state})"
