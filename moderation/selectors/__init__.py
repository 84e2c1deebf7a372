"""Reads for moderation: the prohibited-content list, additions (access-checked) and flags."""

from __future__ import annotations

from django.db.models import Max, QuerySet
from django.http import Http404

from registry.models import AppointmentRole, Channel, Role
from registry.roles import is_informator, user_roles
from registry.selectors import channels_visible_to

from ..models import OPEN_STATES, AdditionStatus, Block, BlockState, Flag, ProhibitedCategory, RuleAddition

RECENT_ITEMS = 1000


def categories() -> QuerySet[ProhibitedCategory]:
    return ProhibitedCategory.objects.order_by("position")


def additions_visible_to(*, user) -> QuerySet[RuleAddition]:
    """Additions on the channels the user may see (all of them for the informatör)."""
    return (
        RuleAddition.objects.filter(channel__in=channels_visible_to(user=user))
        .select_related("channel", "category", "proposed_by", "decided_by")
        .order_by("-proposed_at", "-id")
    )


def addition_get_for_user(*, user, pk: int) -> RuleAddition:
    """The one access-checked lookup for an addition: 404 when its channel is not visible to the user."""
    try:
        return additions_visible_to(user=user).get(pk=pk)
    except (RuleAddition.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def channels_user_may_propose_for(*, user) -> QuerySet[Channel]:
    """The informatör: every channel. A department admin: the department's channels. A representative:
    the channels they currently represent (a substitute appointment is not enough)."""
    visible = channels_visible_to(user=user)
    if is_informator(user):
        return visible
    roles = user_roles(user)
    from django.db.models import Q
    from django.utils import timezone

    today = timezone.localdate()
    condition = Q(pk__in=[])
    if Role.DEPARTMENT_ADMIN in roles:
        profile = getattr(user, "staff_profile", None)
        if profile and profile.department_id:
            condition |= Q(department_id=profile.department_id)
    if Role.REPRESENTATIVE in roles:
        condition |= Q(
            appointments__user=user,
            appointments__role=AppointmentRole.REPRESENTATIVE,
            appointments__starts_on__lte=today,
        ) & (Q(appointments__ends_on__isnull=True) | Q(appointments__ends_on__gte=today))
    return visible.filter(condition).distinct()


def approved_additions(*, channel_ids) -> dict[int, list[RuleAddition]]:
    out: dict[int, list[RuleAddition]] = {}
    for a in RuleAddition.objects.filter(channel_id__in=channel_ids, status=AdditionStatus.APPROVED).select_related(
        "category"
    ):
        out.setdefault(a.channel_id, []).append(a)
    return out


def additions_version(*, channel_id: int):
    """Changes whenever a channel's approved additions change (for caching its matcher)."""
    agg = RuleAddition.objects.filter(channel_id=channel_id).aggregate(last=Max("decided_at"), n=Max("id"))
    return (agg["last"], agg["n"])


def recent_item_texts(*, channel_id: int, limit: int = RECENT_ITEMS) -> list[tuple[int, str, object]]:
    """(item id, text, received_at) of the channel's latest items, newest first."""
    from channels.models import Item

    return list(
        Item.objects.filter(channel_id=channel_id)
        .order_by("-received_at", "-id")
        .values_list("id", "text", "received_at")[:limit]
    )


def flags_for_version(*, version_id: int) -> QuerySet[Flag]:
    return Flag.objects.filter(version_id=version_id).order_by("start", "code")


# --- the workspace ------------------------------------------------------------------------------

QUEUE_PAGE_SIZE = 50
# What a queue row shows: loading only these keeps a page's model instances cheap.
QUEUE_ROW_FIELDS = (
    "item_id", "channel_id", "is_dm", "needs_answer", "received_at", "due_at", "state", "claimed_by_id",
    "forwarded_to_id", "pending_state", "action_failed", "flag_codes",
    "item__id", "item__author_name", "item__kind", "channel__id", "channel__name",
    "claimed_by__id", "claimed_by__first_name", "claimed_by__last_name", "claimed_by__username",
    "forwarded_to__id", "forwarded_to__first_name", "forwarded_to__last_name", "forwarded_to__username",
)


def _today():
    from django.utils import timezone

    return timezone.localdate()


def absent_user_ids(*, user_ids, day=None) -> set[int]:
    from ..models import Absence

    day = day or _today()
    return set(
        Absence.objects.filter(user_id__in=list(user_ids), starts_on__lte=day, ends_on__gte=day).values_list(
            "user_id", flat=True
        )
    )


def user_is_absent(*, user, day=None) -> bool:
    return bool(absent_user_ids(user_ids=[user.pk], day=day))


def _current(qs, day):
    from django.db.models import Q

    return qs.filter(starts_on__lte=day).filter(Q(ends_on__isnull=True) | Q(ends_on__gte=day))


def uncovered_channel_ids(*, channel_ids, day=None) -> set[int]:
    """Channels whose responsible person is absent, or whose every current representative is absent
    (or that have none): their substitutes take the items meanwhile."""
    from registry.models import Appointment

    day = day or _today()
    channel_ids = list(channel_ids)
    if not channel_ids:
        return set()
    reps: dict[int, set[int]] = {cid: set() for cid in channel_ids}
    for cid, uid in _current(
        Appointment.objects.filter(channel_id__in=channel_ids, role=AppointmentRole.REPRESENTATIVE), day
    ).values_list("channel_id", "user_id"):
        reps[cid].add(uid)
    responsible = dict(Channel.objects.filter(pk__in=channel_ids).values_list("pk", "responsible_id"))
    people = {uid for group in reps.values() for uid in group} | {r for r in responsible.values() if r}
    absent = absent_user_ids(user_ids=people, day=day)
    out = set()
    for cid in channel_ids:
        if responsible.get(cid) in absent or not (reps[cid] - absent):
            out.add(cid)
    return out


def queue_channel_ids(*, user, day=None) -> tuple[set[int], set[int]]:
    """(channels the user represents, channels where the user substitutes right now). Within one request
    the answer is remembered on the user object once the view has called ``remember_scope``."""
    day = day or _today()
    memo = getattr(user, "_moderation_scope_memo", None)
    if memo is None:
        return _queue_channel_ids(user=user, day=day)
    if day not in memo:
        memo[day] = _queue_channel_ids(user=user, day=day)
    return memo[day]


def remember_scope(*, user) -> None:
    """For the rest of this request, compute the user's queue channels once (the queue page asks
    several times). Only for request-scoped user objects: an absence entered later is not seen."""
    if not hasattr(user, "_moderation_scope_memo"):
        user._moderation_scope_memo = {}


def _queue_channel_ids(*, user, day) -> tuple[set[int], set[int]]:
    from registry.models import Appointment

    rows = list(
        _current(Appointment.objects.filter(user=user, channel__status="aktiv"), day).values_list("channel_id", "role")
    )
    own = {cid for cid, role in rows if role == AppointmentRole.REPRESENTATIVE}
    substitute_for = {cid for cid, role in rows if role == AppointmentRole.SUBSTITUTE} - own
    return own, uncovered_channel_ids(channel_ids=substitute_for, day=day)


def workspace_scope(*, user):
    """A Q over QueueEntry for what the user may see and act on, or None for everything (informatör)."""
    from django.db.models import Q

    if is_informator(user):
        return None
    own, covering = queue_channel_ids(user=user)
    # A forward gives access while the item is open; once it is closed the receiver's access ends.
    return Q(channel_id__in=sorted(own | covering)) | Q(forwarded_to=user, state__in=OPEN_STATES)


def entries_for_user(*, user) -> QuerySet:
    from ..models import QueueEntry

    scope = workspace_scope(user=user)
    qs = QueueEntry.objects.all()
    return qs if scope is None else qs.filter(scope)


def item_get_for_user(*, user, pk: int):
    """The one access-checked lookup for an item in the workspace (by the item's id): its queue entry,
    with item and channel. 404 unless the user may act on it: the informatör; a current
    representative of the channel; its substitute while the channel is uncovered; the person the item
    was forwarded to."""
    from ..models import QueueEntry

    try:
        entry = QueueEntry.objects.select_related("item", "channel", "channel__department", "claimed_by",
                                                  "forwarded_to", "pending_action").get(item_id=pk)
    except (QueueEntry.DoesNotExist, ValueError, TypeError):
        raise Http404 from None
    if not user_may_act(user=user, entry=entry):
        raise Http404
    return entry


def user_may_act(*, user, entry) -> bool:
    if is_informator(user):
        return True
    if entry.forwarded_to_id == user.pk and entry.state in OPEN_STATES:
        return True
    own, covering = queue_channel_ids(user=user)
    return entry.channel_id in own or entry.channel_id in covering


QUEUE_FILTER_STATES = ("open", "new", "claimed", "forwarded", "closed", "all")


def queue_for_user(*, user, channel_id: int | None = None, state: str = "open", code: str = "",
                   needs_answer: bool = False, dms: bool = False, overdue: bool = False) -> QuerySet:
    """The user's queue, filtered, sorted by due time (items without a target last), then arrival."""
    from django.db.models import F
    from django.utils import timezone

    from ..models import CLOSED_STATES, OPEN_STATES

    qs = entries_for_user(user=user)
    if channel_id:
        qs = qs.filter(channel_id=channel_id)
    if state == "open":
        qs = qs.filter(state__in=OPEN_STATES)
    elif state == "closed":
        qs = qs.filter(state__in=CLOSED_STATES)
    elif state in ("new", "claimed", "forwarded"):
        qs = qs.filter(state=state)
    if code:
        qs = qs.filter(flag_codes__contains=f",{code},")
    if needs_answer:
        qs = qs.filter(needs_answer=True)
    if dms:
        qs = qs.filter(is_dm=True)
    if overdue:
        qs = qs.filter(needs_answer=True, state__in=OPEN_STATES, due_at__lt=timezone.now())
    return qs.order_by(F("due_at").asc(nulls_last=True), "received_at", "pk")


def queue_page(*, qs: QuerySet, page: int, size: int = QUEUE_PAGE_SIZE) -> tuple[list, bool]:
    """One page of entries with what a row shows, in two queries whatever the page size: the page's ids
    in queue order (read from the queue index alone, no joins before the sort), then those rows with
    their item, channel and people. Returns (rows, has_more)."""
    from ..models import QueueEntry

    page = max(1, page)
    start = (page - 1) * size
    ids = list(qs.values_list("pk", flat=True)[start : start + size + 1])
    has_more = len(ids) > size
    ids = ids[:size]
    if not ids:
        return [], has_more
    by_id = {
        e.pk: e for e in QueueEntry.objects.filter(pk__in=ids)
        .select_related("item", "channel", "claimed_by", "forwarded_to")
        .only(*QUEUE_ROW_FIELDS)
        .annotate(**_excerpt())
    }
    return [by_id[pk] for pk in ids if pk in by_id], has_more


def _excerpt() -> dict:
    from django.db.models.functions import Substr

    return {"excerpt": Substr("item__text", 1, 200)}


def queue_counts(*, user, channel_id: int | None = None) -> dict:
    """Counts for the filter bar, in one query: per state group, needs answer, DMs, overdue, per code."""
    from django.db.models import Count, Q
    from django.utils import timezone

    from registry.policy import PROHIBITED_CODES

    from ..models import OPEN_STATES, SIGNAL_CODES

    # Every count is over open entries: filtering first lets the database read only those rows.
    qs = entries_for_user(user=user).filter(state__in=OPEN_STATES)
    if channel_id:
        qs = qs.filter(channel_id=channel_id)
    open_q = Q()
    aggregates = {
        "open": Count("pk"),
        "new": Count("pk", filter=Q(state="new")),
        "claimed": Count("pk", filter=Q(state="claimed")),
        "forwarded": Count("pk", filter=Q(state="forwarded")),
        "needs_answer": Count("pk", filter=open_q & Q(needs_answer=True)),
        "dms": Count("pk", filter=open_q & Q(is_dm=True)),
        "overdue": Count("pk", filter=open_q & Q(needs_answer=True, due_at__lt=timezone.now())),
    }
    for code in (*PROHIBITED_CODES, *SIGNAL_CODES):
        aggregates[f"code_{code}"] = Count("pk", filter=open_q & Q(flag_codes__contains=f",{code},"))
    # Aggregate names must not shadow fields ("needs_answer"): prefix, then strip.
    result = qs.aggregate(**{f"n_{k}": v for k, v in aggregates.items()})
    return {k[2:]: v for k, v in result.items()}


def queue_channels(*, user) -> QuerySet[Channel]:
    """The channels the user's queue draws from (for the channel filter)."""
    if is_informator(user):
        return Channel.objects.filter(status="aktiv").order_by("name")
    own, covering = queue_channel_ids(user=user)
    return Channel.objects.filter(pk__in=own | covering).order_by("name")


def audit_for_entry(*, entry) -> QuerySet:
    from ..models import AuditEvent

    return AuditEvent.objects.filter(entry=entry).order_by("at", "id")


def author_earlier_items(*, entry, limit: int = 10) -> list:
    from channels.models import Item

    item = entry.item
    if not item.author_platform_id:
        return []
    return list(
        Item.objects.filter(channel_id=item.channel_id, author_platform_id=item.author_platform_id)
        .exclude(pk=item.pk).filter(created_at__lte=item.created_at)
        .select_related("queue_entry").order_by("-created_at")[:limit]
    )


def thread_for(*, entry) -> list:
    """The thread the item belongs to: the root post and the item's parent (as stored)."""
    from channels.models import Item

    item = entry.item
    ids = [pid for pid in {item.thread_platform_id, item.parent_platform_id} if pid and pid != item.platform_id]
    if not ids:
        return []
    return list(Item.objects.filter(channel_id=item.channel_id, platform_id__in=ids).order_by("created_at"))


def pending_approval(*, entry):
    from ..models import RemovalApproval

    return RemovalApproval.objects.filter(entry=entry, status=RemovalApproval.Status.PENDING).select_related(
        "requested_by").first()


def department_settings(*, department_id: int):
    from ..models import DepartmentSettings

    return DepartmentSettings.objects.filter(department_id=department_id).first() or DepartmentSettings(
        department_id=department_id
    )


def forward_candidates() -> QuerySet:
    """Active staff in any förvaltning, to forward an item to."""
    from django.contrib.auth import get_user_model

    return (
        get_user_model().objects.filter(is_active=True, groups__name__in=list(Role.values))
        .select_related("staff_profile__department").distinct().order_by("first_name", "last_name")
    )


def reply_templates(*, user, entry) -> list[tuple[str, str]]:
    """Saved replies: a personal greeting, and the referral of political debate to the parties
    (policy: "politiska debatter ska hänvisas till de politiska partierna"), linking their pages."""
    from django.utils.translation import gettext as _

    from registry.models import Party

    author = (entry.item.author_name or "").split(" ")[0]
    signature = f"/{user.first_name or user.get_username()}, {entry.channel.name}"
    greeting = (_("Hej %(name)s!") % {"name": author} if author else _("Hej!")) + "\n\n" + \
        _("Tack för att du hör av dig. ") + "\n\n" + signature
    parties = [p for p in Party.objects.order_by("-council_seats", "name") if p.is_eligible_for_link]
    lines = "\n".join(f"{p.name}: {p.website}" for p in parties)
    referral = (_("Hej %(name)s!") % {"name": author} if author else _("Hej!")) + "\n\n" + _(
        "Tack för ditt engagemang. Politiska frågor och debatter hänvisar vi till de politiska partierna, "
        "som du når här:") + "\n" + lines + "\n\n" + signature
    return [(_("Personlig hälsning"), greeting), (_("Hänvisning till de politiska partierna"), referral)]


def absences_for_user(*, user) -> QuerySet:
    from django.utils import timezone

    from ..models import Absence

    return Absence.objects.filter(user=user, ends_on__gte=timezone.localdate()).order_by("starts_on")


def absence_get_for_user(*, user, pk: int):
    from ..models import Absence

    try:
        return Absence.objects.get(pk=pk, user=user)
    except (Absence.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def approval_get_for_user(*, user, pk: int):
    from ..models import RemovalApproval

    try:
        approval = RemovalApproval.objects.select_related("entry").get(pk=pk)
    except (RemovalApproval.DoesNotExist, ValueError, TypeError):
        raise Http404 from None
    item_get_for_user(user=user, pk=approval.entry.item_id)
    return approval


def item_actions(*, entry) -> list:
    from channels.models import OutboxAction

    return list(OutboxAction.objects.filter(item_id=entry.item_id).order_by("-created_at", "-id")[:20])


def secrecy_marking_for_entry(*, entry):
    """The item's active sekretess marking in the archive, or None."""
    from archive.services import secrecy_marking_for_item

    return secrecy_marking_for_item(channel_id=entry.channel_id, platform_id=entry.item.platform_id)


def blocks_for_user(*, user, channel_id: int | None = None, state: str = "") -> QuerySet:
    """The blocks on the channels the user works with (every channel for the informatör)."""
    qs = Block.objects.select_related("channel", "blocked_by", "lifted_by", "block_action", "unblock_action")
    if not is_informator(user):
        own, covering = queue_channel_ids(user=user)
        qs = qs.filter(channel_id__in=sorted(own | covering))
    if channel_id:
        qs = qs.filter(channel_id=channel_id)
    if state in BlockState.values:
        qs = qs.filter(state=state)
    return qs.order_by("state", "review_on", "-blocked_at")


def block_get_for_user(*, user, pk: int) -> Block:
    try:
        return blocks_for_user(user=user).get(pk=pk)
    except (Block.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def active_block_for(*, entry) -> Block | None:
    """The active block of the entry's author on its channel, if any."""
    if not entry.item.author_platform_id:
        return None
    return Block.objects.filter(channel_id=entry.channel_id, account_platform_id=entry.item.author_platform_id,
                                state=BlockState.ACTIVE).first()
