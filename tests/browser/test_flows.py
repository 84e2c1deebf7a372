"""Three whole flows in the real browser, driven as the staff who do them would: clicks, labels and
what the page says. Set-up that happens outside the browser (a comment arriving on the platform, the
worker running the outbox) is done the way production does it: the platform simulator over real HTTP,
a real poll, screening, and the outbox task's own function."""

from __future__ import annotations

import io
import json
import re
import zipfile
from pathlib import Path

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from channels.tests.simhelpers import state
from moderation import services as moderation
from moderation.models import QueueEntry, QueueState
from moderation.tests.workspace_helpers import arrive_from_platform, on_platform, run_outbox

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

QUESTION = "När öppnar biblioteket på lördag?"
SCHOOL = "Får barnen ta med egen matsäck på skolresan till Grängesberg?"
INSULT = "Du är en jävla idiot, Rut."
ANSWER = "Hej! Vi öppnar kl. 10 på lördagar. /Rut, Ludvika bibliotek"


@pytest.fixture(autouse=True)
def _no_context_tasks(settings):
    """Thread context is fetched by a worker after commit; these flows do not need it."""
    settings.CHANNELS_THREAD_CONTEXT_TASKS = False


def _staff_nav(page, name: str):
    return page.get_by_role("navigation", name="Personal").get_by_role("link", name=name, exact=True)


def _panel(page, heading: str):
    """A decision panel on the item page (a <details> under its heading), opened as a user opens it."""
    panel = page.locator("details").filter(has=page.get_by_role("heading", name=heading, exact=True))
    panel.get_by_role("heading", name=heading, exact=True).click()
    return panel


def _field(scope, label: str):
    """A form field by its label, whether or not the label carries the required-field asterisk."""
    return scope.get_by_label(re.compile(rf"^{re.escape(label)}( \*)?$"))


def _fact(page, term: str):
    """The value next to a term in a page's facts list (<dt>term</dt><dd>value</dd>)."""
    return page.locator("dt").filter(has_text=re.compile(rf"^{re.escape(term)}$")).locator("xpath=following-sibling::dd[1]")


def _messages(page):
    return page.locator("main .messages")


@pytest.fixture
def visitor(browser, browser_context_args):
    """A member of the public in a browser of their own: no staff session, their own HTTP cache."""
    context = browser.new_context(**browser_context_args)
    yield context.new_page()
    context.close()


# --- 1. The informatör approves a förvaltning's anmälan ------------------------------------------


def test_an_anmald_channel_appears_publicly_once_the_informator_approves_it(page, live_server, login, dept_admin,
                                                                           informator, channel, mailoutbox, visitor):
    from tests.factories import DepartmentDecisionFactory

    DepartmentDecisionFactory(department=channel.department, services=["facebook", "instagram"],
                              reference="KFN 2026/17")
    # The förvaltningsadmin anmäler a new channel.
    login(dept_admin)
    page.goto(live_server.url + reverse("staff-home"))
    _staff_nav(page, "Kanaler").click()
    page.get_by_role("link", name="Anmäl ny kanal").click()
    _field(page, "Förvaltning").select_option(label="Kultur- och fritidsförvaltningen")
    _field(page, "Plattform").select_option(label="Instagram")
    _field(page, "Namn").fill("Ludvika konsthall")
    _field(page, "Publik adress").fill("https://www.instagram.com/ludvikakonsthall")
    _field(page, "Syfte").fill("Utställningar och visningar i konsthallen.")
    _field(page, "Publik e-post").fill("konsthallen@ludvika.se")
    page.get_by_role("button", name="Skicka anmälan").click()
    expect(_messages(page)).to_contain_text("Kanalen är anmäld.")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Ludvika konsthall")
    expect(page.get_by_text("Anmäld, väntar på informatörens godkännande.")).to_be_visible()
    assert any("Ludvika konsthall" in m.body and informator.email in m.to for m in mailoutbox)

    # Not public yet. (This visit also fills the server's cache of the page, which the approval must drop.)
    visitor.goto(live_server.url + reverse("public-channels"))
    expect(visitor.get_by_role("link", name="Ludvika bibliotek")).to_be_visible()
    expect(visitor.get_by_text("Ludvika konsthall")).to_have_count(0)

    # The informatör finds the anmälan on the start page, opens it and approves it.
    login(informator)
    page.goto(live_server.url + reverse("staff-home"))
    pending = page.locator(".card").filter(has=page.get_by_role("heading", name=re.compile("Väntande anmälningar")))
    pending.get_by_role("link", name="Ludvika konsthall").click()
    expect(page.get_by_role("heading", name="Pröva anmälan")).to_be_visible()
    expect(page.locator("#decision-basis")).to_contain_text("KFN 2026/17")  # the decision it rests on
    _field(page, "Profilbild enligt grafisk profil").check()
    _field(page, "Kontonamn enligt grafisk profil").check()
    _field(page, "Tydligt att kontot är kommunens").check()
    page.get_by_role("button", name="Godkänn anmälan").click()
    expect(_messages(page)).to_contain_text("Anmälan är godkänd.")
    expect(page.get_by_role("heading", name="Pröva anmälan")).to_have_count(0)

    # The visitor reloads the public page and sees the channel, under the förvaltning that runs it. A
    # reload revalidates (the register's new version is a new ETag); a plain revisit within the page's
    # max-age of 60 seconds may be answered from the browser's own cache, by design.
    visitor.reload()
    department = visitor.get_by_role("region", name="Kultur- och fritidsförvaltningen")
    expect(department.get_by_role("link", name="Ludvika konsthall")).to_have_attribute(
        "href", "https://www.instagram.com/ludvikakonsthall")
    expect(department.get_by_text("Utställningar och visningar i konsthallen.")).to_be_visible()


