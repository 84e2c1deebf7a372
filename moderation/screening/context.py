"""Context rules: a cue word found by the automaton starts a rule, which then looks at a short,
bounded window of the folded view around it (never the whole text), so the cost stays linear.

Rules: threats (addressee + violent verb + modal), hets (protected group + dehumanising word),
insults aimed at a person, health/social-services details next to a person reference, and the
signals ``fraga`` (a direct question) and ``arende`` (a case number).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .lexicon import DATA_DIR, Hit, expand, fold
from .normalize import BOUNDARY

WINDOW = 60  # characters either side of a cue that a rule looks at


def load_words(name: str) -> frozenset[str]:
    """A word list from moderation/data/words/<name>.txt, folded, braces expanded."""
    out: set[str] = set()
    for raw in (DATA_DIR / "words" / f"{name}.txt").read_text(encoding="utf-8").splitlines():
        line = raw.split("#", 1)[0].strip()
        if line:
            out.update(fold(" ".join(form.split())) for form in expand(line))
    return frozenset(out)


MODALS = load_words("modal")
OBJECTS = frozenset(
    {"dig", "er", "honom", "henne", "hen", "dem", "dom", "din", "ditt", "dina", "ert", "era", "hans", "hennes"}
)
ADDRESSEES = load_words("addressee")
PERSON_REFS = load_words("person_refs")
TARGETS = OBJECTS | ADDRESSEES | load_words("targets")
SUBJECTS = frozenset({"du", "ni", "han", "hon", "hen", "dom", "de", "ni/er"}) | (ADDRESSEES - OBJECTS - {
    "vilken", "vilket", "vilka", "san", "sant", "sana", "alla", "allihop"})
SHARING = ("kolla", "spana", "har:", "har ", "lank", "www", "http", ".com", "min sida", "klicka", "gratis",
           "profilen", "dm", "skickar", "finns har")
COPULA = frozenset({"ar", "e", "va", "var", "verkar", "blir"})
ARTICLES = frozenset({"en", "ett", "ena", "sa", "sant", "sana", "javla", "javl", "helt", "sjukt", "riktigt", "total",
                      "totala", "jakla", "satans", "skit", "fan", "sadan", "sadana", "otroligt"})
NEGATIONS = frozenset({"inte", "int", "aldrig", "ej", "knappast", "ingen", "inga"})
# Words that show a slur or a dehumanising phrase is reported, quoted or opposed, not meant.
DISTANCING = (
    "att kalla", "kallade mig", "kallade oss", "kallade henne", "kallade honom", "kallar oss", "kallar mig",
    "blev kallad", "blev kallade", "ord som", "ordet", "hets mot folkgrupp", "rasism", "rasistisk", "rasistiska",
    "domd", "dömd", "atalad", "åtalad", "polisanmal", "polisanmäl", "skrev nagon", "fick hora", "kallas for",
    "sager att", "säger att", "inte ok", "oacceptabelt", "skam", "tar avstand", "tar avstånd", "pastar att",
    "påstår att",
)
_SENTENCE_END = re.compile(r"[.!?\n]")
QUESTION_WORDS = frozenset(
    {"hur", "nar", "varfor", "vad", "vem", "vilka", "vilken", "vilket", "var", "kan", "gar", "finns", "far", "ska",
     "kommer", "stammer", "ar", "blir", "galler", "oppnar", "stanger", "har", "vart", "hurdan", "behover", "maste",
     "borde", "tanker", "planerar", "brukar", "skulle", "fanns", "behovs", "hade", "kunde", "vet"}
)
MUNICIPALITY_WORDS = frozenset({"ni", "er", "kommunen", "kommunens", "ludvika", "nagon", "nan", "forvaltningen",
                                "biblioteket", "ert", "era"})
RHETORICAL = ("ar det bara jag", "vem bryr sig", "eller hur", "skamt", "ja?", "va?", "eller?", "hallo?", "allvarligt?")
QUESTION_CUES = ("jag undrar", "undrar om", "undrar nar", "undrar hur", "undrar varfor", "vill garna veta",
                 "skulle vilja veta", "kan nagon svara", "jag vill veta", "ge besked", "vem ansvarar")
_DNR = re.compile(
    r"(?<![\w])(?:(?:dnr|diarienr|diarienummer)\.?:?\s{0,3}[A-ZÅÄÖa-zåäö]{0,6}[ -]?(?:19|20)?[0-9]{2}[/.:-][0-9]{1,6}"
    r"|[A-ZÅÄÖ]{2,6}[ -](?:19|20)[0-9]{2}[/.:][0-9]{1,6})(?![\w/])"
)
_NAME_PAIR = re.compile(r"(?<![\w])[A-ZÅÄÖ][a-zåäöé]{1,20} [A-ZÅÄÖ][a-zåäöé]{1,25}(?![\w])")


@dataclass(frozen=True)
class RuleHit:
    code: str
    rule: str
    start: int
    end: int
    confidence: float
    explanation: str


def words_before(text: str, pos: int, n: int) -> list[str]:
    return [w.strip(".,!?:;\"'()") for w in text[max(0, pos - WINDOW) : pos].split()][-n:]


def words_after(text: str, pos: int, n: int) -> list[str]:
    return [w.strip(".,!?:;\"'()") for w in text[pos : pos + WINDOW].split()][:n]


def sentence_bounds(text: str, s: int, e: int) -> tuple[int, int]:
    """The sentence around [s, e), limited to WINDOW*2 characters either side."""
    lo = max(0, s - 2 * WINDOW)
    hi = min(len(text), e + 2 * WINDOW)
    a = max(text.rfind(".", lo, s), text.rfind("!", lo, s), text.rfind("?", lo, s), text.rfind("\n", lo, s)) + 1
    a = max(a, lo)
    ends = [i for i in (text.find(".", e, hi), text.find("!", e, hi), text.find("?", e, hi)) if i != -1]
    b = min(ends) if ends else hi
    return a, b


def distanced(text: str, s: int, e: int) -> bool:
    a, b = sentence_bounds(text, s, e)
    window = text[a:b]
    return any(cue in window for cue in DISTANCING)


def threats(folded: str, cues: list[Hit]) -> list[RuleHit]:
    out = []
    for h in cues:
        name = h.entry.code
        if name not in ("cue:violence", "cue:violence_passive"):
            continue
        before = words_before(folded, h.vstart, 5)
        after = words_after(folded, h.vend, 4)
        if any(w in NEGATIONS for w in before[-2:]):
            continue
        has_modal = any(w in MODALS for w in before)
        if name == "cue:violence":
            target = any(w in TARGETS for w in after) or any(w in OBJECTS for w in h.entry.key.split())
            if has_modal and target:
                out.append(RuleHit("brott", "ctx.hot", h.start, h.end, 0.85,
                                   "Hot: ett våldsverb med ett ”ska/kommer att/borde” och en mottagare."))
        else:
            if has_modal and any(w in SUBJECTS for w in before):
                out.append(RuleHit("brott", "ctx.hot", h.start, h.end, 0.8,
                                   "Hot eller uppmaning: någon ”ska/borde” utsättas för våld."))
    return out


def hets(folded: str, cues: list[Hit]) -> list[RuleHit]:
    groups = [h for h in cues if h.entry.code == "cue:groups"]
    if not groups:
        return []
    predicates = [h for h in cues if h.entry.code == "cue:dehumanising"]
    out = []
    for g in groups:
        for p in predicates:
            if abs(p.vstart - g.vstart) > WINDOW:
                continue
            a, b = sentence_bounds(folded, min(g.vstart, p.vstart), max(g.vend, p.vend))
            if not (a <= g.vstart and p.vend <= b):
                continue
            confidence = 0.35 if distanced(folded, g.vstart, p.vend) else 0.8
            start, end = min(g.start, p.start), max(g.end, p.end)
            out.append(RuleHit("hets", "ctx.hets", start, end, confidence,
                               f"En skyddad grupp (”{g.entry.term}”) nära ett nedsättande ord (”{p.entry.term}”)."))
            break
    return out


def insults(folded: str, original: str, cues: list[Hit]) -> list[RuleHit]:
    out = []
    for h in cues:
        if h.entry.code not in ("cue:insult_nouns", "cue:insult_adjectives"):
            continue
        before = words_before(folded, h.vstart, 5)
        if not before or any(w in NEGATIONS for w in before[-3:]):
            continue
        trimmed = [w for w in before if w not in ARTICLES]
        aimed = False
        copula = [i for i, w in enumerate(trimmed) if w in COPULA]
        if copula:
            i = copula[-1]
            # "du är en clown", "ni är värdelösa pajasar", "socialsekreteraren är en psykopat"
            if (i > 0 and trimmed[i - 1] in SUBJECTS) or _NAME_PAIR.search(original, max(0, h.start - WINDOW), h.start):
                aimed = True
        # "din clown", "era tjuvar", "vilken pajas", "jävla clown"
        if not aimed and trimmed and trimmed[-1] in OBJECTS | {"vilken", "vilket", "vilka", "san", "sant", "sana",
                                                             "ni", "du"}:
            aimed = True
        if not aimed and before[-1] in ("javla", "javel", "jakla", "satans"):
            aimed = True
        if aimed:
            confidence = 0.4 if distanced(folded, h.vstart, h.vend) else 0.7
            out.append(RuleHit("fortal", "ctx.forolampning", h.start, h.end, confidence,
                               f"Ett nedsättande ord (”{h.entry.term}”) riktat mot en person."))
    return out


def porn(folded: str, cues: list[Hit]) -> list[RuleHit]:
    out = []
    for h in cues:
        if h.entry.code != "cue:porn":
            continue
        a, b = sentence_bounds(folded, h.vstart, h.vend)
        window = folded[max(a, h.vstart - WINDOW) : min(b, h.vend + WINDOW)]
        shared = any(cue in window for cue in SHARING)
        if shared and not distanced(folded, h.vstart, h.vend):
            out.append(RuleHit("vald_porr", "ctx.porr", h.start, h.end, 0.75,
                               f"Pornografi eller våldsskildring (”{h.entry.term}”) som delas eller länkas."))
        else:
            out.append(RuleHit("vald_porr", "ctx.porr", h.start, h.end, 0.3,
                               f"Ordet ”{h.entry.term}” nämns; ingen länk eller delning hittades."))
    return out


def health(folded: str, original: str, cues: list[Hit], length: int) -> list[RuleHit]:
    details = [h for h in cues if h.entry.code == "cue:health"]
    if not details:
        return []
    out = []
    for d in details:
        window = " " + " ".join(
            w.strip(".,!?:;\"'()") for w in folded[max(0, d.vstart - WINDOW) : d.vend + WINDOW].split()) + " "
        near = any(f" {p} " in window for p in PERSON_REFS)
        if not near:
            seg_start = max(0, d.start - WINDOW)
            near = bool(_NAME_PAIR.search(original, seg_start, min(length, d.end + WINDOW)))
        if not near:
            continue
        social = d.entry.rule == "social"
        out.append(RuleHit("personuppgifter", "ctx.halsa", d.start, d.end, 0.75,
                           f"Uppgift om hälsa eller socialtjänst (”{d.entry.term}”) om en viss person."))
        if social:
            out.append(RuleHit("sekretess", "ctx.socialtjanst", d.start, d.end, 0.6,
                               "Uppgifter om en enskilds kontakter med socialtjänsten kan omfattas av sekretess."))
    return out


def questions(folded: str) -> list[RuleHit]:
    out: list[RuleHit] = []
    pos = folded.find("?")
    count = 0
    while pos != -1 and count < 50:
        count += 1
        a, _ = sentence_bounds(folded, pos, pos)
        sentence = folded[a : pos + 1].strip()
        words = sentence[:-1].translate(BOUNDARY).split()
        if len(words) >= 2:
            clause = sentence[:-1].rsplit(",", 1)[-1].translate(BOUNDARY).split()
            asks = (words[0] in QUESTION_WORDS or (clause and clause[0] in QUESTION_WORDS)
                    or not MUNICIPALITY_WORDS.isdisjoint(words))
            if asks and not any(r in sentence for r in RHETORICAL):
                out.append(RuleHit("fraga", "ctx.fraga", a + (len(folded[a:pos]) - len(folded[a:pos].lstrip())),
                                   pos + 1, 0.7, "En direkt fråga som bör besvaras."))
                break
        pos = folded.find("?", pos + 1)
    if not out and any(w in folded for w in ("undr", "veta", "svara", "besked", "ansvarar")):
        for cue in QUESTION_CUES:
            i = folded.find(cue)
            if i != -1:
                out.append(RuleHit("fraga", "ctx.fraga", i, i + len(cue), 0.65, "En fråga till kommunen."))
                break
    return out


_YEAR_NUMBER = re.compile(r"(?:19|20)[0-9]{2}[/.:][0-9]")


def case_numbers(original: str, folded: str) -> list[RuleHit]:
    if "dnr" not in folded and "diarie" not in folded and not _YEAR_NUMBER.search(original):
        return []
    return [
        RuleHit("arende", "ctx.diarienummer", m.start(), m.end(), 0.85, "Ett diarienummer: gäller ett visst ärende.")
        for m in _DNR.finditer(original)
    ]
