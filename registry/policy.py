"""The policy's fixed list of prohibited content (the eight codes).

The codes are fixed; moderation seeds its rule list from here. The public comment policy that tells
users what is allowed is kept as dated versions (registry.models.CommentPolicyVersion), published
by the informatör; the version in force is registry.selectors.comment_policy_version().
"""

from dataclasses import dataclass

POLICY_SOURCE = "Riktlinjer för användning av sociala media, Ludvika kommun, 2011-02-25"


@dataclass(frozen=True)
class ProhibitedCategory:
    code: str
    policy_wording: str
    plain: str
    legal_reference: str


PROHIBITED_CATEGORIES: tuple[ProhibitedCategory, ...] = (
    ProhibitedCategory(
        "fortal",
        "förtal, personliga angrepp eller förolämpningar",
        "Att hänga ut, smutskasta eller förolämpa en person, till exempel en tjänsteperson, en politiker "
        "eller en annan kommentator.",
        "Brottsbalken 5 kap. 1–3 §§ (förtal, grovt förtal, förolämpning)",
    ),
    ProhibitedCategory(
        "hets",
        "hets mot folkgrupp, sexistiska yttranden eller andra trakasserier",
        "Att hota eller uttrycka missaktning för en grupp på grund av till exempel etnicitet, religion, "
        "sexuell läggning eller könsöverskridande identitet, sexistiska yttranden och andra trakasserier.",
        "Brottsbalken 16 kap. 8 § (hets mot folkgrupp); diskrimineringslagen (2008:567)",
    ),
    ProhibitedCategory(
        "vald_porr",
        "olovliga våldsskildringar eller pornografi",
        "Bilder, filmer, länkar eller texter som skildrar grovt våld eller är pornografiska.",
        "Brottsbalken 16 kap. 10 b–10 c §§ (olaga våldsskildring, barnpornografibrott)",
    ),
    ProhibitedCategory(
        "brott",
        "uppmaningar till brott eller annan brottslig verksamhet",
        "Att uppmana till eller hota om brott, eller att själv begå brott i kommentaren, till exempel olaga hot.",
        "Brottsbalken 16 kap. 5 § (uppvigling), 4 kap. 5 § (olaga hot)",
    ),
    ProhibitedCategory(
        "upphovsratt",
        "olovligt bruk av upphovsrättsligt skyddat material",
        "Att publicera andras texter, bilder, musik eller filmer utan tillstånd, eller länka till piratkopior.",
        "Lag (1960:729) om upphovsrätt till litterära och konstnärliga verk",
    ),
    ProhibitedCategory(
        "svordomar",
        "svordomar eller obscena ord",
        "Svordomar, könsord och andra obscena uttryck.",
        "Ludvika kommuns riktlinjer för sociala medier",
    ),
    ProhibitedCategory(
        "personuppgifter",
        "bryter mot PUL (i dag dataskyddsförordningen, GDPR)",
        "Att sprida andras personuppgifter, till exempel personnummer, adress, telefonnummer eller uppgifter "
        "om någons hälsa, utan stöd i lag.",
        "Dataskyddsförordningen (EU) 2016/679; lag (2018:218) med kompletterande bestämmelser",
    ),
    ProhibitedCategory(
        "sekretess",
        "innehåller sekretessuppgifter",
        "Uppgifter som omfattas av sekretess, till exempel om enskildas ärenden hos socialtjänsten eller skolan.",
        "Offentlighets- och sekretesslagen (2009:400)",
    ),
)

PROHIBITED_CODES = tuple(c.code for c in PROHIBITED_CATEGORIES)
