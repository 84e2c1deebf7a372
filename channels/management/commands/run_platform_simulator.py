"""Run the platform simulator: one HTTP server imitating every platform API the connectors use."""

from __future__ import annotations

import logging

from django.core.management.base import BaseCommand, CommandError

from channels.simulator.server import FAULT_KINDS, PlatformSimulator
from channels.simulator.world import PLATFORMS


class Command(BaseCommand):
    help = "Starta plattformssimulatorn (Facebook, Instagram, YouTube, WordPress, Mastodon, Bluesky, LinkedIn)."

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8765)
        parser.add_argument("--seed", type=int, default=1, help="the same seed gives the same comments")
        parser.add_argument("--rate", type=float, default=2.0, help="new items per account and minute")
        parser.add_argument("--backlog", type=int, default=40,
                            help="items per account already there when the account is first seen")
        parser.add_argument("--latency-ms", type=int, default=0, help="added to every platform answer")
        parser.add_argument("--timeout-s", type=float, default=5.0, help="how long a 'timeout' fault stalls")
        parser.add_argument("--frozen", action="store_true", help="time moves only by POST /_sim/advance")
        for kind in FAULT_KINDS:
            parser.add_argument(f"--fault-{kind.replace('_', '-')}", type=float, default=0.0, metavar="RATE",
                                help=f"share of platform requests (0..1) that get the '{kind}' fault")

    def handle(self, *args, **options):
        rates = {kind: options[f"fault_{kind}"] for kind in FAULT_KINDS if options[f"fault_{kind}"]}
        for kind, rate in rates.items():
            if not 0 <= rate <= 1:
                raise CommandError(f"--fault-{kind} ska vara mellan 0 och 1")
        if options["rate"] < 0 or options["backlog"] < 0:
            raise CommandError("--rate och --backlog får inte vara negativa")
        logging.getLogger("channels.simulator").setLevel(logging.INFO)
        try:
            sim = PlatformSimulator(host=options["host"], port=options["port"], seed=options["seed"],
                                    rate=options["rate"], backlog=options["backlog"], latency_ms=options["latency_ms"],
                                    fault_rates=rates, timeout_s=options["timeout_s"], frozen=options["frozen"])
        except OSError as exc:
            raise CommandError(f"Kan inte lyssna på {options['host']}:{options['port']}: {exc}") from exc
        self.stdout.write(f"Plattformssimulatorn lyssnar på {sim.base_url}")
        for platform in PLATFORMS:
            self.stdout.write(f"  {platform:<10} {sim.url(platform, site='<namn>')}")
        self.stdout.write(f"  kontroll   {sim.base_url}/_sim/")
        self.stdout.write(f"  inloggning {sim.base_url}/oidc  (OpenID Connect-utfärdare för OIDC_ISSUER)")
        try:
            sim.serve_forever()
        except KeyboardInterrupt:
            pass
        finally:
            sim.httpd.server_close()
