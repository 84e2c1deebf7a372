"""The archive: hash-chained, append-only records of everything that arrives on official channels.

Each ArchiveRecord is self-contained: its ``content`` is the canonical JSON serialisation (see
archive.canonical) of a snapshot that carries channel identity, thread context, author, text,
attachments and the raw payload, so it stays meaningful after live rows are gone. The other columns
(channel_*, platform, author_*, ...) are copies taken out of the content for filtering and indexing;
the content is authoritative.

Integrity: ``content_sha256`` is the SHA-256 of ``content`` (UTF-8). ``record_sha256`` is the
SHA-256 of "<sequence>\\n<record_type>\\n<content_sha256>\\n<previous_sha256>", and
``previous_sha256`` is the previous record's ``record_sha256`` (64 zeros for the first record).
Appends are serialised on the ChainHead row.

Rows are never updated or deleted, except by a gallring run, which turns a record into a tombstone
(content cleared, hashes kept, so the chain still verifies). On PostgreSQL a trigger enforces it.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from archive.osl import OslGround

GENESIS_SHA256 = "0" * 64


class AppendOnlyError(Exception):
    """Raised when code tries to update or delete an append-only archive row through the ORM."""


class AppendOnlyQuerySet(models.QuerySet):
    def delete(self):
        raise AppendOnlyError("Archive rows are append-only; only gallring may cull them.")

    delete.queryset_only = True

    def update(self, **kwargs):
        raise AppendOnlyError("Archive rows are append-only; only gallring may change them.")

    def bulk_update(self, objs, fields, batch_size=None):
        raise AppendOnlyError("Archive rows are append-only; only gallring may change them.")

    def _gallring_update(self, **kwargs) -> int:
        """Used only by archive.services.gallring inside its transaction (which sets archive.gallring)."""
        return super().update(**kwargs)


class AppendOnlyModel(models.Model):
    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AppendOnlyError(f"{type(self).__name__} is append-only and cannot be changed.")
        kwargs["force_insert"] = True
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError(f"{type(self).__name__} is append-only and cannot be deleted.")


class RecordType(models.TextChoices):
    ITEM_VERSION = "item_version", _("Inkommen version")
    REMOVAL_SNAPSHOT = "removal_snapshot", _("Ögonblicksbild före borttagning")
    CSAM_MARKING = "csam_marking", _("Markering: misstänkt övergreppsmaterial")
    ATTACHMENT = "attachment", _("Bilagefil")
    REGISTRATION = "registration", _("Registrering (diarieförd handling)")
    SECRECY_MARKING = "secrecy_marking", _("Sekretessmarkering")
    PLATFORM_EVENT = "platform_event", _("Händelse på plattformen")
    MANUAL_CAPTURE = "manual_capture", _("Manuellt registrerad")
    BLOCK = "block", _("Blockering av konto")
    REDACTION = "redaction", _("Redigering av arkivpost")


# Records that carry a file in the archive's file store (snapshot["attachment"]).
FILE_RECORD_TYPES = (RecordType.ATTACHMENT, RecordType.MANUAL_CAPTURE)

# Records about an item (its marking, registration, events, blocks) rather than a version of it.
EVENT_RECORD_TYPES = (
    RecordType.REGISTRATION, RecordType.SECRECY_MARKING, RecordType.PLATFORM_EVENT, RecordType.BLOCK,
    RecordType.REDACTION,
)


class ItemKind(models.TextChoices):
    POST = "post", _("Inlägg")
    COMMENT = "comment", _("Kommentar")
    REPLY = "reply", _("Svar")
    VISITOR_POST = "visitor_post", _("Besökarinlägg")
    DM = "dm", _("Direktmeddelande")
    OWN_REPLY = "own_reply", _("Kommunens svar")


class InformationClass(models.TextChoices):
    """The information classes a board's retention decision (gallringsbeslut) is made for."""

    PUBLIC_COMMENT = "public_comment", _("Publik kommentar eller inlägg")
    REMOVED_COMMENT = "removed_comment", _("Avpublicerad eller raderad kommentar")
    RECEIVED_DOCUMENT = "received_document", _("Direktmeddelande / inkommen handling")
    REGISTERED_ITEM = "registered_item", _("Diariefört ärende")


