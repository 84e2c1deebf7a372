"""Writes for moderation: per-channel additions to the prohibited-content list, and screening.

Additions: proposed by the channel's department admin, its representatives or the informatör;
approved, rejected or withdrawn only by the informatör. Every change writes a RuleAdditionEvent in
the same transaction. Decisions are compare-and-set updates that must change exactly one row.
"""

from __future__ import annotations

import logging
import threading

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from registry.models import Channel
from registry.roles import is_informator

from .. import selectors
from ..models import AdditionStatus, Flag, ProhibitedCategory, RuleAddition, RuleAdditionEvent
from ..screening import Screener, default_screener
from ..screening.lexicon import Matcher, parse_line

logger = logging.getLogger(__name__)

PATTERN_MAX = 200
RESCREEN_BATCH = 500


def _snapshot(addition: RuleAddition) -> dict:
    return {
        "channel": addition.channel_id,
        "code": addition.category.code,
        "pattern": addition.pattern,
        "motivation": addition.motivation,
        "status": addition.status,
        "decision_note": addition.decision_note,
    }


def pattern_validate(pattern: str) -> str:
    """Clean a proposed pattern; raises ValidationError with a Swedish message."""
    pattern = " ".join((pattern or "").split())
    if not pattern:
        raise ValidationError(_("Skriv ett ord, en fras eller ett mönster."))
    if len(pattern) > PATTERN_MAX:
        raise ValidationError(_("Mönstret får vara högst %(n)s tecken.") % {"n": PATTERN_MAX})
    if "#" in pattern or " !" in pattern or pattern.startswith("@"):
        raise ValidationError(_("Tecknen # och ! och ett inledande @ kan inte användas i ett mönster."))
    try:
        entries = parse_line(pattern, code="x", rule="x", confidence=1.0)
    except Exception:  # malformed braces and the like
        entries = []
    if not entries or any(c in e.term for e in entries for c in "{}*"):
        raise ValidationError(_("Mönstret kunde inte tolkas."))
    if len(entries) > 50:
        raise ValidationError(_("Mönstret ger för många varianter (högst 50)."))
    if any(sum(c.isalnum() for c in e.key) < 2 for e in entries):
        raise ValidationError(_("Varje variant måste innehålla minst två bokstäver eller siffror."))
    return pattern


def addition_propose(*, user, channel: Channel, code: str, pattern: str, motivation: str) -> RuleAddition:
    if not selectors.channels_user_may_propose_for(user=user).filter(pk=channel.pk).exists():
        raise PermissionDenied
    pattern = pattern_validate(pattern)
    motivation = (motivation or "").strip()
    if not motivation:
        raise ValidationError(_("Skriv en motivering."))
    try:
        category = ProhibitedCategory.objects.get(code=code)
    except ProhibitedCategory.DoesNotExist:
        raise ValidationError(_("Välj en av de åtta kategorierna.")) from None
    try:
        with transaction.atomic():
            addition = RuleAddition.objects.create(
                channel=channel, category=category, pattern=pattern, motivation=motivation, proposed_by=user
            )
            RuleAdditionEvent.objects.create(
                addition=addition, action=RuleAdditionEvent.Action.PROPOSED, actor=user, snapshot=_snapshot(addition)
            )
    except IntegrityError:
        raise ValidationError(_("Kanalen har redan ett tillägg med det mönstret.")) from None
    return addition


def _decide(*, user, addition: RuleAddition, to: str, allowed_from: tuple[str, ...], note: str) -> RuleAddition:
    if not is_informator(user):
        raise PermissionDenied
    now = timezone.now()
    with transaction.atomic():
        changed = RuleAddition.objects.filter(pk=addition.pk, status__in=allowed_from).update(
            status=to, decided_by=user, decided_at=now, decision_note=note
        )
        if changed != 1:
            raise ValidationError(_("Tillägget har redan beslutats av någon annan. Ladda om sidan."))
        addition.refresh_from_db()
        RuleAdditionEvent.objects.create(
            addition=addition, action=to, actor=user, at=now, note=note, snapshot=_snapshot(addition)
        )
    return addition


def addition_public_text(addition: RuleAddition) -> str:
    """How an approved addition is published with its channel's entry: the category and the reason
    (not the pattern itself, which may be the very word it keeps out)."""
    return f"{addition.category.policy_wording[:1].upper()}{addition.category.policy_wording[1:]}: {addition.motivation}"


def addition_approve(*, user, addition: RuleAddition, note: str = "") -> RuleAddition:
    """Approve a proposal; it is published with the channel's public entry, and the channel's open
    items are screened again after commit."""
    from registry.services import channel_public_entry_changed

    with transaction.atomic():
        addition = _decide(user=user, addition=addition, to=AdditionStatus.APPROVED,
                           allowed_from=(AdditionStatus.PROPOSED,), note=(note or "").strip())
        channel_public_entry_changed(actor=user, channel=addition.channel, action="addition_approved",
                                     note=addition_public_text(addition))
    channel_id = addition.channel_id

    def enqueue() -> None:
        from ..tasks import channel_rescreen_task

        channel_rescreen_task.delay(channel_id)

    transaction.on_commit(enqueue, robust=True)
    return addition


