"""`make run` loads the demo data with `load_demo`: it must work on an empty database and again."""

from io import StringIO

from django.contrib.auth import get_user_model
from django.core.management import call_command

from channels.models import ChannelSync
from channels.services.sync import channel_credentials_get
from registry.models import Channel, ChannelStatus, Party


def test_load_demo_fills_the_register_and_prints_one_user_per_role(db):
    out = StringIO()
    call_command("load_demo", stdout=out)
    assert 18 <= Channel.objects.count() <= 25
    assert set(Channel.objects.values_list("platform", flat=True)) >= {
        "facebook", "instagram", "youtube", "wordpress", "mastodon", "bluesky", "linkedin"
    }
    assert Channel.objects.filter(status=ChannelStatus.SUBMITTED).exists(), "pending anmälningar to approve"
    assert Party.objects.count() == 8
    printed = out.getvalue()
    for role in ("informator", "forvaltningsadmin", "foretradare", "registrator"):
        assert role in printed
    user = get_user_model().objects.get(username="informator")
    password = next(line.split()[1] for line in printed.splitlines() if line.strip().startswith("informator "))
    assert user.check_password(password)


def test_load_demo_is_idempotent(db):
    call_command("load_demo", stdout=StringIO())
    counts = (Channel.objects.count(), Party.objects.count(), get_user_model().objects.count())
    call_command("load_demo", stdout=StringIO())
    assert (Channel.objects.count(), Party.objects.count(), get_user_model().objects.count()) == counts


def test_load_demo_connects_active_channels_to_the_simulator(db):
    call_command("load_demo", "--simulator-url", "http://127.0.0.1:8765", stdout=StringIO())
    active = Channel.objects.filter(status=ChannelStatus.ACTIVE)
    syncs = ChannelSync.objects.filter(channel__in=active)
    assert syncs.count() == active.count()
    blog = syncs.get(channel__platform="wordpress", channel__account_id="rektorsbloggen")
    assert blog.api_base_url == "http://127.0.0.1:8765/wordpress/rektorsbloggen"
    assert channel_credentials_get(sync=blog)["username"] == "ludvika"
    assert "demo" not in blog.credentials_encrypted, "credentials are stored encrypted"