# --- 2. A representative answers, forwards and unpublishes comments from the platform -------------


def _open_from_queue(page, live_server, text: str):
    page.goto(live_server.url + reverse("staff-home"))
    _staff_nav(page, "Inkorg").click()
    page.get_by_role("row").filter(has_text=text).get_by_role("link").click()
    expect(page.locator("blockquote.item-text")).to_have_text(text)


def test_a_representative_answers_forwards_and_unpublishes_comments_from_the_platform(
        page, live_server, login, sim, channel, representative, outsider, mailoutbox):
    question, school, insult = (arrive_from_platform(sim, channel, text) for text in (QUESTION, SCHOOL, INSULT))
    login(representative)

    # Answer the question.
    _open_from_queue(page, live_server, QUESTION)
    _panel(page, "Svara")
    _field(page, "Svar").fill(ANSWER)
    page.get_by_role("button", name="Skicka svar").click()
    expect(_messages(page)).to_contain_text("Svaret skickas till plattformen.")
    expect(page.get_by_text("Väntar på plattformen:")).to_be_visible()
    expect(_fact(page, "Status")).to_have_text(re.compile(r"^Påbörjad"))
    assert not [i for i in state(sim, channel)["items"] if i["own"] and i["text"] == ANSWER]
    run_outbox(question)
    assert question.state == QueueState.ANSWERED
    assert len([i for i in state(sim, channel)["items"] if i["own"] and i["text"] == ANSWER]) == 1
    page.reload()
    expect(_fact(page, "Status")).to_have_text(re.compile(r"^Besvarad"))
    expect(page.get_by_text("Väntar på plattformen:")).to_have_count(0)

    # Forward the question about the school trip to the school administration.
    _open_from_queue(page, live_server, SCHOOL)
    _panel(page, "Vidarebefordra")
    _field(page, "Vidarebefordra till").select_option(label="Otto Utomstående (Barn- och utbildningsförvaltningen)")
    _field(page, "Anteckning till mottagaren").fill("Skolresorna är er fråga. Kan ni svara?")
    page.get_by_role("button", name="Vidarebefordra", exact=True).click()
    expect(_messages(page)).to_contain_text("Posten är vidarebefordrad och mottagaren har fått e-post.")
    expect(_fact(page, "Status")).to_have_text(re.compile(r"^Vidarebefordrad .*vidarebefordrad till Otto Utomstående"))
    [mail] = [m for m in mailoutbox if m.to == [outsider.email]]
    assert "Skolresorna är er fråga. Kan ni svara?" in mail.body
    assert reverse("moderation-item", kwargs={"pk": school.item_id}) in mail.body
    school.refresh_from_db()
    assert school.state == QueueState.FORWARDED and school.forwarded_to == outsider

    # Unpublish the insult, with the policy's code and a motivation.
    _open_from_queue(page, live_server, INSULT)
    panel = _panel(page, "Avpublicera eller radera")
    _field(panel, "Avpublicera (dölj)").check()
    panel.get_by_label(re.compile(r"^fortal – ")).check()
    _field(panel, "Motivering (sparas med beslutet och kan inte ändras)").fill(
        "Personangrepp mot en anställd.")
    panel.get_by_role("radio", name="Nej").check()
    panel.get_by_role("button", name="Avpublicera/radera").click()
    expect(_messages(page)).to_contain_text("Innehåll och avsändare är arkiverade.")
    # Nothing reaches the platform before the worker has run.
    expect(_fact(page, "På plattformen")).to_have_text("Synlig")
    assert on_platform(sim, channel, insult.item.platform_id)["hidden"] is False
    run_outbox(insult)
    assert on_platform(sim, channel, insult.item.platform_id)["hidden"] is True
    page.reload()
    expect(_fact(page, "Status")).to_have_text(re.compile(r"^Avpublicerad"))
    expect(_fact(page, "På plattformen")).to_have_text("Dold")
    audit = page.get_by_role("table").filter(has=page.get_by_role("columnheader", name="Motivering"))
    expect(audit).to_contain_text("Personangrepp mot en anställd.")
    expect(audit).to_contain_text("fortal")

    # The queue has only the forwarded item left open.
    _staff_nav(page, "Inkorg").click()
    expect(page.get_by_role("row").filter(has_text=SCHOOL)).to_contain_text("Vidarebefordrad")
    expect(page.get_by_role("row").filter(has_text=QUESTION)).to_have_count(0)
    expect(page.get_by_role("row").filter(has_text=INSULT)).to_have_count(0)


