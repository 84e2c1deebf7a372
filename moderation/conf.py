"""Moderation settings. Each is read from Django settings when defined there, else from the
environment (django-environ), else the default. See docs/moderation.md."""

from __future__ import annotations

import environ
from django.conf import settings

_env = environ.Env()

DEFAULTS = {
    # The myndighetsbrevlåda that receives direct messages as inkomna handlingar.
    "MODERATION_OFFICIAL_MAILBOX": ("str", "kommun@ludvika.se"),
    # The synpunktshantering's intake address (empty: that hand-off method is not offered).
    "MODERATION_FEEDBACK_EMAIL": ("str", ""),
    # A DM without hand-off after this many hours raises an alert.
    "MODERATION_HANDOFF_ALERT_HOURS": ("int", 24),
    # Supervision (lag om elektroniska anslagstavlor): items nobody has opened for this many hours alert the informatör.
    "MODERATION_SUPERVISION_HOURS": ("int", 24),
    "MODERATION_OFFICE_START_HOUR": ("int", 8),
    "MODERATION_OFFICE_END_HOUR": ("int", 16),
    # Absolute links in e-mails (e.g. https://social.ludvika.se); empty: paths only.
    "MODERATION_SITE_URL": ("str", ""),
}


def get(name: str):
    if hasattr(settings, name):
        return getattr(settings, name)
    kind, default = DEFAULTS[name]
    return _env.int(name, default=default) if kind == "int" else _env.str(name, default=default)
