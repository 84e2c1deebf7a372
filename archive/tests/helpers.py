"""Builders for archive tests: snapshots in the format the inbound store sends, and archive objects."""

from __future__ import annotations

import datetime
import itertools

from django.utils import timezone

from archive import services
from archive.models import GallringProtocol, InformationClass, PublicRecordsRequest, RetentionRule

_counter = itertools.count(1)


def make_snapshot(channel=None, **overrides) -> dict:
    n = next(_counter)
    now = timezone.now()
    if channel is not None:
        department = channel.department
        channel_part = {
            "id": channel.pk, "name": channel.name, "platform": channel.platform, "public_url": channel.public_url,
            "account_id": channel.account_id, "department": {"id": department.pk, "name": department.name},
            "board": {"id": department.board_id, "name": department.board.name},
        }
        platform = channel.platform
    else:
        channel_part = {
            "id": 9000, "name": "Ludvika kommun", "platform": "facebook", "public_url": "https://www.facebook.com/ludvika",
            "account_id": "100", "department": {"id": 1, "name": "Kommunledningsförvaltningen"},
            "board": {"id": 1, "name": "Kommunstyrelsen"},
        }
        platform = "facebook"
    snapshot = {
        "channel": channel_part,
        "platform": platform,
        "platform_id": f"post1_comment{n}",
        "kind": "comment",
        "version": 1,
        "thread": {"root_platform_id": "post1", "root_text": "Biblioteket har nya öppettider.",
                   "parent_platform_id": "post1", "parent_text": "Biblioteket har nya öppettider."},
        "author": {"platform_id": f"user{n}", "name": f"Anna Andersson {n}", "profile_url": f"https://facebook.com/user{n}"},
        "text": f"Varför stänger biblioteket redan klockan sexton? ({n})",
        "attachments": [],
        "created_at": (now - datetime.timedelta(minutes=5)).isoformat(),
        "edited_at": None,
        "received_at": now.isoformat(),
        "visibility": "public",
        "raw": {"id": f"post1_comment{n}", "message": "…"},
        "source": {"item_id": n, "version_id": n},
    }
    for key, value in overrides.items():
        snapshot[key] = value
    return snapshot


def make_record(channel=None, **overrides):
    return services.capture_item_version(snapshot=make_snapshot(channel, **overrides))


def make_request(user, description="Alla kommentarer om bibliotekets öppettider i maj.") -> PublicRecordsRequest:
    return services.request_create(user=user, description=description)


def make_request_item(user, channel=None):
    record = make_record(channel)
    request = make_request(user)
    services.request_add_records(request=request, records=[record], user=user)
    return request, request.items.get()


def make_rule(board, *, months=24, information_class=InformationClass.PUBLIC_COMMENT, user=None) -> RetentionRule:
    return services.retention_rule_save(
        board=board, information_class=information_class, keep_forever=False, retention_months=months,
        decision_reference="KFN 2026/12", decision_date=datetime.date(2026, 3, 1), user=user,
    )


def make_protocol(board) -> GallringProtocol:
    rule = make_rule(board)
    return GallringProtocol.objects.create(
        rule=rule, rule_snapshot={"board": board.name, "decision_reference": rule.decision_reference},
        cutoff=timezone.now(),
    )