class ChainHead(models.Model):
    """One row per chain: the last appended record. Appends lock it (select_for_update)."""

    name = models.CharField(max_length=40, unique=True, default="main")
    sequence = models.BigIntegerField(default=0)
    record_sha256 = models.CharField(max_length=64, default=GENESIS_SHA256)
    updated_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"{self.name}@{self.sequence}"


class ArchiveRecord(AppendOnlyModel):
    sequence = models.BigIntegerField(_("löpnummer"), unique=True)
    record_type = models.CharField(_("posttyp"), max_length=30, choices=RecordType.choices)
    # Indexes: every archive query is served by the ones in Meta.indexes, the unique ones, the GIN index on
    # search_vector (migration 0003) and author_platform_id's. Every index is paid for by every captured
    # record (going from 16 to 8 saved about 35 µs of PostgreSQL CPU per record), so a column gets one
    # only for a query that needs it: migration 0006 dropped the single-column ones that a composite
    # index leads with and those no query used; migration 0012 added a trigram index for the sender
    # filter and a partial index over the rare record types. Check a new query with EXPLAIN first.
    information_class = models.CharField(_("informationsklass"), max_length=30, choices=InformationClass.choices)
    # Channel identity, copied (not a foreign key: the record outlives the live channel).
    channel_id = models.BigIntegerField(_("kanal-id"), null=True, blank=True)
    channel_name = models.CharField(_("kanal"), max_length=200, blank=True)
    channel_account_id = models.CharField(_("konto-id"), max_length=200, blank=True)
    channel_public_url = models.CharField(_("kanalens adress"), max_length=500, blank=True)
    channel_department = models.CharField(_("förvaltning"), max_length=200, blank=True)
    channel_board_id = models.BigIntegerField(_("nämnd-id"), null=True, blank=True)
    channel_board = models.CharField(_("nämnd"), max_length=200, blank=True)
    platform = models.CharField(_("plattform"), max_length=20, blank=True)
    platform_id = models.CharField(_("plattforms-id"), max_length=300, blank=True)
    kind = models.CharField(_("typ"), max_length=20, choices=ItemKind.choices, blank=True)
    version = models.PositiveIntegerField(_("version"), default=1)
    # Indexed for the data-subject extract and author holds. PostgreSQL has no varchar_pattern_ops
    # "_like" twin of this index (migration 0006): nothing filters it with LIKE.
    author_platform_id = models.CharField(_("avsändar-id"), max_length=300, blank=True, db_index=True)
    author_name = models.CharField(_("avsändare"), max_length=300, blank=True)
    item_created_at = models.DateTimeField(_("skapad på plattformen"), null=True, blank=True)
    received_at = models.DateTimeField(_("mottagen"), null=True, blank=True)
    visibility = models.CharField(_("synlighet"), max_length=30, blank=True)
    codes = models.JSONField(_("koder"), default=list, blank=True)
    source_item_id = models.BigIntegerField(null=True, blank=True)
    source_version_id = models.BigIntegerField(null=True, blank=True)
    # Canonical JSON (archive.canonical.canonical_json); hashed as UTF-8.
    content = models.TextField(_("innehåll"))
    content_sha256 = models.CharField(_("innehållets SHA-256"), max_length=64)
    previous_sha256 = models.CharField(_("föregående posts SHA-256"), max_length=64)
    # Unique (no "_like" pattern index on PostgreSQL, migration 0006).
    record_sha256 = models.CharField(_("postens SHA-256"), max_length=64, unique=True)
    # Plain text for full-text search (text, author, thread context); emptied by gallring.
    search_text = models.TextField(blank=True)
    created_at = models.DateTimeField(_("arkiverad"), default=timezone.now)
    # Redaction (archive.services.redaction): content that quoted a suspected-CSAM item, replaced by
    # the same content with those fields emptied. ``content_sha256`` keeps the original's hash (so the
    # chain still verifies); ``redacted_sha256`` is the hash of what the content is now, and the
    # ``redaction`` record ``redacted_by_sequence`` lists both, with who and when.
    redacted_at = models.DateTimeField(_("redigerad"), null=True, blank=True)
    redacted_sha256 = models.CharField(max_length=64, blank=True)
    redacted_by_sequence = models.BigIntegerField(null=True, blank=True)
    # Tombstone: set only by a gallring run.
    culled_at = models.DateTimeField(_("gallrad"), null=True, blank=True)
    culled_by = models.ForeignKey(
        "archive.GallringProtocol", on_delete=models.PROTECT, null=True, blank=True, related_name="culled_records",
        db_index=False,  # never queried by protocol (protocols keep their own list and are never deleted)
    )

    class Meta:
        ordering = ["sequence"]
        verbose_name = _("arkivpost")
        verbose_name_plural = _("arkivposter")
        indexes = [
            models.Index(fields=["channel_id", "platform_id"], name="archive_rec_channel_item"),
            models.Index(fields=["information_class", "received_at"], name="archive_rec_class_received"),
            # Search results are listed newest first: ORDER BY received_at DESC, sequence DESC.
            models.Index(fields=["received_at", "sequence"], name="archive_rec_received_seq"),
        ]
        constraints = [
            models.CheckConstraint(condition=models.Q(sequence__gte=1), name="archive_record_sequence_positive"),
        ]

    def __str__(self) -> str:
        return f"#{self.sequence} {self.get_record_type_display()}"

    @property
    def is_tombstone(self) -> bool:
        return self.culled_at is not None


