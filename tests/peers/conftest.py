"""A real WordPress (Debian's package, ``scripts/peers/wordpress.sh``) as the blog connector's peer.

The suite runs when it is named (``pytest tests/peers``, ``make peers``) or with ``RUN_PEERS=1``;
in the plain ``pytest`` run it is skipped, and so it is when the Debian packages are missing
(``scripts/peers/install-packages.sh``). One WordPress serves the session; every test starts from an
empty site (no posts, no comments; the users and the application passwords stay). Comment ids start
at ``COMMENT_IDS_FROM`` so that they never equal a post id by accident: a test that wants both
numbered alike says so (``create_comment(..., id=post_id)``).

The tests use the project's database through pytest-django like the other tests, and one channel
of platform ``wordpress`` whose API address is the peer, with the application password stored as
channels/ stores credentials.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
SCRIPT = ROOT / "scripts" / "peers" / "wordpress.sh"
PACKAGES = ("wordpress", "mariadb-server", "php-cli", "php-mysql")
COMMENT_IDS_FROM = 100_000
UTC = dt.UTC


def _named_on_the_command_line(config) -> bool:
    for arg in config.args:
        path = Path(str(arg).split("::", 1)[0])
        if not path.is_absolute():
            path = Path(config.invocation_params.dir) / path
        try:
            path.resolve().relative_to(HERE)
        except ValueError:
            continue
        return True
    return False


def missing_packages() -> list[str]:
    if shutil.which("dpkg-query") is None:
        return list(PACKAGES)
    missing = []
    for package in PACKAGES:
        out = subprocess.run(["dpkg-query", "-W", "-f=${Status}", package], capture_output=True, text=True,
                             check=False)
        if "install ok installed" not in out.stdout:
            missing.append(package)
    return missing


def pytest_collection_modifyitems(config, items):
    mine = [item for item in items if Path(str(item.fspath)).resolve().is_relative_to(HERE)]
    if not mine:
        return
    reason = None
    if os.environ.get("RUN_PEERS") != "1" and not _named_on_the_command_line(config):
        reason = "the WordPress peer tests run with `make peers` (pytest tests/peers or RUN_PEERS=1)"
    elif missing := missing_packages():
        reason = (f"the WordPress peer needs the Debian packages {', '.join(missing)} "
                  "(scripts/peers/install-packages.sh)")
    if reason:
        for item in mine:
            item.add_marker(pytest.mark.skip(reason=reason))


# The peer ------------------------------------------------------------------------------------------

def _php_str(value: str) -> str:
    """A PHP string literal (single-quoted: only backslash and quote are special)."""
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"


def _php(value) -> str:
    """A PHP literal for a JSON-like Python value."""
    return f"json_decode({_php_str(json.dumps(value))}, true)"


def _gmt(when: dt.datetime | None) -> str | None:
    if when is None:
        return None
    if when.tzinfo is None:
        raise ValueError("give an aware datetime")
    return when.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S")


STATUS_APPROVED = {"approved": "1", "hold": "0", "spam": "spam", "trash": "trash"}


@dataclass
class WordPressPeer:
    """The running WordPress and ways to shape it: PHP run inside WordPress, SQL, and REST."""

    env: dict[str, str]

    @property
    def url(self) -> str:
        return self.env["WP_PEER_URL"]

    @property
    def user(self) -> str:
        return self.env["WP_PEER_USER"]

    @property
    def app_password(self) -> str:
        return self.env["WP_PEER_APP_PASSWORD"]

    @property
    def admin_id(self) -> int:
        return int(self.env["WP_PEER_ADMIN_ID"])

    @property
    def commenter_id(self) -> int:
        return int(self.env["WP_PEER_COMMENTER_ID"])

    @property
    def prefix(self) -> str:
        return self.env["WP_PEER_TABLE_PREFIX"]

    # raw access ----------------------------------------------------------------------------------
    def php(self, code: str, *, timeout: float = 60):
        """Run PHP inside WordPress (wp-load.php, as the administrator); its ``return`` value, decoded."""
        out = subprocess.run([self.env["WP_PEER_EVAL"]], input=code, capture_output=True, text=True, timeout=timeout,
                             check=False)
        if out.returncode != 0:
            raise AssertionError(f"PHP in WordPress failed ({out.returncode}): {out.stderr.strip()[-2000:]}")
        return json.loads(out.stdout.strip().splitlines()[-1])

    def sql(self, query: str) -> list[list[str]]:
        """Run SQL in the site's database (the private MariaDB); rows as lists of strings."""
        out = subprocess.run(["mariadb", "--no-defaults", f"--socket={self.env['WP_PEER_DB_SOCKET']}", "-uroot",
                              "--batch", "--skip-column-names", self.env["WP_PEER_DB_NAME"], "-e", query],
                             capture_output=True, text=True, timeout=60, check=False)
        if out.returncode != 0:
            raise AssertionError(f"SQL failed: {out.stderr.strip()}")
        return [line.split("\t") for line in out.stdout.splitlines()]

    def rest(self, method: str, path: str, *, auth: tuple[str, str] | None = None, **kwargs) -> requests.Response:
        """A REST request (``path`` below ``/wp-json/``), as the administrator unless ``auth`` says otherwise."""
        return requests.request(method, f"{self.url}/wp-json/{path.lstrip('/')}",
                                auth=auth or (self.user, self.app_password), timeout=30, **kwargs)

    # the site ------------------------------------------------------------------------------------
    def reset(self) -> None:
        """An empty site: no posts, comments or test options; comment ids from COMMENT_IDS_FROM."""
        p = self.prefix  # the peer's own table prefix, not input
        statements = [
            f"TRUNCATE {p}comments", f"TRUNCATE {p}commentmeta", f"TRUNCATE {p}posts", f"TRUNCATE {p}postmeta",
            f"DELETE FROM {p}term_relationships",  # noqa: S608
            f"DELETE FROM {p}options WHERE option_name LIKE 'peer\\_%' OR option_name LIKE '\\_transient\\_%'",  # noqa: S608
            f"ALTER TABLE {p}comments AUTO_INCREMENT = {COMMENT_IDS_FROM}",
        ]
        self.sql(";".join(statements))

    def create_post(self, title: str = "Nya öppettider på biblioteket", content: str = "Från 1 mars.", *,
                    status: str = "publish", date: dt.datetime | None = None) -> int:
        data = {"post_title": title, "post_content": content, "post_status": status, "post_type": "post",
                "post_author": self.admin_id}
        if date is not None:
            data["post_date_gmt"] = _gmt(date)
        return int(self.php(f"""
            $data = {_php(data)};
            if (isset($data['post_date_gmt'])) {{ $data['post_date'] = get_date_from_gmt($data['post_date_gmt']); }}
            return wp_insert_post($data, true);
        """))

    def create_comments(self, post: int, specs: list[dict]) -> list[int]:
        """Insert comments directly (as a visitor's comment lands after WordPress's checks).

        Each spec: ``text``, optional ``parent`` (comment id), ``status`` (approved, hold, spam,
        trash), ``date`` (aware datetime; back-dating allowed), ``author`` (name), ``email``,
        ``user_id`` (a registered commenter), ``id`` (this comment id instead of the next one, e.g.
        a post's id: WordPress numbers posts and comments separately)."""
        rows = []
        for spec in specs:
            rows.append({
                "comment_post_ID": post,
                "comment_parent": spec.get("parent", 0),
                "comment_content": spec["text"],
                "comment_approved": STATUS_APPROVED[spec.get("status", "approved")],
                "comment_author": spec.get("author", "Anna Andersson"),
                "comment_author_email": spec.get("email", "anna@example.org"),
                "comment_author_url": "",
                "comment_author_IP": "127.0.0.1",
                "user_id": spec.get("user_id", 0),
                "comment_date_gmt": _gmt(spec.get("date") or dt.datetime.now(UTC)),
                "comment_type": "comment",
                "want_id": spec.get("id", 0),
            })
        return [int(i) for i in self.php(f"""
            $ids = [];
            foreach ({_php(rows)} as $row) {{
                global $wpdb;
                $want = (int) $row['want_id'];
                unset($row['want_id']);
                $row['comment_date'] = get_date_from_gmt($row['comment_date_gmt']);
                $id = wp_insert_comment($row);
                if (!$id) {{ throw new Exception('wp_insert_comment failed'); }}
                if ($want && $want !== $id) {{
                    if (get_comment($want)) {{ throw new Exception("comment $want exists"); }}
                    $wpdb->update($wpdb->comments, ['comment_ID' => $want], ['comment_ID' => $id]);
                    $wpdb->update($wpdb->commentmeta, ['comment_id' => $want], ['comment_id' => $id]);
                    clean_comment_cache([$id, $want]);
                    $id = $want;
                }}
                $ids[] = $id;
            }}
            return $ids;
        """)]

    def create_comment(self, post: int, text: str = "När öppnar biblioteket på lördag?", **spec) -> int:
        return self.create_comments(post, [{"text": text, **spec}])[0]

    def edit_comment(self, comment_id: int, text: str) -> None:
        self.php(f"return wp_update_comment(['comment_ID' => {int(comment_id)}, "
                 f"'comment_content' => {_php_str(text)}], true);")

    def set_comment_status(self, comment_id: int, status: str) -> None:
        """As a moderator does in wp-admin: approve, hold, spam, unspam, trash, untrash."""
        calls = {
            "approve": "wp_set_comment_status($id, 'approve', true)",
            "hold": "wp_set_comment_status($id, 'hold', true)",
            "spam": "wp_spam_comment($id)",
            "unspam": "wp_unspam_comment($id)",
            "trash": "wp_trash_comment($id)",
            "untrash": "wp_untrash_comment($id)",
        }
        result = self.php(f"$id = {int(comment_id)}; return {calls[status]};")
        assert result, f"{status} of comment {comment_id} failed"

    def delete_comment_permanently(self, comment_id: int) -> None:
        assert self.php(f"return wp_delete_comment({int(comment_id)}, true);")

    def trash_post(self, post_id: int) -> None:
        assert self.php(f"return (bool) wp_trash_post({int(post_id)});")

    def untrash_post(self, post_id: int) -> None:
        assert self.php(f"return (bool) wp_untrash_post({int(post_id)});")

    def comment(self, comment_id: int) -> dict | None:
        """The comment as stored: id, post, parent, user_id, approved (1, 0, spam, trash, post-trashed),
        content, date_gmt; None when it does not exist."""
        return self.php(f"""
            $c = get_comment({int(comment_id)});
            if (!$c) {{ return null; }}
            return ['id' => (int) $c->comment_ID, 'post' => (int) $c->comment_post_ID,
                    'parent' => (int) $c->comment_parent, 'user_id' => (int) $c->user_id,
                    'approved' => $c->comment_approved, 'content' => $c->comment_content,
                    'date_gmt' => $c->comment_date_gmt];
        """)

    def comments(self, **where) -> list[dict]:
        """Comments as stored (see ``comment``), oldest first; ``where`` as get_comments() arguments,
        e.g. ``parent=12``, ``user_id=1``; every status unless ``status`` is given."""
        args = {"status": "all", "orderby": "comment_ID", "order": "ASC", **where}
        if args["status"] == "all":
            args["status"] = ["all", "spam", "trash", "post-trashed"]  # WordPress's 'all' is only 0 and 1
        return self.php(f"""
            $args = {_php(args)};
            $status = $args['status'];
            unset($args['status']);
            $out = [];
            foreach ((array) $status as $s) {{
                foreach (get_comments(array_merge($args, ['status' => $s])) as $c) {{
                    $out[(int) $c->comment_ID] = ['id' => (int) $c->comment_ID, 'post' => (int) $c->comment_post_ID,
                        'parent' => (int) $c->comment_parent, 'user_id' => (int) $c->user_id,
                        'approved' => $c->comment_approved, 'content' => $c->comment_content,
                        'date_gmt' => $c->comment_date_gmt];
                }}
            }}
            ksort($out);
            return array_values($out);
        """)

    def rendered(self, comment_id: int) -> str:
        """The comment's HTML as the blog shows it to the public (``content.rendered``)."""
        response = self.rest("GET", f"wp/v2/comments/{int(comment_id)}", params={"context": "edit"})
        response.raise_for_status()
        return response.json()["content"]["rendered"]

    def delay_next_reply(self, seconds: float) -> None:
        """The next comment created over REST is stored at once but answered only after ``seconds``."""
        self.php(f"return update_option('peer_reply_delay_seconds', {float(seconds)!r});")


