"""Bounds for what a visitor can put in a query string or form, so that bad input gets a Swedish
message instead of an error page.

Without bounds, ``?page=99999999999999999999`` overflows the database's integer (PostgreSQL answers
"out of range", SQLite "Python int too large"), a date like ``9999-12-31`` overflows when a day is
added to make the end of a period, ``0001-01-01`` when it is moved to UTC, and an id above 2^63 - 1
reaches the database as a number it cannot hold. Any app may use these fields in its forms, or the
helpers in views that read ``request.GET`` themselves:

    from core.bounds import BoundedDateField, IdField, PageField, page_number
"""

from __future__ import annotations

import datetime as dt

from django import forms
from django.utils.translation import gettext_lazy as _

# The dates a search or a period may name. Wide enough for every record of a social media channel
# and every decision about one; narrow enough that a day more or less, or a time zone, stays valid.
DATE_MIN = dt.date(1900, 1, 1)
DATE_MAX = dt.date(2999, 12, 31)
# Pages of a list. A list of 100 rows per page would need 10 million rows to reach the last page.
PAGE_MAX = 100_000
# Primary keys are 64-bit (BigAutoField) on PostgreSQL and SQLite alike.
ID_MAX = 2**63 - 1
# Free text in a search field: longer text is no search term.
SEARCH_MAX_LENGTH = 200


class BoundedDateField(forms.DateField):
    """A date between DATE_MIN and DATE_MAX (ÅÅÅÅ-MM-DD), with a Swedish message otherwise."""

    default_error_messages = {
        "invalid": _("Ange ett datum som ÅÅÅÅ-MM-DD."),
        "out_of_range": _("Ange ett datum mellan %(min)s och %(max)s."),
    }

    def __init__(self, **kwargs):
        kwargs.setdefault("widget", forms.DateInput(attrs={"type": "date", "min": DATE_MIN.isoformat(),
                                                           "max": DATE_MAX.isoformat()}))
        super().__init__(**kwargs)

    def validate(self, value):
        super().validate(value)
        if value is not None and not DATE_MIN <= value <= DATE_MAX:
            raise forms.ValidationError(self.error_messages["out_of_range"], code="out_of_range",
                                        params={"min": DATE_MIN.isoformat(), "max": DATE_MAX.isoformat()})


class PageField(forms.IntegerField):
    """A page number from 1 to PAGE_MAX."""

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault("widget", forms.HiddenInput)
        super().__init__(min_value=1, max_value=PAGE_MAX, **kwargs)


class IdField(forms.IntegerField):
    """A positive 64-bit id (a post, a record, a request) as typed in a search field."""

    def __init__(self, **kwargs):
        super().__init__(min_value=1, max_value=ID_MAX, **kwargs)


def page_number(value, *, default: int = 1) -> int:
    """A page number read from a query string: ``default`` unless it is an integer of at most 7 ASCII
    digits from 1 to PAGE_MAX (int() would also accept "١٢" or " 1_0 ")."""
    text = str(value or "").strip()
    if not (text.isascii() and text.isdigit() and len(text) <= 7):
        return default
    number = int(text)
    return number if 1 <= number <= PAGE_MAX else default


def id_number(value) -> int | None:
    """A positive 64-bit id from a query string, or None when it is not one."""
    text = str(value or "").strip()
    if not (text.isascii() and text.isdigit() and len(text) <= 19):
        return None
    number = int(text)
    return number if 1 <= number <= ID_MAX else None


def date_in_range(value: dt.date | None) -> bool:
    return value is None or DATE_MIN <= value <= DATE_MAX


PAGE_FIELD_NAMES = frozenset({"page", "sida"})


def form_check_bounds(form) -> bool:
    """For a form whose fields are not bounded themselves: after is_valid(), add a Swedish error to every
    cleaned date outside DATE_MIN..DATE_MAX, page number above PAGE_MAX and other integer beyond a 64-bit
    id. Returns whether the form is (still) valid."""
    if not form.is_valid():
        return False
    for name, value in list(form.cleaned_data.items()):
        if isinstance(value, dt.datetime):
            value = value.date()
        if isinstance(value, dt.date):
            if not date_in_range(value):
                form.add_error(name, forms.ValidationError(
                    _("Ange ett datum mellan %(min)s och %(max)s."), code="out_of_range",
                    params={"min": DATE_MIN.isoformat(), "max": DATE_MAX.isoformat()}))
        elif isinstance(value, int) and not isinstance(value, bool):
            limit = PAGE_MAX if name in PAGE_FIELD_NAMES else ID_MAX
            if not -limit <= value <= limit:
                form.add_error(name, forms.ValidationError(
                    _("Ange ett tal från 1 till %(max)s."), code="out_of_range", params={"max": limit}))
    return not form.errors


def form_errors_text(form) -> str:
    """The form's errors as one line for a message: "Fält: fel. Fält: fel." (labels, not field names)."""
    parts = []
    for name, errors in form.errors.items():
        field = form.fields.get(name)
        label = field.label if field is not None and field.label else name
        parts.extend(f"{label}: {error}" for error in errors)
    return " ".join(parts)