# --- 3. The records officer handles a request: suggestions, masking, decision, delivery ---------

PERSONAL = "Du är en jävla idiot, Rut Andersson. Jag vet att du bor på Storgatan 12."


@pytest.fixture
def unpublished(sim, channel, representative) -> QueueEntry:
    """A comment that arrived from the platform and was unpublished there, as in the flow above."""
    entry = arrive_from_platform(sim, channel, PERSONAL)
    moderation.entry_remove(user=representative, entry=entry, kind="hide", codes=["fortal", "personuppgifter"],
                            motivation="Personangrepp och en adress.", criticism=False)
    run_outbox(entry)
    assert entry.state == QueueState.UNPUBLISHED
    return entry


def _axe_clean(page) -> None:
    from tests.browser.axe import axe_run, describe

    violations = axe_run(page)
    assert violations == [], describe(violations)


def _pdf_text(data: bytes) -> str:
    from pypdf import PdfReader

    return "\n".join(p.extract_text() or "" for p in PdfReader(io.BytesIO(data)).pages)


def test_a_records_officer_masks_with_suggestions_decides_and_delivers(page, live_server, login, settings, tmp_path,
                                                                         unpublished, records_officer):
    settings.ARCHIVE_EXPORT_ROOT = tmp_path / "exports"
    login(records_officer)
    author = unpublished.item.author_name

    # The request arrives: register it, with what it describes held against gallring at once.
    page.goto(live_server.url + reverse("staff-home"))
    page.get_by_role("link", name="Registrera begäran").click()
    _field(page, "Vad som begärs").fill("De kommentarer som tagits bort från bibliotekets Facebooksida i år.")
    _field(page, "Namn (frivilligt)").fill("Karin Journalist")
    _field(page, "Kanal").select_option(label="Ludvika bibliotek")
    page.get_by_role("button", name="Registrera", exact=True).click()
    expect(_messages(page)).to_contain_text("Begäran är registrerad.")
    expect(page.get_by_text("gäller tills begäran avslutas")).to_be_visible()
    _axe_clean(page)

    # Find the snapshot taken before the removal and put it under review in the request.
    _staff_nav(page, "Arkiv").click()
    _field(page, "Sökord").fill("idiot")
    _field(page, "Posttyp").select_option(label="Ögonblicksbild före borttagning")
    page.get_by_role("button", name="Sök", exact=True).click()
    results = page.get_by_role("table").filter(has=page.get_by_role("columnheader", name="Avsändare"))
    expect(results.locator("tbody tr")).to_have_count(1)
    results.locator("tbody tr").first.get_by_role("link").first.click()
    heading = page.get_by_role("heading", level=1)
    expect(heading).to_have_text(re.compile(r"^Arkivpost \d+$"))
    sequence = heading.inner_text().split()[-1]
    page.get_by_role("button", name="Lägg till", exact=True).click()
    expect(_messages(page)).to_contain_text("1 arkivposter lades till för prövning.")

    # Review: every field a delivery would carry is shown; accept the suggestions one by one.
    page.get_by_role("link", name=f"Pröva post {sequence}").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(f"Pröva arkivpost {sequence}")
    fields = page.locator("table.delivery-fields")
    expect(fields).to_contain_text(PERSONAL)
    expect(fields).to_contain_text(author)
    _axe_clean(page)
    page.get_by_label(re.compile(r"^Rut Andersson \(")).check()
    page.get_by_label(re.compile(r"^Storgatan 12 \(")).check()
    page.locator("fieldset").filter(has_text="Fält som maskeras helt").get_by_label("Avsändare", exact=True).check()
    _field(page, "Sekretessgrund (OSL)").first.select_option(value="OSL 21:7")
    page.get_by_role("button", name="Skapa maskerad kopia").click()
    expect(_messages(page)).to_contain_text("En maskerad kopia är skapad.")
    expect(page.get_by_role("table").filter(has=page.get_by_role("columnheader", name="Prövning"))).to_contain_text(
        "Lämnas ut delvis")

    # Decide, then deliver: the decision travels with the delivery and nothing masked leaves.
    page.get_by_role("button", name="Fatta beslut").click()
    expect(_messages(page)).to_contain_text("Beslutet är fattat.")
    expect(page.locator("pre.decision")).to_contain_text("HUR MAN ÖVERKLAGAR")
    _axe_clean(page)
    with page.expect_download() as decision_info:
        page.get_by_role("link", name="Ladda ned beslutet (PDF)").click()
    decision_text = _pdf_text(Path(decision_info.value.path()).read_bytes())
    assert "21 kap. 7 § OSL" in decision_text and "Kammarrätten" in decision_text

    _field(page, "Format").select_option(label="PDF (taggad)")
    page.get_by_role("button", name="Skapa export").click()
    expect(_messages(page)).to_contain_text("Exporten är klar")
    with page.expect_download() as pdf_info:
        page.get_by_role("link", name=re.compile(r"^begaran-\d+-\d{8}-\d{4}-\w+\.pdf$")).click()
    text = _pdf_text(Path(pdf_info.value.path()).read_bytes())
    assert "jävla idiot" in text and "Rut Andersson" not in text and "Storgatan 12" not in text
    assert author not in text and "Beslut om utlämnande" in text

    _field(page, "Format").select_option(label="BagIt-paket")
    page.get_by_role("button", name="Skapa export").click()
    expect(_messages(page)).to_contain_text("Exporten är klar")
    with page.expect_download() as bag_info:
        page.get_by_role("link", name=re.compile(r"^begaran-\d+.*\.zip$")).click()
    bag = zipfile.ZipFile(io.BytesIO(Path(bag_info.value.path()).read_bytes()))
    assert bag.testzip() is None
    for name in bag.namelist():
        data = bag.read(name)
        content = _pdf_text(data) if data.startswith(b"%PDF-") else data.decode("utf-8", errors="replace")
        assert "Rut Andersson" not in content and "Storgatan 12" not in content and author not in content, name
    [record] = [name for name in bag.namelist() if name.endswith(f"data/records/{int(sequence):010d}.json")]
    assert "jävla idiot" in json.dumps(json.loads(bag.read(record)), ensure_ascii=False)

    # Everything is decided and delivered, so the request is closed and its hold released.
    page.get_by_role("button", name="Avsluta begäran").click()
    expect(_messages(page)).to_contain_text("Begäran är avslutad.")
    expect(_fact(page, "Status")).to_have_text("Avslutad")
    expect(page.get_by_text("gäller tills begäran avslutas")).to_have_count(0)
