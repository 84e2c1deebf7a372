"""Importing a channel list: every row or none."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from ..models import Channel
from .channels import channel_create

# --- import ----------------------------------------------------------------------------------


class ImportFailed(Exception):
    """Rows of an import file that could not be saved; nothing from the file was kept."""

    def __init__(self, errors: list[tuple[int, str]]):
        super().__init__(errors)
        self.errors = errors


def _import_conflict_message(error: IntegrityError) -> str:
    """A row refused by the database after it passed validation: named by Channel's constraint when the
    database says which one it was (PostgreSQL does; SQLite does not)."""
    constraint = getattr(getattr(error.__cause__, "diag", None), "constraint_name", None)
    message = next((str(c.violation_error_message) for c in Channel._meta.constraints if c.name == constraint), None)
    if message:
        return _(
            "%(message)s Den sparades av någon annan medan importen pågick, till exempel när samma fil "
            "bekräftades två gånger samtidigt. Ladda upp filen igen för att se vad som redan finns."
        ) % {"message": message}
    return _(
        "Databasen stoppade raden eftersom registret ändrades medan importen pågick, till exempel när samma "
        "fil bekräftades två gånger samtidigt. Ladda upp filen igen för att se vad som redan finns."
    )


def channels_import(*, actor, rows: list[tuple[int, dict]], dry_run: bool = False) -> list[Channel]:
    """Create one channel per validated row, all in one transaction: one bad row and nothing is kept.

    ``rows`` are (line number, data) where data holds the channel form's cleaned values plus
    ``status``, ``activated_at`` and ``closed_at``. A dry run validates everything and keeps nothing.
    Raises ImportFailed with (line, Swedish message) for every row refused by validation or, in a race
    with another import, by the database's unique constraints.
    """
    errors: list[tuple[int, str]] = []
    created: list[Channel] = []
    with transaction.atomic():
        for line, data in rows:
            try:
                with transaction.atomic():
                    created.append(
                        channel_create(
                            actor=actor, data=data, status=data["status"],
                            activated_at=data.get("activated_at"), closed_at=data.get("closed_at"),
                        )
                    )
            except ValidationError as e:
                errors.extend((line, message) for message in e.messages)
            except IntegrityError as e:
                # full_clean() has just checked every constraint, so the database refuses only a row that
                # someone else saved in the moment since (two confirmations of the same file at once). Only
                # this row's savepoint is rolled back: the other rows are still checked and listed.
                errors.append((line, _import_conflict_message(e)))
        if errors:
            raise ImportFailed(errors)
        if dry_run:
            transaction.set_rollback(True)
    return created
