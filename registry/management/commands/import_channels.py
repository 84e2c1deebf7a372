"""Import an existing channel list (a spreadsheet saved as CSV) into the registry.

Every row is validated with the same form as the staff UI and saved by the same service; one bad
row and nothing from the file is saved. Columns are documented in docs/registry.md.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from registry import services
from registry.forms import ChannelImportForm

# CSV column -> form field. Swedish column names, as a municipality's spreadsheet would have them.
COLUMNS = {
    "forvaltning": "department",
    "plattform": "platform",
    "namn": "name",
    "adress": "public_url",
    "konto_id": "account_id",
    "syfte": "purpose",
    "ansvarig": "responsible",
    "kontakt": "public_contact",
    "kontakt_epost": "public_contact_email",
    "svarsmal_timmar": "response_target_hours",
    "status": "status",
    "aktiv_fran": "active_from",
    "avslutad": "closed_on",
}
REQUIRED = ("forvaltning", "plattform", "namn", "adress")
FIELD_COLUMNS = {field: column for column, field in COLUMNS.items()}


def read_rows(raw: bytes) -> list[tuple[int, dict]]:
    """Decode (UTF-8 with or without BOM), detect the separator (; or ,) and map the columns.
    Returns (line number, form data) per non-empty row; raises CommandError on a bad header."""
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        raise CommandError(f"Filen är inte UTF-8 (fel vid byte {e.start}). Spara den som CSV UTF-8.") from None
    first_line = text.split("\n", 1)[0]
    delimiter = ";" if first_line.count(";") >= first_line.count(",") else ","
    reader = csv.DictReader(io.StringIO(text, newline=""), delimiter=delimiter)
    header = [(h or "").strip().lower() for h in (reader.fieldnames or [])]
    unknown = [h for h in header if h and h not in COLUMNS]
    missing = [c for c in REQUIRED if c not in header]
    if unknown or missing:
        parts = []
        if missing:
            parts.append("saknade kolumner: " + ", ".join(missing))
        if unknown:
            parts.append("okända kolumner: " + ", ".join(unknown))
        raise CommandError("Rad 1: " + "; ".join(parts) + ". Tillåtna kolumner: " + ", ".join(COLUMNS))
    reader.fieldnames = header
    rows = []
    for record in reader:
        line = reader.line_num
        if None in record:
            rows.append((line, {"__error__": "fler värden än kolumner"}))
            continue
        values = {COLUMNS[k]: (v or "").strip() for k, v in record.items() if k}
        if not any(values.values()):
            continue
        rows.append((line, values))
    return rows


class Command(BaseCommand):
    help = "Importera en kanalförteckning från en CSV-fil (UTF-8, ; eller , som avgränsare)."

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path, help="CSV-filen")
        parser.add_argument("--dry-run", action="store_true", help="Kontrollera filen utan att spara något.")
        parser.add_argument("--user", help="Användarnamn som importen registreras på i ändringshistoriken.")

    def handle(self, *args, file: Path, dry_run: bool, user: str | None, **options):
        actor = None
        if user:
            try:
                actor = get_user_model().objects.get(username=user, is_active=True)
            except get_user_model().DoesNotExist:
                raise CommandError(f"Okänt eller inaktivt konto: {user}") from None
        try:
            raw = file.read_bytes()
        except OSError as e:
            raise CommandError(f"Kan inte läsa {file}: {e.strerror}") from None

        errors: list[tuple[int, str]] = []
        valid: list[tuple[int, dict]] = []
        for line, data in read_rows(raw):
            if "__error__" in data:
                errors.append((line, data["__error__"]))
                continue
            form = ChannelImportForm(data)
            if form.is_valid():
                valid.append((line, form.cleaned_data))
                continue
            for field, messages in form.errors.items():
                column = FIELD_COLUMNS.get(field)
                for message in messages:
                    errors.append((line, f"{column}: {message}" if column else message))
        if not errors:
            try:
                created = services.channels_import(actor=actor, rows=valid, dry_run=dry_run)
            except services.ImportFailed as failed:
                errors = failed.errors
        if errors:
            for line, message in sorted(errors):
                self.stderr.write(f"Rad {line}: {message}")
            raise CommandError(f"{len(errors)} fel. Inget från filen har sparats.")
        if dry_run:
            self.stdout.write(f"Kontroll klar: {len(created)} kanaler kan importeras. Inget har sparats (--dry-run).")
        else:
            self.stdout.write(self.style.SUCCESS(f"{len(created)} kanaler importerade."))
