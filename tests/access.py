"""The access table format used by tests/test_url_access.py.

Each app lists every URL name it serves in ``<app>/tests/access_table.py`` as ``ACCESS``:
who may use the page, and how to build its URL. A view added without a row fails the walk test.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

ANONYMOUS = "anonymous"
# Every persona of the shared conftest. "substitute" is staff of another department appointed as
# ersättare on the world's channel; "outsider" is staff of another department with no appointment.
STAFF_PERSONAS = ("informator", "dept_admin", "representative", "substitute", "records_officer", "outsider")
EVERYONE = frozenset((ANONYMOUS, *STAFF_PERSONAS))


@dataclass(frozen=True)
class Access:
    """Who gets through to one URL.

    allowed: the personas that may use it (EVERYONE for public pages). Anonymous visitors of a staff
      page are sent to login; staff not allowed get 403 or 404.
    kwargs: builds the URL's keyword arguments from a fixture getter (``fx("channel").pk``).
    method: "get" or "post". data: the POST body, built the same way.
    """

    allowed: frozenset[str]
    kwargs: Callable[[Callable[[str], object]], dict] | None = None
    method: str = "get"
    data: Callable[[Callable[[str], object]], dict] | None = None
    extra: dict = field(default_factory=dict)


def staff(*personas: str, **options) -> Access:
    return Access(allowed=frozenset(personas), **options)


def public_page(**options) -> Access:
    return Access(allowed=EVERYONE, **options)


ALL_STAFF = STAFF_PERSONAS


APPS_WITH_TABLES = ("ludvika_social", "registry", "channels", "moderation", "archive")


def access_tables() -> dict[str, Access]:
    """Every app's access table in one dict (URL name -> Access); a name listed twice fails."""
    import importlib

    table: dict[str, Access] = {}
    for app in APPS_WITH_TABLES:
        try:
            module = importlib.import_module(f"{app}.tests.access_table")
        except ModuleNotFoundError:
            continue
        overlap = set(table) & set(module.ACCESS)
        assert not overlap, f"URL names listed twice: {overlap}"
        table.update(module.ACCESS)
    return table
