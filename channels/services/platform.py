"""Building the connector for a channel: its class, base URL and decrypted credentials."""

from __future__ import annotations

import threading

import requests
from django.conf import settings

from registry.models import Channel

from ..connectors.base import Connector
from ..models import ChannelSync
from .sync import channel_credentials_get


class NotConnectable(Exception):
    """The channel has no connector or no API address to reach."""


_local = threading.local()


def _session() -> requests.Session:
    """One HTTP session per thread, reused across channels so connections are pooled."""
    session = getattr(_local, "session", None)
    if session is None:
        session = _local.session = requests.Session()
    return session


def connector_class(platform: str) -> type[Connector] | None:
    """The platform's connector class, or None when this installation has none for it."""
    from .. import connectors

    try:
        return connectors.get_connector(platform)
    except (connectors.UnknownPlatform, ImportError, AttributeError):
        return None


def api_base_url(*, channel: Channel, sync: ChannelSync) -> str:
    """The channel's own API address (WordPress site, Mastodon instance, a simulator or proxy), or the
    platform's setting."""
    from .. import connectors

    try:
        return connectors.default_base_url(channel.platform, sync.api_base_url)
    except (connectors.UnknownPlatform, ValueError):
        return ""


def connector_for(*, channel: Channel, sync: ChannelSync) -> Connector:
    cls = connector_class(channel.platform)
    if cls is None:
        raise NotConnectable(f"no connector for platform {channel.platform!r}")
    base_url = api_base_url(channel=channel, sync=sync)
    if not base_url:
        raise NotConnectable("no API address")
    timeout = float(getattr(settings, "CHANNELS_HTTP_TIMEOUT_SECONDS", 20))
    return cls(
        account_id=channel.account_id,
        credentials=channel_credentials_get(sync=sync),
        base_url=base_url,
        session=_session(),
        timeout=timeout,
    )
