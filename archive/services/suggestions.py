"""Mask suggestions for the review page: personal data found in a record's free-text fields.

Personnummer and samordningsnummer (also with a wrong check digit: a typo is still personal data),
phone numbers, e-mail addresses and street addresses come from the base layer's detectors
(core/pii.py); names come from the authors the archive knows in the thread (the record's own sender,
the parent's and the thread root's) and from capitalised word pairs ("Elsa Berg"). A suggestion is
only a suggestion: the records officer accepts each one on the review page.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

from django.db.models import Q
from django.utils.translation import gettext as _

from archive.models import ArchiveRecord, RecordType
from archive.services.delivery import RecordView
from core import pii

# Two or three capitalised words in a row: a name, often ("Elsa Berg", "Anna-Karin Ek Lund").
_NAME_PAIR = re.compile(r"(?<![\w-])[A-ZÅÄÖÉ][a-zåäöé]+(?:-[A-ZÅÄÖÉ][a-zåäöé]+)?(?:\s[A-ZÅÄÖÉ][a-zåäöé]+(?:-[A-ZÅÄÖÉ][a-zåäöé]+)?){1,2}(?![\w-])")


@dataclass(frozen=True)
class Suggestion:
    field: str
    field_label: str
    phrase: str
    kind: str

    @property
    def key(self) -> str:
        return self.phrase


def _thread_author_names(record: ArchiveRecord) -> list[str]:
    names = [record.author_name] if record.author_name else []
    if not record.content:
        return names
    thread = (json.loads(record.content).get("snapshot") or {}).get("thread") or {}
    ids = [p for p in (thread.get("parent_platform_id"), thread.get("root_platform_id")) if p]
    if ids and record.channel_id is not None:
        names += list(
            ArchiveRecord.objects.filter(Q(channel_id=record.channel_id, platform_id__in=ids))
            .exclude(author_name="").exclude(record_type=RecordType.ATTACHMENT)
            .values_list("author_name", flat=True).distinct()
        )
    return [n for n in dict.fromkeys(names) if n.strip()]


def mask_suggestions(view: RecordView) -> list[Suggestion]:
    """Each distinct phrase worth masking, with the field it was found in and what it is."""
    found: dict[str, Suggestion] = {}

    def add(f, phrase: str, kind: str) -> None:
        phrase = phrase.strip()
        if phrase and phrase.casefold() not in found:
            found[phrase.casefold()] = Suggestion(f.key, f.label, phrase, kind)

    names = _thread_author_names(view.record)
    for f in view.fields:
        if not (f.maskable and f.free_text and f.value):
            continue
        text = f.value
        numbers = list(pii.identity_numbers(text))
        for hit in numbers:
            kind = _("samordningsnummer") if "samordning" in hit.rule else _("personnummer")
            if hit.confidence < 0.5:
                kind = _("%(kind)s (fel kontrollsiffra)") % {"kind": kind}
            add(f, text[hit.start:hit.end], kind)
        skip = [(h.start, h.end) for h in numbers]
        for hit in pii.phone_numbers(text, skip=skip, official=frozenset()):
            add(f, text[hit.start:hit.end], _("telefonnummer"))
        for hit in pii.email_addresses(text):
            add(f, text[hit.start:hit.end], _("e-postadress"))
        for hit in pii.street_addresses(text):
            add(f, text[hit.start:hit.end], _("gatuadress"))
        for name in names:
            if name.casefold() in text.casefold():
                add(f, name, _("namn på avsändare i tråden"))
        for match in _NAME_PAIR.finditer(text):
            add(f, match.group(), _("möjligt namn"))
    return sorted(found.values(), key=lambda s: (s.field, s.phrase.casefold()))
