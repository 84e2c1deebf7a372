"""Which public addresses belong to which platform.

A channel's public URL must point at its platform: readers follow it from the public list, and a
Facebook channel whose link goes elsewhere would mislead them.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from .models import Platform

# The hosts of each platform with a fixed domain; subdomains (www., m., sv-se.) are accepted.
PLATFORM_HOSTS: dict[str, tuple[str, ...]] = {
    Platform.FACEBOOK: ("facebook.com", "fb.com"),
    Platform.INSTAGRAM: ("instagram.com",),
    Platform.YOUTUBE: ("youtube.com", "youtu.be"),
    Platform.LINKEDIN: ("linkedin.com",),
    Platform.BLUESKY: ("bsky.app",),
}

_MASTODON_PATH = re.compile(r"^/@[A-Za-z0-9_]+(@[A-Za-z0-9.-]+)?/?$")


def _host_matches(host: str, domains: tuple[str, ...]) -> bool:
    return any(host == d or host.endswith("." + d) for d in domains)


def validate_public_url(*, platform: str, url: str) -> None:
    """Raise ValidationError (Swedish message) unless ``url`` is a plausible address on ``platform``."""
    try:
        parts = urlsplit(url.strip())
        host = (parts.hostname or "").lower().rstrip(".")
    except ValueError:
        raise ValidationError(_("Adressen är inte en giltig webbadress."), code="invalid") from None
    if parts.scheme not in ("http", "https") or not host:
        raise ValidationError(_("Adressen måste börja med https:// och innehålla ett värdnamn."), code="invalid")
    if platform == Platform.OTHER:
        return
    if parts.scheme != "https":
        raise ValidationError(_("Adressen måste börja med https://."), code="https")
    if parts.username or parts.password:
        raise ValidationError(_("Adressen får inte innehålla användarnamn eller lösenord."), code="invalid")
    domains = PLATFORM_HOSTS.get(platform)
    if domains is not None:
        if not _host_matches(host, domains):
            raise ValidationError(
                _("Adressen hör inte till %(platform)s. Tillåtna domäner: %(domains)s."),
                code="wrong_platform",
                params={"platform": Platform(platform).label, "domains": ", ".join(domains)},
            )
        if parts.path in ("", "/"):
            raise ValidationError(
                _("Ange adressen till kanalen, inte bara till plattformens startsida."), code="no_path"
            )
        return
    if platform == Platform.MASTODON and not _MASTODON_PATH.match(parts.path):
        raise ValidationError(
            _("En Mastodon-adress ska se ut som https://server.example/@konto."), code="mastodon_path"
        )
    # WordPress: any https host will do.
