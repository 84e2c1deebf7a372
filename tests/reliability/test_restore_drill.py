"""The restore drill: back up (pg_dump + media + archive exports), drop the database, restore it,
then verify_archive passes and the queue, the outbox and the inbound store are exactly as before.
Also runs scripts/restore_drill.sh, the non-destructive drill operators run against production."""

from __future__ import annotations

import subprocess

from .conftest import ROOT, app_env, manage, psql, scenario, sim_post, with_db


def _script(name: str, *args: str, env: dict) -> subprocess.CompletedProcess:
    return subprocess.run([str(ROOT / "scripts" / name), *args], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=300)


def test_dump_drop_restore_keeps_the_archive_and_the_queue_intact(fresh_db, pg_server_url, simulator, tmp_path):
    world = scenario(fresh_db, "build", channels=2, sim_url=simulator.url("facebook"))
    for n in range(12):
        sim_post(simulator, "items", platform="facebook", account=world["accounts"][n % 2],
                 text=f"Kommentar {n}: du är en idiot." if n % 3 == 0 else f"När öppnar simhallen, fråga {n}?")
    scenario(fresh_db, "poll_all")
    scenario(fresh_db, "decide", hide=3, reply=2, username=world["user"])  # actions wait: no worker runs
    media, exports = tmp_path / "media", tmp_path / "exports"
    (media / "attachments" / "2026" / "11").mkdir(parents=True)
    (media / "attachments" / "2026" / "11" / "bild.jpg").write_bytes(b"\xff\xd8\xff" + bytes(range(256)) * 40)
    exports.mkdir()
    (exports / "utlamnande-1.pdf").write_bytes(b"%PDF-1.7 test export")
    env = app_env(fresh_db, MEDIA_ROOT=media, ARCHIVE_EXPORT_ROOT=exports, BACKUP_DIR=tmp_path / "backups")
    before = scenario(fresh_db, "state")
    assert len(before["actions"]) == 5 and before["archive_records"] > 12

    drill = _script("restore_drill.sh", env=env)
    assert drill.returncode == 0, drill.stdout + drill.stderr
    assert "RESTORE DRILL OK" in drill.stdout

    backup = _script("backup.sh", env=env)
    assert backup.returncode == 0, backup.stderr
    folder = backup.stdout.strip().splitlines()[-1]
    name = fresh_db.rsplit("/", 1)[-1]
    psql(pg_server_url, f'DROP DATABASE "{name}" WITH (FORCE)')
    (media / "attachments" / "2026" / "11" / "bild.jpg").unlink()
    refused = _script("restore.sh", folder, env=env)
    assert refused.returncode == 2  # not without --yes
    restored = _script("restore.sh", folder, "--yes", env=env)
    assert restored.returncode == 0, restored.stderr

    verify = manage(fresh_db, "verify_archive")
    assert verify.returncode == 0 and verify.stdout.startswith("OK:"), verify.stdout + verify.stderr
    after = scenario(fresh_db, "state")
    for key in ("actions", "entries", "items", "versions", "archive_records", "snapshots", "duplicates"):
        assert after[key] == before[key], key
    assert (media / "attachments" / "2026" / "11" / "bild.jpg").read_bytes().startswith(b"\xff\xd8\xff")
    assert (exports / "utlamnande-1.pdf").read_bytes() == b"%PDF-1.7 test export"
    assert with_db(pg_server_url, name) == fresh_db


def test_restore_refuses_a_backup_whose_checksum_does_not_match(fresh_db, tmp_path):
    env = app_env(fresh_db, MEDIA_ROOT=tmp_path / "m", ARCHIVE_EXPORT_ROOT=tmp_path / "e")
    folder = _script("backup.sh", str(tmp_path / "b"), env=env).stdout.strip().splitlines()[-1]
    with open(f"{folder}/db.dump", "ab") as dump:
        dump.write(b"tampered")
    result = _script("restore.sh", folder, "--yes", env=env)
    assert result.returncode != 0
    assert psql(fresh_db, "SELECT count(*) FROM django_migrations") != "0"  # the database was left alone
