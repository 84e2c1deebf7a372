"""What the archive's views share: the roles that reach them, the page size, the capped paginator.

Thin views: each is wrapped in one access decorator, fetches objects through the access-checked
lookups in archive.selectors and writes only through archive.services.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.utils.functional import cached_property

from archive import selectors
from registry.models import Role

ARCHIVE = (Role.RECORDS_OFFICER, Role.INFORMATOR)
RECORDS_OFFICER = (Role.RECORDS_OFFICER,)
PAGE_SIZE = 50


class CappedPaginator(Paginator):
    """Pages over at most SEARCH_COUNT_CAP matches; the page says when there are more."""

    def __init__(self, object_list, per_page, *, matches: int):
        super().__init__(object_list, per_page)
        self.matches = matches

    @cached_property
    def count(self) -> int:
        return min(self.matches, selectors.SEARCH_COUNT_CAP)

    @property
    def capped(self) -> bool:
        return self.matches > selectors.SEARCH_COUNT_CAP


def errors(exc: ValidationError) -> str:
    return " ".join(exc.messages)
