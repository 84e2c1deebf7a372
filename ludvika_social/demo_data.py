"""Demo data for `make run`: Ludvika's boards and departments, about twenty channels across the
platforms, the parties in kommunfullmäktige and one user per role.

The organisation follows Ludvika kommun's; channel names, people and the seat distribution are
examples for trying the product and are marked as demo data where they are shown.
"""

from __future__ import annotations

DEMO_BOARDS = [
    ("Kommunstyrelsen", "ks", [("Kommunledningskontoret", "klk", "kommunledningskontoret@ludvika.se")]),
    ("Barn- och utbildningsnämnden", "bun", [("Barn- och utbildningsförvaltningen", "buf", "bou@ludvika.se")]),
    ("Socialnämnden", "sn", [("Socialförvaltningen", "sof", "socialforvaltningen@ludvika.se")]),
    ("Kultur- och fritidsnämnden", "kfn", [("Kultur- och fritidsförvaltningen", "kof", "kulturochfritid@ludvika.se")]),
    ("Samhällsbyggnadsnämnden", "sbn", [("Samhällsbyggnadsförvaltningen", "sbf", "samhallsbyggnad@ludvika.se")]),
    ("Miljö- och byggnadsnämnden", "mbn", [("Miljö- och byggförvaltningen", "mbf", "miljoochbygg@ludvika.se")]),
]

# (department slug, platform, name, public URL, account id, purpose, status)
DEMO_CHANNELS = [
    ("klk", "facebook", "Ludvika kommun", "https://www.facebook.com/ludvikakommun", "110000001",
     "Kommunens huvudkanal: nyheter, driftinformation och kontakt med invånarna.", "aktiv"),
    ("klk", "instagram", "Ludvika kommun på Instagram", "https://www.instagram.com/ludvikakommun", "178400001",
     "Bilder och berättelser från kommunens verksamheter.", "aktiv"),
    ("klk", "linkedin", "Ludvika kommun – arbetsgivare", "https://www.linkedin.com/company/ludvika-kommun",
     "urn:li:organization:10001", "Lediga jobb och kommunen som arbetsgivare.", "aktiv"),
    ("klk", "youtube", "Ludvika kommun webb-tv", "https://www.youtube.com/@ludvikakommun", "UCludvika0001",
     "Sändningar från kommunfullmäktige och informationsfilmer.", "aktiv"),
    ("klk", "mastodon", "Ludvika kommun på Mastodon", "https://mastodon.example.se/@ludvikakommun", "109000001",
     "Nyheter från kommunen i det öppna fediversum.", "aktiv"),
    ("klk", "bluesky", "Ludvika kommun på Bluesky", "https://bsky.app/profile/ludvika.bsky.social",
     "did:plc:ludvikakommun0001", "Nyheter och driftinformation.", "anmald"),
    ("buf", "facebook", "Förskolan i Ludvika", "https://www.facebook.com/forskolanludvika", "110000002",
     "Information till vårdnadshavare om förskolan.", "aktiv"),
    ("buf", "instagram", "Marnässkolan", "https://www.instagram.com/marnasskolan", "178400002",
     "Vardag och händelser på Marnässkolan.", "aktiv"),
    ("buf", "wordpress", "Rektorsbloggen", "https://rektorsbloggen.ludvika.se/", "rektorsbloggen",
     "Skolledningen berättar om skolutveckling.", "aktiv"),
    ("sof", "facebook", "Ludvika Äldreomsorg", "https://www.facebook.com/ludvikaaldreomsorg", "110000003",
     "Aktiviteter och information från äldreomsorgen.", "aktiv"),
    ("sof", "facebook", "Fältgruppen Ludvika", "https://www.facebook.com/faltgruppenludvika", "110000004",
     "Fältassistenterna informerar unga och vårdnadshavare.", "aktiv"),
    ("kof", "facebook", "Ludvika bibliotek", "https://www.facebook.com/ludvikabibliotek", "110000005",
     "Boktips, evenemang och öppettider på biblioteken.", "aktiv"),
    ("kof", "instagram", "Ludvika bibliotek på Instagram", "https://www.instagram.com/ludvikabibliotek", "178400005",
     "Boktips och bilder från biblioteken.", "aktiv"),
    ("kof", "facebook", "Folkets park Ludvika", "https://www.facebook.com/folketsparkludvika", "110000006",
     "Evenemang och uthyrning i Folkets park.", "aktiv"),
    ("kof", "youtube", "Ludvika kulturskola", "https://www.youtube.com/@ludvikakulturskola", "UCkulturskola01",
     "Konserter och elevframträdanden.", "aktiv"),
    ("kof", "facebook", "Ludvika ishall", "https://www.facebook.com/ludvikaishall", "110000007",
     "Istider och evenemang i ishallen.", "avslutad"),
    ("sbf", "facebook", "Ludvika trafik och gator", "https://www.facebook.com/ludvikagator", "110000008",
     "Vägarbeten, snöröjning och trafikinformation.", "aktiv"),
    ("sbf", "wordpress", "Ludvika växer – samhällsbyggnadsbloggen", "https://ludvikavaxer.ludvika.se/",
     "ludvikavaxer", "Om detaljplaner och byggprojekt i Ludvika.", "aktiv"),
    ("mbf", "facebook", "Miljö och bygg Ludvika", "https://www.facebook.com/miljobyggludvika", "110000009",
     "Råd om bygglov, avlopp och livsmedelskontroll.", "aktiv"),
    ("mbf", "mastodon", "Miljö och bygg på Mastodon", "https://mastodon.example.se/@miljobyggludvika", "109000002",
     "Råd och nyheter från miljö- och byggförvaltningen.", "anmald"),
]

