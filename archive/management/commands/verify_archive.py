"""Walk the archive's hash chain; exit 1 naming the first record that was altered or removed."""

import sys
import time

from django.core.management.base import BaseCommand

from archive.verification import verify_chain


class Command(BaseCommand):
    help = "Verifierar arkivets hashkedja (exit-kod 1 vid första ändrade eller borttagna post)."

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
