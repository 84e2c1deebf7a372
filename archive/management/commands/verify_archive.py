"""Walk the archive's hash chain; exit 1 naming the first record that was altered or removed.

With ``--files`` also re-hash every live attachment record's stored file (slower: reads every file).
"""

import sys
import time

from django.core.management.base import BaseCommand

from archive.verification import verify_chain, verify_files


class Command(BaseCommand):
    help = "Verifierar arkivets hashkedja (exit-kod 1 vid första ändrade eller borttagna post)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--files", action="store_true",
            help="Kontrollera också att varje bilagepost har sin fil med rätt SHA-256 (läser alla filer).",
        )

    def handle(self, *args, **options):
        started = time.perf_counter()
        result = verify_chain()
        elapsed = time.perf_counter() - started
        rate = result.checked / elapsed if elapsed > 0 else 0
        if not result.ok:
            self.stderr.write(f"FAILED: {result.problem} (checked {result.checked} records)")
            sys.exit(1)
        self.stdout.write(
            f"OK: {result.checked} records verified ({result.tombstones} tombstones) "
            f"in {elapsed:.2f} s ({rate:,.0f} records/s)"
        )
        if options["files"]:
            started = time.perf_counter()
            files = verify_files()
            elapsed = time.perf_counter() - started
            if not files.ok:
                self.stderr.write(f"FAILED: {files.problem} (checked {files.checked} files)")
                sys.exit(1)
            self.stdout.write(f"OK: {files.checked} attachment files verified in {elapsed:.2f} s")
