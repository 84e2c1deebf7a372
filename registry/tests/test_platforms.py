"""A channel's public URL must belong to its platform."""

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given
from hypothesis import strategies as st

from registry.platforms import validate_public_url

ACCEPTED = [
    ("facebook", "https://www.facebook.com/ludvikakommun"),
    ("facebook", "https://m.facebook.com/ludvikakommun"),
    ("facebook", "https://fb.com/ludvikakommun"),
    ("instagram", "https://www.instagram.com/ludvikakommun/"),
    ("youtube", "https://www.youtube.com/@ludvikakommun"),
    ("youtube", "https://youtu.be/abc123"),
    ("linkedin", "https://www.linkedin.com/company/ludvika-kommun"),
    ("bluesky", "https://bsky.app/profile/ludvika.se"),
    ("wordpress", "https://bloggen.ludvika.se/"),
    ("mastodon", "https://mastodon.nu/@ludvika"),
    ("mastodon", "https://social.example.org/@ludvika@ludvika.se"),
    ("other", "http://intranat.ludvika.se/forum"),
    ("other", "https://x.com/ludvika"),
]

REFUSED = [
    ("facebook", "https://www.instagram.com/ludvikakommun", "hör inte till Facebook"),
    ("facebook", "https://evilfacebook.com/ludvika", "hör inte till Facebook"),
    ("facebook", "https://facebook.com.evil.se/ludvika", "hör inte till Facebook"),
    ("facebook", "http://www.facebook.com/ludvika", "https://"),
    ("facebook", "https://www.facebook.com/", "inte bara till plattformens startsida"),
    ("instagram", "https://instagr.am/ludvika", "hör inte till Instagram"),
    ("youtube", "https://vimeo.com/ludvika", "hör inte till YouTube"),
    ("linkedin", "https://linked.in/ludvika", "hör inte till LinkedIn"),
    ("bluesky", "https://bsky.social/profile/ludvika", "hör inte till Bluesky"),
    ("mastodon", "https://mastodon.nu/users/ludvika", "https://server.example/@konto"),
    ("mastodon", "http://mastodon.nu/@ludvika", "https://"),
    ("wordpress", "http://bloggen.ludvika.se/", "https://"),
    ("other", "ftp://ludvika.se/fil", "https://"),
    ("facebook", "https://user:pw@www.facebook.com/ludvika", "användarnamn"),
]


@pytest.mark.parametrize(("platform", "url"), ACCEPTED)
def test_platform_url_is_accepted(platform, url):
    validate_public_url(platform=platform, url=url)


@pytest.mark.parametrize(("platform", "url", "message"), REFUSED)
def test_platform_url_is_refused_with_a_swedish_reason(platform, url, message):
    with pytest.raises(ValidationError) as excinfo:
        validate_public_url(platform=platform, url=url)
    assert message in " ".join(excinfo.value.messages)


@given(host=st.from_regex(r"[a-z]{1,12}\.(se|nu|org|com)", fullmatch=True))
def test_no_foreign_host_passes_as_facebook(host):
    if host in ("facebook.com", "fb.com"):
        return
    with pytest.raises(ValidationError):
        validate_public_url(platform="facebook", url=f"https://{host}/ludvika")
