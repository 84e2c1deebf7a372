"""One module per platform API: each renders the shared world in that platform's shape.

Every module offers ``handle(world, request) -> Response`` and the fault renderers
``server_error(status)``, ``rate_limited(fault)`` and ``auth_error()``.
"""

from . import bluesky, graph, linkedin, mastodon, wordpress, youtube

MODULES = {
    "facebook": graph.facebook,
    "instagram": graph.instagram,
    "youtube": youtube,
    "wordpress": wordpress,
    "mastodon": mastodon,
    "bluesky": bluesky,
    "linkedin": linkedin,
}
