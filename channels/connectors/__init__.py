"""Platform connectors: one module per platform behind the interface in ``base``.

``get_connector(platform)`` gives the connector class; ``default_base_url(platform, channel_api_url)``
gives the API base URL to construct it with (from settings, or the channel's own site/instance).
"""

from __future__ import annotations

import importlib

from .base import Connector

CONNECTOR_CLASSES = {
    "facebook": "facebook.FacebookConnector",
    "instagram": "instagram.InstagramConnector",
    "youtube": "youtube.YouTubeConnector",
    "wordpress": "wordpress.WordPressConnector",
    "mastodon": "mastodon.MastodonConnector",
    "bluesky": "bluesky.BlueskyConnector",
    "linkedin": "linkedin.LinkedInConnector",
}

# The setting that holds each platform's API base URL; WordPress and Mastodon use the channel's own URL.
BASE_URL_SETTINGS = {
    "facebook": "FACEBOOK_GRAPH_URL",
    "instagram": "INSTAGRAM_GRAPH_URL",
    "youtube": "YOUTUBE_API_URL",
    "bluesky": "BLUESKY_API_URL",
    "linkedin": "LINKEDIN_API_URL",
}


class UnknownPlatform(LookupError):
    pass


def get_connector(platform: str) -> type[Connector]:
    try:
        module_name, class_name = CONNECTOR_CLASSES[platform].split(".")
    except KeyError:
        raise UnknownPlatform(f"no connector for platform {platform!r}") from None
    module = importlib.import_module(f"{__name__}.{module_name}")
    return getattr(module, class_name)


def default_base_url(platform: str, channel_api_url: str = "") -> str:
    """The API base URL for a channel: the platform's setting, or for WordPress and Mastodon the
    channel's site or instance URL (``https://blogg.ludvika.se``, ``https://mastodon.nu``).

    A channel_api_url given for the other platforms overrides the setting (a proxy, a test server)."""
    from django.conf import settings

    if platform in ("wordpress", "mastodon"):
        if not channel_api_url:
            raise ValueError(f"{platform} needs the channel's site or instance URL")
        return channel_api_url.rstrip("/")
    if platform not in BASE_URL_SETTINGS:
        raise UnknownPlatform(f"no connector for platform {platform!r}")
    return (channel_api_url or getattr(settings, BASE_URL_SETTINGS[platform])).rstrip("/")
