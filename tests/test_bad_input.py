"""Bad input in a query string or a path gets a Swedish message or a 404, never a server error, and
changes nothing (issue 17 item 2). tests/test_hostile_queries.py walks every GET view with hostile
values; these are the cases the review found, by name."""

from __future__ import annotations

import datetime as dt

import pytest
from django import forms
from django.urls import reverse

from core.bounds import (
    DATE_MAX,
    BoundedDateField,
    IdField,
    PageField,
    form_check_bounds,
    id_number,
    page_number,
)
from moderation import services
from moderation.models import AuditEvent
from moderation.tests.workspace_helpers import arrive

pytestmark = pytest.mark.django_db

OUT_OF_RANGE = "Ange ett datum mellan 1900-01-01 och 2999-12-31."


def test_statistics_for_a_period_from_year_1_to_9999_get_a_message_and_the_default_period(client, informator):
    client.force_login(informator)
    response = client.get(reverse("moderation-dashboard"), {"start": "0001-01-01", "end": "9999-12-31"})
    assert response.status_code == 200
    text = response.content.decode()
    assert OUT_OF_RANGE in text and "Visar de senaste 30 dagarna" in text


@pytest.mark.parametrize("query", [
    {"page": "99999999999999999999"}, {"item": "99999999999999999999"}, {"start": "0001-01-01"},
    {"end": "9999-12-31"}, {"page": "0"},
])
def test_the_audit_search_with_values_the_database_cannot_hold_gets_a_message(client, informator, channel,
                                                                              representative, query):
    services.entry_no_action(user=representative, entry=arrive(channel), motivation="Tack-kommentar.")
    client.force_login(informator)
    response = client.get(reverse("moderation-audit"), query)
    assert response.status_code == 200
    assert "Sökningen kunde inte göras" in response.content.decode()


def test_the_audit_export_with_a_bad_date_is_refused_in_swedish_and_exports_nothing(client, informator, channel,
                                                                                    representative):
    services.entry_no_action(user=representative, entry=arrive(channel), motivation="Tack-kommentar.")
    client.force_login(informator)
    response = client.get(reverse("moderation-audit-csv"), {"end": "9999-12-31"})
    assert response.status_code == 400
    assert "Exporten kunde inte göras" in response.content.decode() and "Tack-kommentar" not in response.content.decode()
    assert AuditEvent.objects.count() == 2  # claim and decision: nothing new


@pytest.mark.parametrize("huge", ["9223372036854775808", "99999999999999999999"])
@pytest.mark.parametrize("name", ["moderation-item", "moderation-eml", "moderation-item-status",
                                  "registry-channel-detail", "registry-user-detail"])
def test_an_id_larger_than_any_key_is_not_found_on_every_database(client, informator, name, huge):
    client.force_login(informator)
    assert client.get(reverse(name, kwargs={"pk": huge})).status_code == 404


def test_the_largest_key_itself_is_looked_up_normally(client, informator):
    client.force_login(informator)
    assert client.get(reverse("registry-channel-detail", kwargs={"pk": 2**63 - 1})).status_code == 404


class _SearchForm(forms.Form):
    start = BoundedDateField(required=False)
    page = PageField()
    item = IdField(required=False)


@pytest.mark.parametrize(("data", "field"), [
    ({"start": "0001-01-01"}, "start"), ({"start": "3000-01-01"}, "start"), ({"start": "2024-02-30"}, "start"),
    ({"page": "100001"}, "page"), ({"page": "0"}, "page"), ({"item": str(2**63)}, "item"),
])
def test_the_bounded_fields_refuse_in_swedish_what_the_database_cannot_hold(data, field):
    form = _SearchForm(data)
    assert not form.is_valid() and field in form.errors


def test_the_bounded_fields_accept_ordinary_values():
    form = _SearchForm({"start": "2026-11-28", "page": "3", "item": "42"})
    assert form.is_valid(), form.errors
    assert form.cleaned_data == {"start": dt.date(2026, 11, 28), "page": 3, "item": 42}


def test_form_check_bounds_adds_errors_to_an_unbounded_form():
    class Unbounded(forms.Form):
        end = forms.DateField(required=False)
        page = forms.IntegerField(required=False)

    assert not form_check_bounds(Unbounded({"end": "9999-12-31"}))
    assert not form_check_bounds(Unbounded({"page": "99999999999999999999"}))
    assert form_check_bounds(Unbounded({"end": DATE_MAX.isoformat(), "page": "2"}))


@pytest.mark.parametrize(("value", "page", "ident"), [
    ("3", 3, 3), ("99999999999999999999", 1, None), ("١٢", 1, None), ("-1", 1, None), ("\x00", 1, None),
    ("9223372036854775807", 1, 2**63 - 1), ("", 1, None),
])
def test_page_and_id_numbers_read_from_a_query_string(value, page, ident):
    assert page_number(value) == page
    assert id_number(value) == ident