class GallringProtocol(AppendOnlyModel):
    """The kept protocol of one gallring run for one rule (ArkL 6 § 2)."""

    rule = models.ForeignKey("archive.RetentionRule", on_delete=models.PROTECT, related_name="protocols")
    # The rule as it was at the time of the run (the rule row may be changed later).
    rule_snapshot = models.JSONField(_("regel"))
    run_at = models.DateTimeField(_("körd"), default=timezone.now)
    cutoff = models.DateTimeField(_("gallringsgräns"))
    culled_count = models.PositiveIntegerField(_("antal gallrade"), default=0)
    skipped_hold_count = models.PositiveIntegerField(_("undantagna p.g.a. spärr"), default=0)
    skipped_request_count = models.PositiveIntegerField(_("undantagna p.g.a. begäran"), default=0)
    skipped_registered_count = models.PositiveIntegerField(_("undantagna p.g.a. diarieföring"), default=0)
    earliest = models.DateTimeField(_("äldsta"), null=True, blank=True)
    latest = models.DateTimeField(_("senaste"), null=True, blank=True)
    # [[sequence, record_sha256, content_sha256], ...] of what was culled.
    culled = models.JSONField(_("gallrade poster"), default=list)
    # The operational copies removed in the same run: {"channels.items": n, "archive.exports": n, ...}.
    operational = models.JSONField(_("borttagna kopior"), default=dict, blank=True)

    class Meta:
        ordering = ["-run_at", "-id"]
        verbose_name = _("gallringsprotokoll")
        verbose_name_plural = _("gallringsprotokoll")

    def __str__(self) -> str:
        return f"{self.rule} {self.run_at:%Y-%m-%d}"


