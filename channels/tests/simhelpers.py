"""Talking to the platform simulator's control API (/_sim/) from the store's tests."""

from __future__ import annotations

import requests

from channels.models import ChannelSync
from channels.services import channel_credentials_set

TOKEN = "sim-token-ludvika-0001"


def connect(sim, channel, *, platform: str | None = None, token: str = TOKEN) -> ChannelSync:
    """Point a channel at the simulator and give it credentials."""
    platform = platform or channel.platform
    sync, _ = ChannelSync.objects.get_or_create(channel=channel)
    sync.api_base_url = sim.url(platform)
    sync.save(update_fields=["api_base_url"])
    if platform in ("wordpress", "bluesky"):
        channel_credentials_set(channel=channel, credentials={"username": "kommun", "password": token})
    else:
        channel_credentials_set(channel=channel, credentials={"access_token": token})
    return ChannelSync.objects.get(pk=sync.pk)


def control(sim, method: str, name: str, **data):
    response = requests.request(method, f"{sim.base_url}/_sim/{name}", json=data or None, timeout=10)
    response.raise_for_status()
    return response.json()


def state(sim, channel, platform: str | None = None) -> dict:
    response = requests.get(
        f"{sim.base_url}/_sim/state",
        params={"platform": platform or channel.platform, "account": channel.account_id},
        timeout=10,
    )
    response.raise_for_status()
    return response.json()


def connector_platform_id(platform: str, item: dict) -> str:
    """The platform id a connector stores for an item of ``/_sim/state``: the same, except that the
    Bluesky connector names a DM by its convo and message id (``chat/<convoId>/<messageId>``)."""
    if platform == "bluesky" and item["kind"] == "dm":
        return f"chat/{item['conversation_id']}/{item['id'].rsplit('/', 1)[-1]}"
    return item["id"]


def faults(sim, **data):
    return control(sim, "POST", "faults", **data)
