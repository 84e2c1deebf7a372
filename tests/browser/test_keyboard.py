"""The moderation workspace by keyboard alone: shortcuts and Tab reach every action, focus is visible
and lands somewhere sensible after an htmx swap, and what changed is said in a live region."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from moderation.models import QueueEntry, QueueState
from moderation.tests.workspace_helpers import arrive

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ACTIVE_ID = "() => document.activeElement && document.activeElement.id"
# The outline the browser draws on the focused element: 'none' or 0px would be invisible focus.
OUTLINE = """() => { const s = getComputedStyle(document.activeElement);
                     return {style: s.outlineStyle, width: parseFloat(s.outlineWidth)}; }"""


def assert_focus_visible(page):
    outline = page.evaluate(OUTLINE)
    assert outline["style"] != "none" and outline["width"] >= 2, outline


@pytest.fixture
def three(channel):
    # Oldest first in the queue (no answer target on these): c-1, c-2, c-3.
    return [arrive(channel, f"c-{n}", text, minute=n) for n, text in enumerate(
        ["När öppnar biblioteket i sommar?", "Tack för en fin kväll!", "Var kan jag parkera vid simhallen?"],
        start=1)]


def test_the_queue_works_with_shortcuts_alone(page, live_server, login, representative, three):
    login(representative)
    page.goto(live_server.url + reverse("moderation-queue"))
    rows = [f"entry-{entry.item_id}" for entry in three]
    order = page.eval_on_selector_all("tr.queue-row", "rows => rows.map(r => r.id)")
    assert sorted(order) == sorted(rows)

    page.keyboard.press("j")
    assert page.evaluate(ACTIVE_ID) == order[0]
    assert_focus_visible(page)
    page.keyboard.press("j")
    assert page.evaluate(ACTIVE_ID) == order[1]
    page.keyboard.press("k")
    assert page.evaluate(ACTIVE_ID) == order[0]

    # c claims the focused row: the row is swapped, focus comes back to the new row, and the live
    # region says what happened.
    page.keyboard.press("c")
    live = page.locator("#queue-messages")
    expect(live).to_have_text("Du handlägger nu posten.")
    expect(page.locator(f"#{order[0]}")).to_contain_text("Påbörjad")
    assert page.evaluate(ACTIVE_ID) == order[0]
    assert_focus_visible(page)
    first = QueueEntry.objects.get(item_id=int(order[0].split("-")[1]))
    assert first.state == QueueState.CLAIMED and first.claimed_by == representative

    # n takes no action on the next one; the region is replaced, not appended to.
    page.keyboard.press("j")
    page.keyboard.press("n")
    expect(live.locator("p")).to_have_count(1)
    expect(live).not_to_have_text("Du handlägger nu posten.")
    assert page.evaluate(ACTIVE_ID) == order[1]
    assert QueueEntry.objects.get(item_id=int(order[1].split("-")[1])).state == QueueState.NO_ACTION

    # ? opens the help and moves focus into it; ? again closes it.
    page.keyboard.press("?")
    expect(page.locator("#shortcut-help")).to_be_visible()
    assert page.evaluate(ACTIVE_ID) == "shortcut-help"
    page.keyboard.press("?")
    expect(page.locator("#shortcut-help")).to_be_hidden()
    assert page.evaluate(ACTIVE_ID) == order[1]  # focus is given back

    # a opens the focused row's item page at the answer panel, with the field focused.
    page.keyboard.press("j")
    page.keyboard.press("a")
    page.wait_for_url(f"**/personal/inkorg/{order[2].split('-')[1]}/#answer")
    page.wait_for_function("() => document.activeElement.tagName === 'TEXTAREA'")
    assert page.evaluate("() => document.activeElement.tagName") == "TEXTAREA"
    assert page.locator("details#answer").get_attribute("open") is not None


def test_the_queue_and_an_answer_work_with_tab_and_enter_alone(page, live_server, login, representative, three):
    login(representative)
    page.goto(live_server.url + reverse("moderation-queue"))

    # The first Tab reaches the skip link, visibly; Enter on it moves focus to the main content.
    page.keyboard.press("Tab")
    assert page.evaluate("() => document.activeElement.className") == "skip-link"
    assert_focus_visible(page)
    page.keyboard.press("Enter")
    assert page.evaluate("() => document.activeElement.id") == "main"

    # Tab on to the first "Ta" button and press it: the row is claimed, focus stays in the row.
    for _ in range(60):
        page.keyboard.press("Tab")
        if page.evaluate("() => document.activeElement.dataset.action") == "claim":
            break
    else:
        pytest.fail("Tab never reached a claim button")
    assert_focus_visible(page)
    row_id = page.evaluate("() => document.activeElement.closest('tr').id")
    page.keyboard.press("Enter")
    expect(page.locator("#queue-messages")).to_have_text("Du handlägger nu posten.")
    assert page.evaluate(ACTIVE_ID) == row_id

    # Tab from the row reaches its link; Enter opens the item page.
    page.keyboard.press("Tab")  # the row's checkbox
    page.keyboard.press("Tab")  # the link to the item
    assert page.evaluate("() => document.activeElement.className") == "item-link"
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/personal/inkorg/{row_id.split('-')[1]}/")

    # Open the answer panel from its summary, write, send: all by keyboard.
    page.locator("details#answer > summary").focus()
    assert_focus_visible(page)
    page.keyboard.press("Enter")
    expect(page.locator("details#answer textarea")).to_be_visible()
    page.keyboard.press("Tab")
    while page.evaluate("() => document.activeElement.tagName") != "TEXTAREA":
        page.keyboard.press("Tab")
    page.keyboard.type("Hej! Biblioteket har öppet 10–16 hela sommaren. /Rut")
    page.keyboard.press("Tab")
    assert page.evaluate("() => document.activeElement.textContent.trim()") == "Skicka svar"
    with page.expect_navigation():
        page.keyboard.press("Enter")

    # After the redirect, focus starts at the message, which says what happened.
    focused = page.evaluate("() => document.activeElement.className")
    assert "messages" in focused
    expect(page.locator("main .messages")).to_contain_text("Svaret")
    # The status block announces itself only when it changes; while the platform has not confirmed,
    # it is polled.
    status = page.locator("#entry-status")
    assert status.get_attribute("data-status-text") == "Väntar på plattformen."
    assert status.get_attribute("hx-trigger") == "every 4s"


def test_a_form_sent_back_with_errors_starts_at_the_first_field_to_fix(page, live_server, login, representative,
                                                                      three):
    login(representative)
    page.goto(live_server.url + reverse("moderation-item", kwargs={"pk": three[0].item_id}) + "#answer")
    # An answer of spaces passes the browser's own check and is refused by the server.
    page.locator("details#answer textarea").fill("   ")
    with page.expect_navigation():
        page.locator("details#answer button[type=submit]").press("Enter")
    assert page.locator("details#answer .errorlist").count() >= 1
    assert page.evaluate("() => document.activeElement.getAttribute('aria-invalid')") == "true"
    assert_focus_visible(page)


def test_a_status_change_on_the_item_page_is_announced_once(page, live_server, login, representative, three):
    """The polled status block: the live region gets the new sentence when it changes, and stays
    quiet when a poll brings the same status back."""
    entry = three[0]
    login(representative)
    page.goto(live_server.url + reverse("moderation-item", kwargs={"pk": entry.item_id}))
    region = page.locator("#entry-status-announce")
    status_url = reverse("moderation-item-status", kwargs={"pk": entry.item_id})
    # One poll, as the block's own hx-trigger would make it, awaited until htmx has settled the swap.
    poll = """async (url) => {
        const settled = new Promise(resolve => document.addEventListener('htmx:afterSettle', resolve, {once: true}));
        await htmx.ajax('GET', url, {target: '#entry-status', swap: 'outerHTML'});
        await settled;
        return document.getElementById('entry-status-announce').textContent;
    }"""
    assert region.inner_text() == ""
    assert page.evaluate(poll, status_url) == ""  # the same status: nothing is said
    # Another moderator claims the item; the next poll brings the change, and it is said once.
    QueueEntry.objects.filter(pk=entry.pk).update(state=QueueState.CLAIMED, claimed_by=representative)
    assert page.evaluate(poll, status_url) == "Status: Påbörjad."
    page.evaluate("() => { document.getElementById('entry-status-announce').textContent = ''; }")
    assert page.evaluate(poll, status_url) == ""


def test_a_poll_never_takes_focus_from_the_page(page, live_server, login, representative, three):
    """The block that is swapped holds no links or fields while it polls, so focus stays put."""
    entry = three[0]
    login(representative)
    page.goto(live_server.url + reverse("moderation-item", kwargs={"pk": entry.item_id}))
    assert page.locator("#entry-status a, #entry-status button, #entry-status input").count() == 0
    page.get_by_role("link", name="visa på plattformen").focus()
    page.evaluate("""async (url) => {
        const settled = new Promise(resolve => document.addEventListener('htmx:afterSettle', resolve, {once: true}));
        await htmx.ajax('GET', url, {target: '#entry-status', swap: 'outerHTML'});
        await settled;
    }""", reverse("moderation-item-status", kwargs={"pk": entry.item_id}))
    assert page.evaluate("() => document.activeElement.textContent") == "visa på plattformen"