class RetentionRule(models.Model):
    """A board's retention decision (gallringsbeslut) for one information class.

    Without a rule nothing in the class is culled; ``keep_forever`` ("bevaras") means never.
    """

    board = models.ForeignKey(
        "registry.Board", on_delete=models.PROTECT, related_name="retention_rules", verbose_name=_("nämnd")
    )
    information_class = models.CharField(_("informationsklass"), max_length=30, choices=InformationClass.choices)
    keep_forever = models.BooleanField(_("bevaras"), default=False)
    retention_months = models.PositiveIntegerField(_("gallras efter (månader)"), null=True, blank=True)
    decision_reference = models.CharField(_("diarienummer för beslutet"), max_length=100)
    decision_date = models.DateField(_("beslutsdatum"))
    note = models.TextField(_("anteckning"), blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["board__name", "information_class"]
        verbose_name = _("gallringsregel")
        verbose_name_plural = _("gallringsregler")
        constraints = [
            models.UniqueConstraint(fields=["board", "information_class"], name="archive_rule_one_per_board_class"),
            models.CheckConstraint(
                condition=(
                    models.Q(keep_forever=True, retention_months__isnull=True)
                    | models.Q(keep_forever=False, retention_months__isnull=False, retention_months__gte=1)
                ),
                name="archive_rule_keep_or_period",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.board}: {self.get_information_class_display()}"


class Hold(models.Model):
    """A hold (spärr) that blocks gallring of records of a channel, an author and/or a date range."""

    channel_id = models.BigIntegerField(_("kanal-id"), null=True, blank=True)
    channel_name = models.CharField(_("kanal"), max_length=200, blank=True)
    author_platform_id = models.CharField(_("avsändar-id"), max_length=300, blank=True)
    date_from = models.DateField(_("från och med"), null=True, blank=True)
    date_to = models.DateField(_("till och med"), null=True, blank=True)
    # A name (or part of one) the sender's name contains, and search terms the text matches
    # (full-text on PostgreSQL): a request's description held as it was written.
    author_name = models.CharField(_("avsändarens namn"), max_length=300, blank=True)
    search_terms = models.CharField(_("sökord"), max_length=300, blank=True)
    reason = models.TextField(_("skäl"))
    reference = models.CharField(_("referens/diarienummer"), max_length=100, blank=True)
    # The request whose registration placed the hold; it is released when the request is closed.
    request = models.ForeignKey(
        "archive.PublicRecordsRequest", on_delete=models.PROTECT, null=True, blank=True, related_name="holds",
        verbose_name=_("begäran"),
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    released_at = models.DateTimeField(_("hävd"), null=True, blank=True)
    released_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("spärr")
        verbose_name_plural = _("spärrar")
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(channel_id__isnull=False)
                    | ~models.Q(author_platform_id="")
                    | ~models.Q(author_name="")
                    | ~models.Q(search_terms="")
                    | models.Q(date_from__isnull=False)
                    | models.Q(date_to__isnull=False)
                ),
                name="archive_hold_has_scope",
            ),
        ]

    def __str__(self) -> str:
        return f"{_('Spärr')} {self.pk}"

    @property
    def is_active(self) -> bool:
        return self.released_at is None


class RequestState(models.TextChoices):
    OPEN = "open", _("Öppen")
    CLOSED = "closed", _("Avslutad")


class PublicRecordsRequest(models.Model):
    """A begäran om allmän handling (TF 2 kap.). The requester may stay anonymous."""

    received_at = models.DateTimeField(_("mottagen"), default=timezone.now)
    requester_name = models.CharField(_("namn (frivilligt)"), max_length=200, blank=True)
    requester_contact = models.CharField(_("kontaktuppgift (frivillig)"), max_length=300, blank=True)
    description = models.TextField(_("vad som begärs"))
    state = models.CharField(_("status"), max_length=20, choices=RequestState.choices, default=RequestState.OPEN)
    closed_at = models.DateTimeField(_("avslutad"), null=True, blank=True)
    # What the request describes, as the records officer understood it: registering the request
    # places a hold on it (archive.services.requests.request_create), released when it is closed.
    scope_channel_id = models.BigIntegerField(_("kanal"), null=True, blank=True)
    scope_channel_name = models.CharField(_("kanalens namn"), max_length=200, blank=True)
    scope_date_from = models.DateField(_("från och med"), null=True, blank=True)
    scope_date_to = models.DateField(_("till och med"), null=True, blank=True)
    scope_author = models.CharField(_("avsändare (namn eller id)"), max_length=300, blank=True)
    scope_terms = models.CharField(_("sökord"), max_length=300, blank=True)
    deadline_reminder_sent_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-received_at", "-id"]
        verbose_name = _("begäran om allmän handling")
        verbose_name_plural = _("begäranden om allmän handling")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(state="open", closed_at__isnull=True)
                | models.Q(state="closed", closed_at__isnull=False),
                name="archive_request_closed_has_time",
            ),
        ]

    def __str__(self) -> str:
        return f"{_('Begäran')} {self.pk}"

    @property
    def is_anonymous(self) -> bool:
        return not (self.requester_name or self.requester_contact)


class ReviewDecision(models.TextChoices):
    PENDING = "pending", _("Ej prövad")
    RELEASE = "release", _("Lämnas ut")
    PARTIAL = "partial", _("Lämnas ut delvis (maskerad)")
    REFUSE = "refuse", _("Avslås")


