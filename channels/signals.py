"""Signals that the inbound store sends upward (DESIGN §5: a lower layer never imports a higher one).

item_version_stored: sent inside the storing transaction for every new item version,
with keyword argument ``version`` (the stored ItemVersion). Moderation screens it.
"""

from django.dispatch import Signal

item_version_stored = Signal()