def _parse_exports(text: str) -> dict[str, str]:
    import shlex

    env = {}
    for line in text.splitlines():
        if line.startswith("export "):
            key, _, value = line[len("export "):].partition("=")
            env[key] = shlex.split(value)[0] if value else ""
    return env


@pytest.fixture(scope="session")
def wordpress_peer(tmp_path_factory) -> WordPressPeer:
    """The WordPress peer, started once per session in a temporary directory and stopped after."""
    directory = tmp_path_factory.mktemp("wp")
    started = subprocess.run(["bash", str(SCRIPT), "start", str(directory)], capture_output=True, text=True,
                             timeout=180, check=False)
    try:
        if started.returncode == 3:
            pytest.skip(f"WordPress peer: {started.stderr.strip()}")
        if started.returncode != 0:
            raise AssertionError(f"{SCRIPT} start failed ({started.returncode}):\n{started.stderr[-4000:]}")
        yield WordPressPeer(env=_parse_exports(started.stdout))
    finally:
        subprocess.run(["bash", str(SCRIPT), "stop", str(directory)], capture_output=True, text=True, timeout=120,
                       check=False)
        for bulky in ("mysql", "opcache"):  # the logs stay for a look after a failure
            shutil.rmtree(directory / bulky, ignore_errors=True)


