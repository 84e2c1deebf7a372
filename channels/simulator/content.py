"""Swedish text for the platform simulator: what residents write to a municipality.

Everything here is invented. The personal identity numbers are made up for tests (they are of the
shape a screening rule must catch), the names are common Swedish names, and the policy-breaking
lines exist so moderation can be exercised: insults, threats, swearing, hate, personal data.
"""

from __future__ import annotations

import random

FIRST_NAMES = [
    "Anna", "Erik", "Maria", "Lars", "Karin", "Johan", "Eva", "Anders", "Sara", "Mikael", "Lena",
    "Peter", "Emma", "Magnus", "Ingrid", "Olof", "Elin", "Nils", "Maja", "Hassan", "Amira", "Jonas",
    "Sofia", "Gunnar", "Aisha", "Per", "Linnea", "Björn", "Fatima", "Kerstin",
]
LAST_NAMES = [
    "Andersson", "Johansson", "Karlsson", "Nilsson", "Eriksson", "Larsson", "Olsson", "Persson",
    "Svensson", "Gustafsson", "Lindqvist", "Berg", "Holm", "Ali", "Mohammed", "Lind", "Ek", "Sandberg",
]

PLACES = ["Ludvika", "Grängesberg", "Fredriksberg", "Säfsnäs", "Nyhammar", "Marnäs", "Blötberget", "Sörvik"]
SERVICES = [
    "biblioteket", "badhuset", "återvinningscentralen", "förskolan", "hemtjänsten", "simhallen",
    "fritidsgården", "kommunhuset", "isstadion", "kulturhuset", "vägen vid skolan", "snöröjningen",
]

POST_TEMPLATES = [
    "Nu är {service} i {place} öppet igen efter renoveringen. Välkomna!",
    "Påminnelse: {service} har ändrade öppettider under helgen.",
    "Kommunfullmäktige sammanträder på torsdag. Mötet sänds direkt.",
    "Vi söker synpunkter på den nya detaljplanen för {place}. Lämna dina tankar senast den 30:e.",
    "Sommarlovsaktiviteter för barn och unga i {place} – se hela programmet på ludvika.se.",
    "Trafikstörning: {service} påverkas av vägarbete i {place} denna vecka.",
]

QUESTIONS = [
    "Hej! När öppnar {service} i {place} igen?",
    "Varför är {service} stängt idag? Det står inget på hemsidan.",
    "Hur ansöker man om plats på {service}? Vem ska jag kontakta?",
    "Gäller detta även {place}?",
    "Kan ni svara på varför ingen har plogat vid {service} i {place}?",
    "Jag har väntat tre veckor på svar om mitt bygglov, vem handlägger det?",
    "Finns det parkering för rullstol vid {service}?",
    "Vart vänder man sig om man vill klaga på {service}?",
]
THANKS = [
    "Tack för informationen!",
    "Stort tack till personalen på {service}, ni gör ett fantastiskt jobb.",
    "Så bra att {service} i {place} öppnar igen 👏",
    "Tack för snabbt svar!",
    "Äntligen! Det har vi väntat på länge i {place}.",
]
DISCUSSION = [
    "Håller med, {service} behöver mer resurser.",
    "Jag tycker tvärtom, det fungerar bra som det är i {place}.",
    "Någon som vet om man behöver boka i förväg?",
    "Det var likadant förra året, det löste sig till slut.",
    "Bra fråga, undrar samma sak.",
    "Min granne sa att {service} ska flytta till {place}, stämmer det?",
]
POLITICAL = [
    "Det här är resultatet av den styrande majoritetens nedskärningar. Byt styre i nästa val!",
    "Oppositionen vill lägga ner {service}, kom ihåg det när ni röstar.",
    "Varför satsar kommunen på {service} i stället för skolan? Typisk politik från de styrande.",
    "Partiet som styr Ludvika borde skämmas över hur {place} behandlas.",
]
# Lines that break the 2011 policy, so moderation has something to act on.
VIOLATIONS = [
    "Ni på kommunen är ett gäng idioter som inte kan någonting.",  # insult
    "Handläggaren är en jävla pajas, fy fan för er.",  # insult + swearing
    "Om ingen fixar vägen snart kommer jag till kommunhuset och då jävlar ska ni få se.",  # threat
    "Jag vet var du bor, akta dig.",  # threat
    "Skit också, vilken jävla dålig service.",  # swearing
    "Min son heter Olle och hans personnummer är 19850412-1234, varför har han inte fått plats?",  # pnr
    "Ring mig på 070-123 45 67, personnummer 850412-1234, ärendet gäller hemtjänsten.",  # pnr
    "Alla invandrare borde slängas ut ur {place}.",  # hate
    "Kvinnor ska inte få jobba med snöröjning, de klarar det inte.",  # sexist
]
DM_TEXTS = [
    "Hej, jag vill anmäla att det ligger krossat glas vid {service} i {place}.",
    "Jag vill begära ut allmänna handlingar om upphandlingen av {service}.",
    "Hej! Jag har en fråga om min faktura för {service}, kan någon ringa mig?",
    "Jag har ett ärende om bygglov i {place} som jag vill ha hjälp med, diarienummer KS 2026/123.",
    "Min mamma får hemtjänst och personalen kom inte idag. Personnummer 19401105-2345.",
    "Tack för hjälpen igår med {service}!",
]
EDIT_SUFFIXES = [" (redigerat: stavfel)", " Uppdatering: nu har jag fått svar, tack.", " EDIT: fel plats, jag menade {place}."]

# Weights of comment categories: realistic, with enough policy breaches to exercise moderation.
COMMENT_MIX = [(QUESTIONS, 30), (THANKS, 20), (DISCUSSION, 25), (POLITICAL, 10), (VIOLATIONS, 15)]


def fill(template: str, rng: random.Random) -> str:
    return template.format(service=rng.choice(SERVICES), place=rng.choice(PLACES))


def person(rng: random.Random) -> tuple[str, str]:
    """(display name, handle) of a resident."""
    first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
    handle = f"{first}.{last}{rng.randint(1, 99)}".lower()
    handle = handle.translate(str.maketrans("åäöé", "aaoe"))
    return f"{first} {last}", handle


def comment_text(rng: random.Random) -> str:
    pools, weights = zip(*COMMENT_MIX, strict=True)
    pool = rng.choices(pools, weights=weights)[0]
    return fill(rng.choice(pool), rng)


def post_text(rng: random.Random) -> str:
    return fill(rng.choice(POST_TEMPLATES), rng)


def dm_text(rng: random.Random) -> str:
    return fill(rng.choice(DM_TEXTS), rng)


def edit_suffix(rng: random.Random) -> str:
    return fill(rng.choice(EDIT_SUFFIXES), rng)
