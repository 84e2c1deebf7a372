"""axe-core (WCAG 2.1 A/AA) on every public page and the main staff pages: no serious or critical
violation."""

import pytest
from django.test import Client
from django.urls import reverse

from moderation.tests.workspace_helpers import arrive
from tests.browser.axe import axe_run, blocking, describe

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def assert_accessible(page, url: str):
    response = page.goto(url)
    assert response is not None and response.ok, f"{url}: HTTP {response and response.status}"
    assert page.url == url, f"{url} ended at {page.url}"
    violations = axe_run(page)
    bad = blocking(violations)
    print(f"axe {url}: {len(violations)} violation(s), {len(bad)} serious/critical")
    assert not bad, f"{url}:\n{describe(bad)}"


@pytest.mark.parametrize("name", ["public-channels", "comment-policy", "accessibility", "moderation-transparency",
                                  "login"])
def test_public_page_has_no_serious_axe_violations(page, live_server, channel, other_channel, name):
    assert_accessible(page, live_server.url + reverse(name))


def test_the_not_found_page_has_no_serious_axe_violations(page, live_server, db):
    response = page.goto(live_server.url + "/finns-inte/")
    assert response is not None and response.status == 404
    assert not blocking(axe_run(page)), describe(blocking(axe_run(page)))


def test_the_embeddable_list_is_accessible_inside_a_host_page(page, live_server, channel, other_channel):
    """The fragment is meant to be placed in the municipality's own page: check it there."""
    fragment = Client().get(reverse("public-channels-embed")).content.decode()
    assert "<html" not in fragment
    page.goto(live_server.url + reverse("accessibility"))  # any page of ours, for the origin
    page.set_content(f'<!DOCTYPE html><html lang="sv"><head><title>Ludvika kommun</title></head>'
                     f'<body><main><h1>Kommunen i sociala medier</h1>{fragment}</main></body></html>')
    bad = blocking(axe_run(page))
    assert not bad, describe(bad)


def test_staff_start_page_has_no_serious_axe_violations(page, live_server, login, channel, representative):
    login(representative)
    assert_accessible(page, live_server.url + reverse("staff-home"))


def test_registry_pages_have_no_serious_axe_violations(page, live_server, login, channel, other_channel,
                                                        informator):
    login(informator)
    for name, kwargs in [("registry-channel-list", {}), ("registry-channel-detail", {"pk": channel.pk}),
                         ("registry-channel-edit", {"pk": channel.pk}), ("registry-channel-create", {})]:
        assert_accessible(page, live_server.url + reverse(name, kwargs=kwargs))


def test_moderation_pages_have_no_serious_axe_violations(page, live_server, login, channel, representative):
    entry = arrive(channel, "c-1", "Tack för en fin kväll på biblioteket!")
    arrive(channel, "c-2", "När öppnar biblioteket i sommar?", minute=2)
    arrive(channel, "c-3", "Ni är idioter allihop", author="Bertil Berg", minute=3)
    login(representative)
    assert_accessible(page, live_server.url + reverse("moderation-queue"))
    assert_accessible(page, live_server.url + reverse("moderation-item", kwargs={"pk": entry.item_id}))


def test_archive_search_has_no_serious_axe_violations(page, live_server, login, channel, records_officer):
    arrive(channel, "c-1", "Tack för en fin kväll på biblioteket!")
    login(records_officer)
    assert_accessible(page, live_server.url + reverse("archive-search"))
    assert_accessible(page, live_server.url + reverse("archive-search") + "?q=biblioteket")


def test_the_axe_check_finds_a_violation_it_is_meant_to_find(page, live_server, channel):
    """The harness itself: a page with an unlabeled field and an image without alt text fails."""
    page.goto(live_server.url + reverse("public-channels"))
    page.evaluate("""() => {
        const main = document.querySelector('main');
        main.appendChild(Object.assign(document.createElement('input'), {type: 'text'}));
        main.appendChild(Object.assign(document.createElement('img'), {src: '/static/none.png'}));
    }""")
    ids = {v["id"] for v in blocking(axe_run(page))}
    assert {"label", "image-alt"} <= ids


def test_the_records_law_pages_have_no_axe_violations(page, live_server, login, channel, records_officer,
                                                     representative, informator):
    """The pages issue 12 added: the register, a record under a sekretess marking, manual capture, a
    gallring dry run, the block list, the item page with its records panels, the comment policy and
    its versions. Zero violations of any impact, not only no serious ones."""
    import datetime as dt

    from django.utils import timezone

    from archive import services as archive
    from archive.tests.helpers import make_record, make_rule
    from moderation import services as moderation
    from tests.browser.axe import axe_run

    entry = arrive(channel, "c-1", "Ärendet om bygglovet på Storgatan 4.")
    moderation.entry_register_case(user=representative, entry=entry, case_number="SBN 2026/1", subject="Bygglov")
    blocked = arrive(channel, "c-2", "Idiot.", author="Bertil Berg", minute=2)
    moderation.block_create(user=representative, entry=blocked, codes=["fortal"], motivation="Angrepp.",
                            review_on=timezone.localdate() + dt.timedelta(days=30), manual_note="I appen.")
    record = make_record(channel, received_at="2020-03-01T12:00:00+00:00")
    archive.secrecy_mark(user=records_officer, record=record, osl_ground="OSL 21:7")
    rule = make_rule(channel.department.board, months=12)

    def clean(url: str) -> None:
        page.goto(live_server.url + url)
        violations = axe_run(page)
        assert violations == [], describe(violations)

    login(records_officer)
    for url in (reverse("archive-register"), reverse("archive-record-detail", args=[record.sequence]),
                reverse("archive-manual-capture"), reverse("archive-rule-preview", args=[rule.pk]),
                reverse("archive-request-create")):
        clean(url)
    login(representative)
    clean(reverse("moderation-blocks"))
    clean(reverse("moderation-item", kwargs={"pk": entry.item_id}))
    login(informator)
    clean(reverse("registry-policy-list"))
    clean(reverse("comment-policy"))
    clean(reverse("comment-policy-version", args=["2026-11-28"]))
