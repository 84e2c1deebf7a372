"""Poll channels now, in the foreground, and print what was fetched (for operators and debugging)."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from registry.models import Platform


class Command(BaseCommand):
    help = "Hämta nya poster från plattformarna nu (i förgrunden) och skriv ut vad som hämtades."

    def add_arguments(self, parser):
        group = parser.add_mutually_exclusive_group(required=True)
        group.add_argument("--channel", type=int, help="kanalens id i registret")
        group.add_argument("--platform", choices=[p for p in Platform.values if p != Platform.OTHER])
        group.add_argument("--all", action="store_true", help="alla aktiva kanaler")

    def handle(self, *args, channel=None, platform=None, all=False, **options):
        from channels.services import channel_poll, channels_for_poll_command, thread_context_fetch

        channels = channels_for_poll_command(channel_id=channel, platform=platform)
        if not channels:
            raise CommandError("Inga kanaler att hämta (saknar kanalen en koppling för sin plattform?).")
        totals = {"items": 0, "new_items": 0, "new_versions": 0, "failures": 0}
        for ch in channels:
            try:
                report = channel_poll(channel_id=ch.pk, defer_context=False)
            except Exception as exc:  # keep going with the other channels; the error is recorded
                totals["failures"] += 1
                self.stdout.write(self.style.ERROR(f"#{ch.pk} {ch.name} ({ch.platform}): fel: {type(exc).__name__}"))
                continue
            if report.missing_context:
                # In the foreground the thread context is fetched at once instead of by a worker.
                try:
                    context = thread_context_fetch(channel_id=ch.pk, platform_ids=sorted(report.missing_context))
                    report.stored.add(context)
                except Exception as exc:
                    self.stdout.write(self.style.WARNING(f"#{ch.pk}: trådsammanhang hämtades inte: {type(exc).__name__}"))
            s = report.stored
            line = (
                f"#{ch.pk} {ch.name} ({ch.platform}): {report.outcome}; sidor {report.pages}, "
                f"hämtade {s.received}, nya poster {s.new_items}, nya versioner {s.new_versions}, "
                f"synlighetsändringar {s.visibility_changes}, borttagna utanför verktyget {s.outside_removals}, "
                f"otolkbara {report.parse_failures}"
            )
            if report.error:
                line += f"; fel: {report.error}"
            if report.next_poll_at:
                line += f"; nästa hämtning {report.next_poll_at:%Y-%m-%d %H:%M:%S}"
            ok = report.outcome in ("ok", "rate_limited")
            self.stdout.write(self.style.SUCCESS(line) if ok else self.style.WARNING(line))
            totals["items"] += s.received
            totals["new_items"] += s.new_items
            totals["new_versions"] += s.new_versions
            totals["failures"] += 0 if ok else 1
        self.stdout.write(
            f"Totalt: {len(channels)} kanaler, hämtade {totals['items']}, nya poster {totals['new_items']}, "
            f"nya versioner {totals['new_versions']}, misslyckade {totals['failures']}"
        )
