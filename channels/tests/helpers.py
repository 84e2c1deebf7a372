"""Builders for normalised items, as a connector would return them (shared by the store tests)."""

from __future__ import annotations

import datetime as dt

from channels.connectors.base import Attachment, Author, ItemKind, NormalizedItem, Visibility

T0 = dt.datetime(2026, 3, 2, 8, 15, 30, tzinfo=dt.UTC)


def make_item(
    platform_id: str,
    text: str = "När öppnar biblioteket?",
    *,
    kind: ItemKind = ItemKind.COMMENT,
    parent: str | None = "post-1",
    thread: str | None = "post-1",
    visibility: Visibility = Visibility.VISIBLE,
    author: str = "Anna Andersson",
    minute: int = 0,
    edited_at: dt.datetime | None = None,
    attachments: tuple[Attachment, ...] = (),
) -> NormalizedItem:
    return NormalizedItem(
        platform_id=platform_id,
        kind=kind,
        text=text,
        author=Author(platform_id=f"u-{author.split()[0].lower()}", name=author, profile_url="https://example.org/anna"),
        created_at=T0 + dt.timedelta(minutes=minute),
        parent_platform_id=parent,
        thread_platform_id=thread,
        edited_at=edited_at,
        visibility=visibility,
        permalink=f"https://example.org/p/{platform_id}",
        attachments=attachments,
        raw={"id": platform_id, "message": text},
    )


def make_post(platform_id: str = "post-1", text: str = "Biblioteket har nya öppettider.") -> NormalizedItem:
    return make_item(platform_id, text, kind=ItemKind.POST, parent=None, thread=None, author="Ludvika kommun")
