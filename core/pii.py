"""Personal-data detectors: personnummer and samordningsnummer, phone numbers, e-mail addresses and
street addresses. Each finds candidates with a small regex of bounded repetitions (linear time) and
then validates them (Luhn digit and date; phonenumbers; address cues).

Nothing here logs or returns the digits themselves: explanations are masked.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Iterator
from dataclasses import dataclass

import phonenumbers

HAS_DIGIT = re.compile(r"[0-9]")
# 6 or 8 digits, an optional separator (-, + or one space), 4 digits; not inside a longer number.
_PNR = re.compile(r"(?<![0-9])([0-9]{8}|[0-9]{6})([-+ ]?)([0-9]{4})(?![0-9])")
# A phone candidate: +46/0046/0 and 6-16 digits, spaces, dashes or brackets. Validated by phonenumbers.
_PHONE = re.compile(r"(?<![0-9+])(?:\+46|0046|0)[0-9 ()\-]{6,16}[0-9](?![0-9])")
_EMAIL = re.compile(
    r"(?<![\w.+-])[\w.%+-]{1,64}@[A-Za-z0-9-]{1,63}(?:\.[A-Za-z0-9-]{1,63}){0,5}\.[A-Za-z]{2,24}(?![\w-])"
)
_STREET = re.compile(
    r"(?<![\w])[a-zåäöé][a-zåäöé-]{0,30}(?:gatan|vägen|gränd|gränden|torget|stigen|backen|allén|leden|"
    r"platsen|gata|väg|plan|stråket)\s{1,3}[0-9]{1,4}(?:\s?[a-h](?![\w]))?(?![0-9])",
    re.IGNORECASE,
)
# A cheap test first (case-insensitive regexes are slow): a number after a street-name ending.
_SPACE_DIGIT = re.compile(r"\s[0-9]")
_STREET_ENDINGS = ("gatan", "gata", "vägen", "väg", "vagen", "vag", "gränd", "gränden", "torget", "stigen", "backen",
                   "allén", "leden", "platsen", "plan", "stråket")
_POSTCODE = re.compile(r"(?<![0-9])(?:se-?)?[1-9][0-9]{2} ?[0-9]{2}(?![0-9])\s{1,3}[a-zåäö]{2,30}", re.IGNORECASE)
_RESIDENCE_CUES = ("bor på", "bor i", "bor vid", "adress", "hemma hos", "flyttat till", "hemadress", "bor nu på")
# The municipality's own contact points are not personal data.
OFFICIAL_EMAIL_DOMAINS = ("ludvika.se",)


@dataclass(frozen=True)
class PiiHit:
    rule: str
    start: int
    end: int
    confidence: float
    explanation: str


def luhn_ok(digits: str) -> bool:
    total = 0
    for i, ch in enumerate(digits):
        d = int(ch) * (2 if i % 2 == 0 else 1)
        total += d - 9 if d > 9 else d
    return total % 10 == 0


def _date_ok(year: int, month: int, day: int) -> bool:
    if not 1 <= month <= 12:
        return False
    return 1 <= day <= calendar.monthrange(year, month)[1]


def classify_identity_number(text: str) -> tuple[str, bool, bool] | None:
    """(kind, date plausible, checksum valid) for a 10- or 12-digit candidate, or None when the date
    part cannot be a birth date (not a personal identity number at all)."""
    digits = "".join(c for c in text if c.isdigit())
    if len(digits) == 12:
        century = int(digits[:2])
        if century not in (18, 19, 20):
            return None
        year = int(digits[:4])
        digits = digits[2:]
    elif len(digits) == 10:
        year = 1900 + int(digits[:2])
    else:
        return None
    month, day = int(digits[2:4]), int(digits[4:6])
    kind = "personnummer"
    if day > 60:
        kind, day = "samordningsnummer", day - 60
    # Leap-day numbers: check against a leap year when the century is unknown.
    plausible = _date_ok(year, month, day) or (len(text) < 12 and _date_ok(2000, month, day))
    if not plausible:
        return None
    valid = luhn_ok(digits) and digits[6:9] != "000"
    return kind, plausible, valid


def digit_count(text: str) -> int:
    return sum(map(text.count, "0123456789"))


def identity_numbers(text: str) -> Iterator[PiiHit]:
    for m in _PNR.finditer(text):
        result = classify_identity_number(m.group(1) + m.group(3))
        if result is None:
            continue
        kind, _, valid = result
        sep = m.group(2)
        if valid:
            confidence = {"-": 0.95, "+": 0.95, "": 0.9, " ": 0.8}[sep]
            explanation = f"Ett {kind} med giltig kontrollsiffra (visas maskerat: ÅÅMMDD-XXXX)."
        else:
            confidence = 0.4
            explanation = f"Något som liknar ett {kind} men med fel kontrollsiffra (visas maskerat: ÅÅMMDD-XXXX)."
        yield PiiHit(f"pii.{kind}", m.start(), m.end(), confidence, explanation)


def phone_numbers(text: str, *, skip: list[tuple[int, int]], official: frozenset[str]) -> Iterator[PiiHit]:
    for m in _PHONE.finditer(text):
        if any(s < m.end() and m.start() < e for s, e in skip):
            continue
        candidate = m.group()
        try:
            number = phonenumbers.parse(candidate, "SE")
        except phonenumbers.NumberParseException:
            continue
        if not phonenumbers.is_valid_number(number):
            continue
        national = str(number.national_number)
        if national in official:
            continue
        yield PiiHit("pii.telefon", m.start(), m.end(), 0.75, "Ett telefonnummer (visas maskerat).")


def email_addresses(text: str) -> Iterator[PiiHit]:
    if "@" not in text:
        return
    for m in _EMAIL.finditer(text):
        domain = m.group().rsplit("@", 1)[1].lower()
        if any(domain == d or domain.endswith("." + d) for d in OFFICIAL_EMAIL_DOMAINS):
            continue
        yield PiiHit("pii.epost", m.start(), m.end(), 0.7, "En e-postadress (visas maskerat).")


def street_addresses(text: str) -> Iterator[PiiHit]:
    """A street and number; with a residence cue before it or a postcode after it, it is someone's
    address (confidence 0.8), otherwise a place that may be public (0.35, a hint)."""
    if not any(
        text[max(0, m.start() - 12) : m.start()].casefold().rstrip().endswith(_STREET_ENDINGS)
        for m in _SPACE_DIGIT.finditer(text)
    ):
        return
    for m in _STREET.finditer(text):
        before = text[max(0, m.start() - 30) : m.start()].casefold()
        after = text[m.end() : m.end() + 40]
        confidence = 0.35
        if any(cue in before for cue in _RESIDENCE_CUES) or _POSTCODE.search(after):
            confidence = 0.8
        yield PiiHit("pii.adress", m.start(), m.end(), confidence, "En gatuadress med nummer.")


def mask(rule: str, original: str) -> str:
    """A masked form of a personal-data match for logs and explanations."""
    if rule.startswith("pii."):
        return "".join("X" if c.isdigit() else ("x" if c.isalpha() else c) for c in original)
    return original