# Parties in kommunfullmäktige (demo seat distribution, 49 seats).
DEMO_PARTIES = [
    ("Socialdemokraterna", "S", "https://www.socialdemokraterna.se/ludvika", 17, True),
    ("Sverigedemokraterna", "SD", "https://ludvika.sd.se", 12, True),
    ("Moderaterna", "M", "https://moderaterna.se/ludvika", 7, True),
    ("Vänsterpartiet", "V", "https://www.vansterpartiet.se/ludvika", 4, True),
    ("Centerpartiet", "C", "https://www.centerpartiet.se/ludvika", 3, True),
    ("Kristdemokraterna", "KD", "https://kristdemokraterna.se/ludvika", 3, True),
    ("Liberalerna", "L", "https://www.liberalerna.se/ludvika", 2, False),
    ("Miljöpartiet de gröna", "MP", "https://www.mp.se/ludvika", 1, False),
]

# (username, first, last, roles, department slug or None, title)
DEMO_USERS = [
    ("informator", "Ingrid", "Informatör", ["informator"], "klk", "Kommunikatör, kommunledningskontoret"),
    ("admin.kultur", "Anders", "Andersson", ["forvaltningsadmin"], "kof", "Förvaltningsadministratör"),
    ("foretradare.bibliotek", "Fatima", "Falk", ["foretradare"], "kof", "Bibliotekarie"),
    ("ersattare.bibliotek", "Erik", "Ek", ["foretradare"], "kof", "Bibliotekarie"),
    ("registrator", "Rebecka", "Roos", ["registrator"], "klk", "Registrator"),
]


# Demo credentials: the simulator accepts any token that does not start with "expired".
DEMO_CREDENTIALS = {
    "facebook": {"access_token": "demo-page-token"},
    "instagram": {"access_token": "demo-ig-token"},
    "youtube": {"access_token": "demo-youtube-token"},
    "wordpress": {"username": "ludvika", "application_password": "demo demo demo demo"},
    "mastodon": {"access_token": "demo-mastodon-token"},
    "bluesky": {"identifier": "ludvika.bsky.social", "app_password": "demo-app-password"},
    "linkedin": {"access_token": "demo-linkedin-token"},
}


def connect_demo_channels(*, simulator_url: str) -> int:
    """Store demo credentials for every active demo channel and, for WordPress and Mastodon (whose
    API lives on the channel's own site), point the channel's API URL at the simulator. The other
    platforms reach the simulator through the *_URL settings in demo.env."""
    from urllib.parse import urlsplit

    from channels.services.sync import channel_credentials_set, channel_sync_settings_update
    from registry.models import Channel, ChannelStatus

    base = simulator_url.rstrip("/")
    count = 0
    for channel in Channel.objects.filter(status=ChannelStatus.ACTIVE, public_url__in=[c[3] for c in DEMO_CHANNELS]):
        credentials = DEMO_CREDENTIALS.get(channel.platform)
        if credentials is None:
            continue
        api_url = ""
        if channel.platform == "wordpress":
            api_url = f"{base}/wordpress/{channel.account_id}"
        elif channel.platform == "mastodon":
            api_url = f"{base}/mastodon/{urlsplit(channel.public_url).hostname}"
        channel_credentials_set(channel=channel, credentials=credentials)
        channel_sync_settings_update(
            channel=channel, api_base_url=api_url, poll_interval_seconds=60, polling_enabled=True
        )
        count += 1
    return count