@pytest.fixture
def peer(wordpress_peer) -> WordPressPeer:
    """The peer, emptied before the test."""
    wordpress_peer.reset()
    return wordpress_peer


# The project's side ----------------------------------------------------------------------------------

@pytest.fixture(autouse=True)
def _no_context_tasks(settings):
    """Thread context is fetched by a worker after commit; these tests fetch it themselves (``poll``)."""
    settings.CHANNELS_THREAD_CONTEXT_TASKS = False


@pytest.fixture
def blog(db, dept, peer):
    """A wordpress channel whose API address is the peer, with the administrator's application password."""
    from channels.models import ChannelSync
    from channels.services import channel_credentials_set
    from tests.factories import ChannelFactory

    channel = ChannelFactory(department=dept, platform="wordpress", name="Ludvika kommuns blogg",
                             public_url="https://blogg.ludvika.example/", account_id=peer.user)
    sync, _ = ChannelSync.objects.get_or_create(channel=channel)
    sync.api_base_url = peer.url
    sync.save(update_fields=["api_base_url"])
    channel_credentials_set(channel=channel, credentials={"username": peer.user,
                                                          "application_password": peer.app_password})
    return channel


def poll(channel, *, context: bool = True):
    """One poll as the worker runs it, then (``context``) the thread context it found missing;
    returns the poll's report. The poll must succeed."""
    from channels.services import channel_poll, thread_context_fetch

    report = channel_poll(channel_id=channel.pk, defer_context=False)
    assert report.outcome == "ok", f"{report.outcome}: {report.error}"
    if context and report.missing_context:
        thread_context_fetch(channel_id=channel.pk, platform_ids=sorted(report.missing_context))
    return report


def connector(channel):
    """The connector the worker builds for the channel."""
    from channels.models import ChannelSync
    from channels.services.platform import connector_for

    return connector_for(channel=channel, sync=ChannelSync.objects.get(channel=channel))


def store_thread(channel, platform_id: str):
    """Store a comment's thread (its ancestors and its post) as the context task does for a
    comment whose parent is missing: ``fetch_thread`` and the inbound store."""
    from channels.services import items_store

    return items_store(channel=channel, items=connector(channel).fetch_thread(platform_id=str(platform_id)))
