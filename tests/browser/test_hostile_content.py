"""Hostile comments, proven inert in the real browser: no script runs, no dialog opens and no
request leaves for a host other than the live server."""

from urllib.parse import quote, urlsplit

import pytest
from django.urls import reverse

from archive.models import ArchiveRecord
from moderation.tests.workspace_helpers import arrive
from tests.factories import ChannelFactory, DepartmentFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

HOSTILE = {
    "script": 'Hej <script>alert("script");window.__pwned = 1</script> på er',
    "img": '<img src="https://evil.example/x.png" onerror="alert(\'img\')">',
    "link": '<a href="javascript:alert(\'link\')">klicka här</a> för rabatt',
    "svg": '<svg onload="alert(\'svg\')"><circle r="40"/></svg>',
    "broken": '<div><b>oavslutad <i>text <a href="https://evil.example/"><img src=https://evil.example/y.png',
    "rtl": "Kommentar med \u202egnp.exe\u202c och <iframe src=\"https://evil.example/\"></iframe>",
}

VISIBLE = {
    "script": '<script>alert("script")',
    "img": '<img src="https://evil.example/x.png" onerror=',
    "link": '<a href="javascript:alert(',
    "svg": "<svg onload=",
    "broken": "<div><b>oavslutad <i>text",
    "rtl": "gnp.exe",
}


@pytest.fixture
def watched(page, live_server):
    """Record dialogs, console errors and requests to foreign hosts for the page."""
    seen = {"dialogs": [], "errors": [], "foreign": []}
    own = urlsplit(live_server.url).netloc

    def on_dialog(dialog):
        seen["dialogs"].append(dialog.message)
        dialog.dismiss()

    page.on("dialog", on_dialog)
    def on_console(msg):
        if msg.type == "error":
            seen["errors"].append(f"{msg.text} {msg.location}")

    page.on("console", on_console)
    page.on("response", lambda resp: resp.status >= 400 and seen["errors"].append(f"{resp.status} {resp.url}"))
    page.on("pageerror", lambda exc: seen["errors"].append(str(exc)))
    page.on("request", lambda req: urlsplit(req.url).netloc not in (own, "")
            and seen["foreign"].append(req.url))
    return seen


def assert_inert(page, watched):
    page.wait_for_load_state("networkidle")
    assert watched["dialogs"] == []
    assert watched["errors"] == []
    assert watched["foreign"] == []
    assert page.evaluate("() => window.__pwned") is None
    assert page.locator(".user-text svg, .user-text img, .user-text iframe, .user-text script").count() == 0


def test_hostile_comments_are_inert_in_the_queue_and_on_the_item_page(page, live_server, login, watched,
                                                                      channel, representative):
    entries = [arrive(channel, f"h-{key}", text, minute=n + 1) for n, (key, text) in enumerate(HOSTILE.items())]
    login(representative)

    page.goto(live_server.url + reverse("moderation-queue"))
    assert_inert(page, watched)
    assert 'alert("script")' in page.content().replace("&quot;", '"')

    for entry, key in zip(entries, HOSTILE, strict=True):
        page.goto(live_server.url + reverse("moderation-item", kwargs={"pk": entry.item_id}))
        assert_inert(page, watched)
        # The text is shown as text: the moderator sees the markup, the browser does not interpret it.
        assert VISIBLE[key] in page.locator("body").inner_text()


def test_hostile_comments_are_inert_in_the_archive(page, live_server, login, watched, channel, records_officer):
    entries = [arrive(channel, f"h-{key}", text, minute=n + 1) for n, (key, text) in enumerate(HOSTILE.items())]
    login(records_officer)

    # The search lists them, and a hostile search term is reflected as text only.
    page.goto(live_server.url + reverse("archive-search") + "?q=" + quote('<script>alert("q")</script>'))
    assert_inert(page, watched)
    page.goto(live_server.url + reverse("archive-search") + "?channel=" + str(channel.pk))
    assert_inert(page, watched)
    assert VISIBLE["script"] in page.locator("main").inner_text()

    for entry, key in zip(entries, HOSTILE, strict=True):
        record = ArchiveRecord.objects.filter(source_item_id=entry.item_id).order_by("sequence").first()
        assert record is not None, f"{key}: not archived"
        page.goto(live_server.url + reverse("archive-record-detail", kwargs={"sequence": record.sequence}))
        assert_inert(page, watched)
        assert VISIBLE[key] in page.locator("main").inner_text()


def test_hostile_registry_text_is_inert_on_the_public_pages(page, live_server, watched):
    """What the public sees comes from the registry (typed by staff, or imported from a spreadsheet),
    so it is text from people too: shown as text, and a javascript: address is never a link."""
    department = DepartmentFactory(name=HOSTILE["svg"])
    ChannelFactory(department=department, name=HOSTILE["img"], purpose=HOSTILE["script"],
                   public_contact=HOSTILE["rtl"], public_url="javascript:alert('url')")
    for name in ("public-channels", "public-channels-embed", "moderation-transparency"):
        page.goto(live_server.url + reverse(name))
        assert_inert(page, watched)
    page.goto(live_server.url + reverse("public-channels"))
    text = page.locator("main").inner_text()
    for key in ("svg", "img", "script", "rtl"):
        assert VISIBLE[key] in text, key
    # Forms refuse such an address (URLField); were one in the database anyway, it is not made a
    # link (the embedded list runs under the host page's policy, not ours).
    assert page.get_by_role("link", name=HOSTILE["img"]).count() == 0
    assert page.locator("a[href^='javascript']").count() == 0


def test_the_watch_sees_a_dialog_from_a_script_that_runs(page, live_server, watched, channel):
    """The harness itself: a script that does run is caught. (A foreign fetch from the page is
    stopped by the CSP's connect-src before any request is made.)"""
    page.goto(live_server.url + reverse("public-channels"))
    page.evaluate("() => alert('x')")
    assert watched["dialogs"] == ["x"]