def addition_reject(*, user, addition: RuleAddition, note: str) -> RuleAddition:
    note = (note or "").strip()
    if not note:
        raise ValidationError(_("Skriv varför tillägget avslås."))
    return _decide(user=user, addition=addition, to=AdditionStatus.REJECTED,
                   allowed_from=(AdditionStatus.PROPOSED,), note=note)


def addition_withdraw(*, user, addition: RuleAddition, note: str) -> RuleAddition:
    """Take an approved addition out of use (its history and earlier flags stay)."""
    note = (note or "").strip()
    if not note:
        raise ValidationError(_("Skriv varför tillägget återkallas."))
    from registry.services import channel_public_entry_changed

    with transaction.atomic():
        was_public = addition.status == AdditionStatus.APPROVED
        addition = _decide(user=user, addition=addition, to=AdditionStatus.WITHDRAWN,
                           allowed_from=(AdditionStatus.APPROVED, AdditionStatus.PROPOSED), note=note)
        if was_public:
            channel_public_entry_changed(actor=user, channel=addition.channel, action="addition_withdrawn",
                                         note=addition_public_text(addition))
    return addition


# --- screening ----------------------------------------------------------------------------------

_matchers: dict[int, tuple[object, Matcher | None]] = {}
_matchers_lock = threading.Lock()


def addition_rule_id(addition: RuleAddition) -> str:
    return f"tillagg.{addition.pk}"


def matcher_for_additions(additions: list[RuleAddition], screener: Screener | None = None) -> Matcher | None:
    if not additions:
        return None
    screener = screener or default_screener()
    return screener.additions_matcher([(a.pattern, a.category.code, addition_rule_id(a)) for a in additions])


def channel_matcher(*, channel_id: int, additions: list[RuleAddition] | None = None) -> Matcher | None:
    """The compiled approved additions of a channel, cached until they change."""
    version = selectors.additions_version(channel_id=channel_id)
    cached = _matchers.get(channel_id)
    if cached is not None and cached[0] == version:
        return cached[1]
    if additions is None:
        additions = selectors.approved_additions(channel_ids=[channel_id]).get(channel_id, [])
    matcher = matcher_for_additions(additions)
    with _matchers_lock:
        _matchers[channel_id] = (version, matcher)
    return matcher


def versions_screen(*, version_ids: list[int]) -> int:
    """Screen stored item versions and store their flags (idempotent: a flag that exists is kept).
    Returns the number of flags created."""
    from channels.models import ItemVersion

    rows = list(ItemVersion.objects.filter(pk__in=version_ids).values_list("id", "text", "item__channel_id"))
    if not rows:
        return 0
    channel_ids = {r[2] for r in rows}
    additions = selectors.approved_additions(channel_ids=channel_ids)
    matchers = {cid: channel_matcher(channel_id=cid, additions=additions.get(cid, [])) for cid in channel_ids}
    by_rule = {addition_rule_id(a): a.pk for group in additions.values() for a in group}
    screener = default_screener()
    flags = []
    for version_id, text, channel_id in rows:
        for f in screener.screen(text or "", extra=matchers.get(channel_id)):
            flags.append(
                Flag(
                    version_id=version_id, code=f.code, rule=f.rule[:100], start=f.start, end=f.end,
                    confidence=round(f.confidence, 3), explanation=f.explanation[:300],
                    addition_id=by_rule.get(f.rule),
                )
            )
    before = Flag.objects.filter(version_id__in=[r[0] for r in rows]).count()
    Flag.objects.bulk_create(flags, ignore_conflicts=True, batch_size=1000)
    created = Flag.objects.filter(version_id__in=[r[0] for r in rows]).count() - before
    logger.info("screened %d versions, %d new flags", len(rows), created)
    from .workspace import queue_entries_sync

    queue_entries_sync(version_ids=[r[0] for r in rows])
    return created


def channel_rescreen(*, channel_id: int) -> int:
    """Screen the latest version of the channel's open items again (after an addition is approved).

    Open means still visible on the platform; when the moderation workspace records decisions, decided
    items will be left out here."""
    from django.db.models import F

    from channels.models import ItemVersion, Visibility

    ids = list(
        ItemVersion.objects.filter(
            item__channel_id=channel_id, item__visibility=Visibility.VISIBLE, number=F("item__version_count")
        ).values_list("id", flat=True)
    )
    total = 0
    for i in range(0, len(ids), RESCREEN_BATCH):
        total += versions_screen(version_ids=ids[i : i + RESCREEN_BATCH])
    return total


def addition_trial(*, channel_id: int, pattern: str, code: str, limit: int = selectors.RECENT_ITEMS) -> list[dict]:
    """Which of the channel's last ``limit`` items a (proposed) addition would have flagged."""
    screener = default_screener()
    matcher = screener.additions_matcher([(pattern, code, "prov")])
    hits = []
    for item_id, text, received_at in selectors.recent_item_texts(channel_id=channel_id, limit=limit):
        spans = [(f.start, f.end) for f in screener.extra_only(text or "", matcher)]
        if spans:
            hits.append({"item_id": item_id, "text": text, "received_at": received_at, "spans": spans})
    return hits
