"""Import an existing channel list (a spreadsheet saved as CSV) into the registry.

The reading, checks and validation are registry.imports, shared with the informatör's import page:
every row is validated with the same form as the staff UI and saved by the same service; one bad
row and nothing from the file is saved. Columns are documented in README.md ("Importing an existing
channel list"). The upload page's size limit and file-name check do not apply to a file an operator
names on the server; every content check and the row limit (REGISTRY_IMPORT_MAX_ROWS) do.
"""

from __future__ import annotations

from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from registry import imports


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
        try:
            result = imports.channels_import_file(raw=raw, actor=actor, dry_run=dry_run)
        except imports.ImportRefused as refused:
            raise CommandError(refused.message) from None
        if result.errors:
            for line, message in result.errors:
                self.stderr.write(f"Rad {line}: {message}")
            raise CommandError(f"{len(result.errors)} fel. Inget från filen har sparats.")
        if dry_run:
            self.stdout.write(
                f"Kontroll klar: {len(result.created)} kanaler kan importeras. Inget har sparats (--dry-run)."
            )
        else:
            self.stdout.write(self.style.SUCCESS(f"{len(result.created)} kanaler importerade."))
