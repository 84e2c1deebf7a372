"""The simulator's state: accounts on each platform, their posts, comments, replies and DMs.

Items are generated lazily and deterministically from the seed: account A on platform P has an
event stream whose i-th event happens at ``origin + i * interval`` (plus a seeded jitter), so the
same seed gives the same world, and a poll every minute finds what "arrived" since the last one.
``backlog`` events lie in the past when an account is first seen. Control calls (inject, reply,
hide, delete) change the state; the platform handlers only render it in each platform's shape.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import random
import threading
import time
from dataclasses import dataclass, field

from . import content

PLATFORMS = ("facebook", "instagram", "youtube", "wordpress", "mastodon", "bluesky", "linkedin")
# Bluesky DMs are chat.bsky.convo messages, served by the simulated chat service (platforms/bluesky.py).
HAS_DMS = {"facebook", "instagram", "mastodon", "bluesky"}
HAS_VISITOR_POSTS = {"facebook", "mastodon", "bluesky"}
OWN_NAME = "Ludvika kommun"
UTC = dt.UTC


def _digest(*parts: object, length: int = 22) -> str:
    raw = hashlib.sha256(":".join(str(p) for p in parts).encode()).digest()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=").replace("-", "x").replace("_", "z")[:length]


_TID_ALPHABET = "234567abcdefghijklmnopqrstuvwxyz"


def _tid(n: int) -> str:
    """A 13-character, sortable record key in the style of an AT Protocol TID."""
    value = 1_700_000_000_000_000 + n
    chars = []
    for _ in range(13):
        chars.append(_TID_ALPHABET[value & 31])
        value >>= 5
    return "".join(reversed(chars))


@dataclass
class Person:
    index: int
    name: str
    handle: str

    def platform_id(self, platform: str) -> str:
        i = self.index
        return {
            "facebook": str(2711636948800000 + i),
            "instagram": str(17841406338700000 + i),
            "youtube": "UC" + _digest("yt-person", i),
            "wordpress": "0",
            "mastodon": str(109000000000000000 + i),
            "bluesky": "did:plc:" + _digest("bsky-person", i, length=24).lower(),
            "linkedin": "urn:li:person:" + _digest("li-person", i, length=10),
        }[platform]


@dataclass
class Item:
    platform_id: str
    seq: int
    kind: str  # post, comment, reply, visitor_post, dm
    author_id: str
    author_name: str
    author_handle: str
    text: str
    created: dt.datetime
    post_id: str | None = None  # the root post (or the DM conversation for DMs)
    parent_id: str | None = None
    conversation_id: str | None = None
    own: bool = False
    edited: dt.datetime | None = None
    hidden: bool = False
    deleted: bool = False
    held: bool = False  # YouTube "heldForReview"
    rejected: bool = False  # YouTube "rejected"
    cid: str = ""
    versions: list[str] = field(default_factory=list)

    def state(self) -> dict:
        return {
            "id": self.platform_id, "kind": self.kind, "text": self.text, "author_id": self.author_id,
            "author_name": self.author_name, "created": iso(self.created),
            "edited": iso(self.edited) if self.edited else None, "post_id": self.post_id,
            "parent_id": self.parent_id, "conversation_id": self.conversation_id, "own": self.own,
            "hidden": self.hidden, "deleted": self.deleted, "held": self.held, "rejected": self.rejected,
            "versions": list(self.versions),
        }


def iso(value: dt.datetime) -> str:
    return value.astimezone(UTC).isoformat().replace("+00:00", "Z")


class Account:
    """One account (page, channel, blog, profile) on one platform."""

    def __init__(self, world: World, platform: str, account_id: str):
        self.world = world
        self.platform = platform
        self.account_id = account_id
        self.rng = random.Random(f"{world.seed}:{platform}:{account_id}")  # noqa: S311 - simulated data
        self.interval = 60.0 / world.rate if world.rate > 0 else float("inf")
        self.origin = world.start - dt.timedelta(seconds=world.backlog * self.interval) if world.rate > 0 else world.start
        self.events_done = 0
        self.counter = 0
        self.items: list[Item] = []
        self.by_id: dict[str, Item] = {}
        self.posts: list[Item] = []
        self.children: dict[str, list[Item]] = {}
        self.threadgates: dict[str, dict] = {}  # Bluesky: root uri -> threadgate record
        self.idempotency: dict[str, str] = {}  # Mastodon Idempotency-Key -> status id
        self.blocks: dict[str, str] = {}  # blocked account id -> the block's reference (Bluesky: its record uri)
        self.persons = world.persons
        # Keeps ids unique across accounts of one platform, as the real platforms' ids are.
        self.salt = int(hashlib.sha1(f"{platform}:{account_id}".encode()).hexdigest()[:6], 16) % 1_000_000  # noqa: S324

    # identity ------------------------------------------------------------------------------
    @property
    def own_id(self) -> str:
        if self.platform == "linkedin" and not self.account_id.startswith("urn:"):
            return f"urn:li:organization:{self.account_id}"
        if self.platform == "mastodon":
            return "109999000000000001"
        if self.platform == "wordpress":
            return "1"
        return self.account_id

    @property
    def own_handle(self) -> str:
        return "ludvikakommun"

    # ids -------------------------------------------------------------------------------------
    def _new_id(self, kind: str, author_id: str, parent: Item | None, post: Item | None) -> str:
        self.counter += 1
        n = self.counter
        acc = self.account_id
        if self.platform == "facebook":
            if kind in ("post", "visitor_post"):
                return f"{acc}_{self.salt:06d}{n:09d}"
            if kind == "dm":
                return "m_" + _digest("fb-dm", acc, n, length=30)
            return f"{post.platform_id.split('_')[-1]}_{self.salt:06d}{n:09d}"
        if self.platform == "instagram":
            if kind == "dm":
                return "aWdfZAGm" + _digest("ig-dm", acc, n, length=28)
            return f"178{self.salt:06d}{n:09d}"
        if self.platform == "youtube":
            if kind == "post":
                return _digest("yt-video", acc, n, length=11)
            if kind == "reply":
                root = parent.platform_id.split(".")[0]
                return f"{root}.{_digest('yt-reply', acc, n, length=22)}"
            return "Ug" + _digest("yt-comment", acc, n, length=24)
        if self.platform == "wordpress":
            return str(n)
        if self.platform == "mastodon":
            return str(110000000000000000 + n * 1000)
        if self.platform == "bluesky":
            return f"at://{author_id}/app.bsky.feed.post/{_tid(self.salt * 10**9 + n)}"
        if self.platform == "linkedin":
            if kind == "post":
                return f"urn:li:share:71{self.salt:06d}{n:011d}"
            return f"urn:li:comment:({post.platform_id},72{self.salt:06d}{n:011d})"
        raise ValueError(self.platform)

    def conversation_for(self, person_id: str) -> str:
        if self.platform == "facebook":
            return "t_" + _digest("fb-conv", self.account_id, person_id, length=16)
        if self.platform == "instagram":
            return "aWdf" + _digest("ig-conv", self.account_id, person_id, length=20)
        return str(120000000000000 + int(hashlib.sha1(person_id.encode()).hexdigest()[:8], 16))  # noqa: S324

    # mutation -------------------------------------------------------------------------------
    def add(self, *, kind: str, text: str, created: dt.datetime, author: Person | None = None,
            parent: Item | None = None, post: Item | None = None, held: bool = False) -> Item:
        if author is None:
            author_id, name, handle, own = self.own_id, OWN_NAME, self.own_handle, True
        else:
            author_id, name, handle, own = author.platform_id(self.platform), author.name, author.handle, False
        if kind in ("comment", "reply") and post is None:
            raise ValueError("a comment needs a post")
        item_id = self._new_id(kind, author_id, parent, post)
        item = Item(
            platform_id=item_id, seq=self.counter, kind=kind, author_id=author_id, author_name=name,
            author_handle=handle, text=text, created=created, own=own, held=held,
            cid="bafyrei" + _digest("cid", item_id, length=40).lower(),
        )
        if kind in ("post", "visitor_post"):
            item.post_id = item.platform_id
            self.posts.append(item)
        elif kind == "dm":
            partner = parent.author_id if (own and parent) else author_id
            item.conversation_id = self.conversation_for(partner)
            item.post_id = item.conversation_id
            item.parent_id = parent.platform_id if parent else None
        else:
            item.post_id = post.platform_id
            item.parent_id = (parent or post).platform_id
            self.children.setdefault(item.parent_id, []).append(item)
        item.versions.append(text)
        self.items.append(item)
        self.by_id[item.platform_id] = item
        self.world.index[(self.platform, item.platform_id)] = self
        return item

    def edit(self, item: Item, text: str, when: dt.datetime) -> None:
        item.text = text
        item.edited = when
        item.versions.append(text)

    def comments_of_post(self, post_id: str) -> list[Item]:
        """All comments and replies under a post, oldest first."""
        out: list[Item] = []
        stack = list(reversed(self.children.get(post_id, [])))
        while stack:
            item = stack.pop()
            out.append(item)
            stack.extend(reversed(self.children.get(item.platform_id, [])))
        out.sort(key=lambda i: i.seq)
        return out

    def root_of(self, item: Item) -> Item | None:
        return self.by_id.get(item.post_id) if item.post_id else None

    # generation ---------------------------------------------------------------------------
    def event_time(self, i: int) -> dt.datetime:
        jitter = random.Random(f"{self.world.seed}:{self.platform}:{self.account_id}:t{i}").random() * 0.8  # noqa: S311
        return self.origin + dt.timedelta(seconds=(i + jitter) * self.interval)

    def catch_up(self, now: dt.datetime) -> None:
        if self.interval == float("inf"):
            return
        while self.events_done < self.world.max_events and self.event_time(self.events_done) <= now:
            self._generate(self.event_time(self.events_done))
            self.events_done += 1

    def _generate(self, when: dt.datetime) -> None:
        rng = self.rng
        roll = rng.random()
        person = rng.choice(self.persons)
        live_posts = [p for p in self.posts[-6:] if p.kind == "post" and not p.deleted]
        if not live_posts or roll < 0.07:
            self.add(kind="post", text=content.post_text(rng), created=when)
            return
        others = [i for i in self.items[-60:] if i.kind in ("comment", "reply") and not i.own and not i.deleted]
        if self.platform in HAS_VISITOR_POSTS and roll < 0.12:
            self.add(kind="visitor_post", text=content.comment_text(rng), created=when, author=person)
        elif self.platform in HAS_DMS and roll < 0.20:
            self.add(kind="dm", text=content.dm_text(rng), created=when, author=person)
        elif others and roll < 0.25:
            target = rng.choice(others)
            self.edit(target, target.text + content.edit_suffix(rng), when)
        elif others and roll < 0.28:
            target = rng.choice(others)
            post = self.by_id[target.post_id]
            self.add(kind="reply", text=f"Hej {target.author_name.split()[0]}! Vi återkommer med svar.",
                     created=when, parent=target, post=post)
        elif others and roll < 0.48:
            target = rng.choice(others)
            post = self.by_id[target.post_id]
            self.add(kind="reply", text=content.comment_text(rng), created=when, author=person, parent=target,
                     post=post)
        else:
            post = rng.choice(live_posts[-3:])
            text = content.comment_text(rng)
            held = self.platform == "youtube" and any(text.startswith(v[:20]) for v in content.VIOLATIONS) and rng.random() < 0.5
            self.add(kind="comment", text=text, created=when, author=person, post=post, held=held)


class World:
    def __init__(self, *, seed: int = 1, rate: float = 2.0, backlog: int = 40, max_events: int = 1_000_000,
                 persons: int = 300, frozen: bool = False):
        self.lock = threading.RLock()
        self.frozen = frozen  # time moves only by advance(): deterministic tests
        self.seed = seed
        self.rate = rate
        self.backlog = backlog
        self.max_events = max_events
        self.person_count = persons
        self.reset()

    def reset(self) -> None:
        with self.lock:
            self.offset = 0.0
            self.start = dt.datetime.now(UTC).replace(microsecond=0)
            rng = random.Random(f"persons:{self.seed}")  # noqa: S311
            self.persons = [Person(i, *content.person(rng)) for i in range(self.person_count)]
            self.accounts: dict[tuple[str, str], Account] = {}
            self.index: dict[tuple[str, str], Account] = {}  # (platform, item id) -> its account
            self.expired_tokens: set[str] = set()
            self.expired_accounts: set[tuple[str, str]] = set()

    def now(self) -> dt.datetime:
        if self.frozen:
            return self.start + dt.timedelta(seconds=self.offset)
        return dt.datetime.now(UTC) + dt.timedelta(seconds=self.offset)

    def advance(self, seconds: float) -> None:
        with self.lock:
            self.offset += seconds

    def account(self, platform: str, account_id: str) -> Account:
        with self.lock:
            key = (platform, account_id)
            acc = self.accounts.get(key)
            if acc is None:
                acc = self.accounts[key] = Account(self, platform, account_id)
            acc.catch_up(self.now())
            return acc

    def find(self, platform: str, item_id: str) -> tuple[Account, Item] | None:
        """The account and item with this id on the platform, among accounts seen so far."""
        with self.lock:
            acc = self.index.get((platform, item_id))
            if acc is None:
                return None
            acc.catch_up(self.now())
            return acc, acc.by_id[item_id]

    def token_expired(self, platform: str, account_id: str | None, token: str | None) -> bool:
        if token and (token in self.expired_tokens or token.startswith("expired")):
            return True
        return bool(account_id and (platform, account_id) in self.expired_accounts)

    def person_by_platform_id(self, platform: str, pid: str) -> Person | None:
        for p in self.persons:
            if p.platform_id(platform) == pid:
                return p
        return None


def now_unix() -> float:
    return time.time()