class RequestItem(models.Model):
    """One archive record under review in a request. The record itself is never altered."""

    request = models.ForeignKey(PublicRecordsRequest, on_delete=models.PROTECT, related_name="items")
    record = models.ForeignKey(ArchiveRecord, on_delete=models.PROTECT, related_name="request_items")
    decision = models.CharField(_("prövning"), max_length=20, choices=ReviewDecision.choices, default="pending")
    osl_reference = models.CharField(_("sekretessgrund (OSL)"), max_length=200, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["record__sequence"]
        verbose_name = _("prövad handling")
        verbose_name_plural = _("prövade handlingar")
        constraints = [
            models.UniqueConstraint(fields=["request", "record"], name="archive_request_record_once"),
            models.CheckConstraint(
                condition=~models.Q(decision__in=["partial", "refuse"]) | ~models.Q(osl_reference=""),
                name="archive_item_refusal_has_osl",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.request} #{self.record.sequence}"


class MaskedCopy(AppendOnlyModel):
    """A masked copy of a record's text for partial release, with its masking log."""

    item = models.ForeignKey(RequestItem, on_delete=models.PROTECT, related_name="masked_copies")
    masked_text = models.TextField(_("maskerad text"))
    # Every maskable delivery field after masking (archive.services.delivery); a field the copy does
    # not name is withheld. Empty in copies made before fields were reviewed: those deliver only the
    # masked text.
    fields = models.JSONField(_("maskerade fält"), default=dict, blank=True)
    attachments_released = models.BooleanField(_("bilagefilerna lämnas ut"), default=False)
    # [{"field": str, "start": int, "end": int, "length": int, "osl_reference": str}] positions in the
    # original value, or {"field", "whole": true, "length", "osl_reference"} for a field withheld whole.
    mask_log = models.JSONField(_("maskeringslogg"), default=list)
    original_content_sha256 = models.CharField(max_length=64)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("maskerad kopia")
        verbose_name_plural = _("maskerade kopior")

    def __str__(self) -> str:
        return f"{self.item} ({_('maskerad')})"


class RequestDecision(AppendOnlyModel):
    """The authority's decision on a request: what is released in full, in part (masked) and refused,
    on which grounds, with how to appeal when anything is refused (OSL 6:3, 6:7-8). Rows are only
    added: a new decision after the review changed supersedes the earlier one, which stays. ``data``
    holds the decision's parts as decided, so its document renders the same at any later time."""

    request = models.ForeignKey(PublicRecordsRequest, on_delete=models.PROTECT, related_name="decisions")
    decided_at = models.DateTimeField(_("beslutad"), default=timezone.now)
    # Empty only for decisions written before decisions were kept as rows (migration 0008).
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_by_name = models.CharField(_("beslutad av"), max_length=200)
    outcome = models.CharField(_("utfall"), max_length=20)
    text = models.TextField(_("beslut"))
    data = models.JSONField(default=dict)

    class Meta:
        ordering = ["-decided_at", "-id"]
        verbose_name = _("beslut om utlämnande")
        verbose_name_plural = _("beslut om utlämnande")

    def __str__(self) -> str:
        return f"{self.request} {self.decided_at:%Y-%m-%d}"


class SecrecyMarking(models.Model):
    """A sekretessmarkering (OSL 5:5): staff's note that an item (every record of it) or one record
    holds information that may be secret, with the ground from archive.osl. A marking is an
    indication, not a decision on secrecy: that is made when the record is requested, and a request
    cannot release a marked record in full (archive.services.requests). A marking is never deleted;
    lifting it records who, when and why."""

    channel_id = models.BigIntegerField(_("kanal-id"), null=True, blank=True)
    platform_id = models.CharField(_("plattforms-id"), max_length=300, blank=True)
    # For a record that is not part of a platform item (no platform id): that record alone.
    record_sequence = models.BigIntegerField(_("arkivpost"), null=True, blank=True)
    osl_ground = models.CharField(_("sekretessgrund"), max_length=20, choices=OslGround.choices)
    note = models.TextField(_("anteckning"), blank=True)
    marked_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    marked_by_name = models.CharField(max_length=200, blank=True)
    marked_at = models.DateTimeField(_("markerad"), default=timezone.now)
    lifted_at = models.DateTimeField(_("hävd"), null=True, blank=True)
    lifted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    lift_reason = models.TextField(_("skäl för att häva"), blank=True)

    class Meta:
        ordering = ["-marked_at", "-id"]
        verbose_name = _("sekretessmarkering")
        verbose_name_plural = _("sekretessmarkeringar")
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(platform_id="") | models.Q(record_sequence__isnull=False),
                name="archive_secrecy_has_target",
            ),
            models.CheckConstraint(
                condition=models.Q(lifted_at__isnull=True) | ~models.Q(lift_reason=""),
                name="archive_secrecy_lift_has_reason",
            ),
            models.UniqueConstraint(
                fields=["channel_id", "platform_id"], condition=models.Q(lifted_at__isnull=True) & ~models.Q(platform_id=""),
                name="archive_secrecy_one_active_per_item",
            ),
            models.UniqueConstraint(
                fields=["record_sequence"], condition=models.Q(lifted_at__isnull=True, record_sequence__isnull=False),
                name="archive_secrecy_one_active_per_record",
            ),
        ]
        indexes = [models.Index(fields=["channel_id", "platform_id"], name="archive_secrecy_item")]

    def __str__(self) -> str:
        return f"{self.get_osl_ground_display()} ({self.marked_at:%Y-%m-%d})"

    @property
    def is_active(self) -> bool:
        return self.lifted_at is None


class AccessAction(models.TextChoices):
    VIEW = "view", _("Visning")
    EXPORT = "export", _("Export")
    DOWNLOAD = "download", _("Nedladdning")


class AccessLogEntry(AppendOnlyModel):
    """Who viewed or exported which archive records, and when (append-only)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    username = models.CharField(max_length=150)
    at = models.DateTimeField(default=timezone.now, db_index=True)
    action = models.CharField(max_length=20, choices=AccessAction.choices)
    record_sequences = models.JSONField(default=list)
    export = models.ForeignKey("archive.Export", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    detail = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("åtkomstlogg")
        verbose_name_plural = _("åtkomstlogg")

    def __str__(self) -> str:
        return f"{self.username} {self.action} {self.at:%Y-%m-%d %H:%M}"


class ExportKind(models.TextChoices):
    PDF = "pdf", _("PDF (taggad)")
    BAG = "bag", _("BagIt-paket")
    SUBJECT = "subject", _("Registerutdrag (art. 15)")
    SIP = "sip", _("E-ARK SIP (e-arkiv)")


class Export(models.Model):
    """A file produced from the archive; only its maker may download it."""

    kind = models.CharField(_("typ"), max_length=20, choices=ExportKind.choices)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    request = models.ForeignKey(
        PublicRecordsRequest, on_delete=models.PROTECT, null=True, blank=True, related_name="exports"
    )
    description = models.CharField(_("beskrivning"), max_length=300)
    file_name = models.CharField(max_length=200)
    relative_path = models.CharField(max_length=500)
    size = models.BigIntegerField(default=0)
    sha256 = models.CharField(max_length=64)
    record_count = models.PositiveIntegerField(default=0)
    # The file is deleted after the retention time (ARCHIVE_EXPORT_RETENTION_DAYS) or when gallring
    # culls a record in it; the row stays as the receipt (archive.services.purge).
    purged_at = models.DateTimeField(_("filen borttagen"), null=True, blank=True)
    purge_reason = models.CharField(_("varför filen togs bort"), max_length=300, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("export")
        verbose_name_plural = _("exporter")

    def __str__(self) -> str:
        return self.file_name


class ExportPurgeLog(AppendOnlyModel):
    """A protocol line for export files removed at once: by their retention time or by gallring."""

    at = models.DateTimeField(_("borttagna"), default=timezone.now)
    reason = models.CharField(_("skäl"), max_length=300)
    protocol = models.ForeignKey(GallringProtocol, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    # [{"id", "file_name", "sha256", "kind", "created_at", "created_by"}] of the files removed.
    exports = models.JSONField(default=list)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("borttagna exportfiler")
        verbose_name_plural = _("borttagna exportfiler")

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d} {self.reason}"
