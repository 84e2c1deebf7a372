"""Infrastructure for the reliability tests (DESIGN §6 under faults).

They run only when RUN_RELIABILITY=1 (``.ci/run`` sets it) and need PostgreSQL in DATABASE_URL:
they start real processes (Celery workers, gunicorn, a private Redis, a private PostgreSQL cluster)
and talk to them over localhost only. A test that stops or restarts a service stops its own private
instance, never the shared ones. Each test gets its own database, copied from a template migrated
once per session, and drops it afterwards.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest
import requests

ROOT = Path(__file__).resolve().parents[2]
PG_BIN = Path("/usr/lib/postgresql/15/bin")
SETTINGS = "tests.reliability.settings"
ENABLED = os.environ.get("RUN_RELIABILITY") == "1"


def pytest_configure(config):
    config.addinivalue_line("markers", "reliability: fault-injection tests with real processes (RUN_RELIABILITY=1)")


def pytest_collection_modifyitems(config, items):
    here = Path(__file__).parent
    skip = pytest.mark.skip(reason="reliability tests run with RUN_RELIABILITY=1 on PostgreSQL (.ci/run)")
    for item in items:
        if Path(str(item.fspath)).is_relative_to(here):
            item.add_marker(pytest.mark.reliability)
            if not ENABLED or not os.environ.get("DATABASE_URL", "").startswith("postgres"):
                item.add_marker(skip)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def with_db(url: str, name: str) -> str:
    return urlunsplit(urlsplit(url)._replace(path="/" + name))


def psql(url: str, sql: str) -> str:
    out = subprocess.run(["psql", "--no-psqlrc", "-q", "-t", "-A", "-v", "ON_ERROR_STOP=1", "--dbname", url, "-c", sql],
                         capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    return out.stdout.strip()


def app_env(database_url: str, redis_url: str = "", **extra) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "PYTEST"))}
    env.update({"DJANGO_SETTINGS_MODULE": SETTINGS, "DATABASE_URL": database_url, "REDIS_URL": redis_url,
                "PYTHONPATH": str(ROOT), "CONN_MAX_AGE": "0", "PYTHONUNBUFFERED": "1"})
    env.update({k: str(v) for k, v in extra.items()})
    return env


def scenario(database_url: str, step: str, redis_url: str = "", timeout: float = 300, **kwargs) -> dict:
    out = subprocess.run([sys.executable, "-m", "tests.reliability.scenario", step, json.dumps(kwargs)], cwd=ROOT,
                         env=app_env(database_url, redis_url), capture_output=True, text=True, timeout=timeout)
    assert out.returncode == 0, f"scenario {step} failed:\n{out.stderr[-4000:]}"
    return json.loads(out.stdout.strip().splitlines()[-1])


def manage(database_url: str, *args: str, redis_url: str = "", timeout: float = 300, **env) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=app_env(database_url, redis_url, **env),
                          capture_output=True, text=True, timeout=timeout)


@pytest.fixture(scope="session")
def pg_server_url() -> str:
    url = os.environ["DATABASE_URL"]
    return with_db(url, "postgres")


@pytest.fixture(scope="session")
def template_db(pg_server_url):
    """A database migrated once per session, copied for each test (CREATE DATABASE … TEMPLATE)."""
    name = f"ls_rel_tpl_{os.getpid()}"
    psql(pg_server_url, f'DROP DATABASE IF EXISTS "{name}"')
    psql(pg_server_url, f'CREATE DATABASE "{name}"')
    url = with_db(pg_server_url, name)
    result = manage(url, "migrate", "--noinput", timeout=600)
    assert result.returncode == 0, result.stderr[-4000:]
    yield name
    psql(pg_server_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def fresh_db(pg_server_url, template_db):
    """A new database copied from the migrated template; dropped after the test."""
    name = f"ls_rel_{uuid.uuid4().hex[:10]}"
    psql(pg_server_url, f'CREATE DATABASE "{name}" TEMPLATE "{template_db}"')
    yield with_db(pg_server_url, name)
    psql(pg_server_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


class RedisServer:
    """A private redis-server on a free port (never the shared one on 6379)."""

    def __init__(self, workdir: Path):
        self.port = free_port()
        self.workdir = workdir
        self.proc: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> RedisServer:
        self.proc = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "yes",
             "--dir", str(self.workdir), "--logfile", str(self.workdir / "redis.log")],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        wait_for(lambda: self.ping(), timeout=10, what="private redis")
        return self

    def ping(self) -> bool:
        import redis

        try:
            return redis.Redis(port=self.port, socket_connect_timeout=0.5).ping()
        except redis.RedisError:
            return False

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(timeout=10)
        self.proc = None


@pytest.fixture
def private_redis(tmp_path):
    server = RedisServer(tmp_path).start()
    yield server
    server.stop()


class PostgresCluster:
    """A private PostgreSQL 15 cluster in a temporary folder, owned by the ``postgres`` system user
    when the tests run as root (initdb refuses root), on a free port."""

    def __init__(self):
        self.port = free_port()
        self.dir = Path(tempfile.mkdtemp(prefix="ls-pg-"))
        self.data = self.dir / "data"
        self.as_postgres = os.geteuid() == 0

    def _run(self, *args: str, timeout: float = 120) -> subprocess.CompletedProcess:
        cmd = list(args)
        if self.as_postgres:
            cmd = ["runuser", "-u", "postgres", "--", *cmd]
        return subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)

    @property
    def url(self) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/postgres"

    def init(self) -> PostgresCluster:
        if self.as_postgres:
            shutil.chown(self.dir, "postgres", "postgres")
        out = self._run(str(PG_BIN / "initdb"), "-D", str(self.data), "-U", "postgres", "--auth=trust", "-E", "UTF8",
                        "--locale=C.UTF-8")
        assert out.returncode == 0, out.stderr
        return self

    def start(self) -> None:
        out = self._run(str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-l", str(self.dir / "log"), "-w", "-t", "60",
                        "-o", f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1 -c fsync=off", "start")
        assert out.returncode == 0, out.stderr + (self.dir / "log").read_text()

    def stop(self, mode: str = "fast") -> None:
        self._run(str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-m", mode, "-w", "stop")

    def restart(self) -> None:
        out = self._run(str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-m", "fast", "-w", "-t", "60",
                        "-o", f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1 -c fsync=off", "restart")
        assert out.returncode == 0, out.stderr

    def destroy(self) -> None:
        self.stop("immediate")
        shutil.rmtree(self.dir, ignore_errors=True)


@pytest.fixture
def private_postgres():
    cluster = PostgresCluster().init()
    cluster.start()
    yield cluster
    cluster.destroy()


def wait_for(predicate, *, timeout: float, what: str, interval: float = 0.2):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}")


class Process:
    """A long-running child process (worker, gunicorn) in its own process group, so that a kill
    reaches all of its children."""

    def __init__(self, args: list[str], env: dict, log: Path):
        self.args, self.env, self.log = args, env, log
        self.proc: subprocess.Popen | None = None

    def start(self) -> Process:
        handle = self.log.open("ab")
        self.proc = subprocess.Popen(self.args, cwd=ROOT, env=self.env, stdout=handle, stderr=subprocess.STDOUT,
                                     start_new_session=True)
        return self

    def kill(self, sig: int = signal.SIGKILL) -> None:
        if self.proc and self.proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.proc.pid, sig)
            self.proc.wait(timeout=30)

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.kill()


def celery_worker(database_url: str, redis_url: str, log: Path, *, queues: str, pool: str = "prefork",
                  concurrency: int = 4, name: str = "w", **env) -> Process:
    args = [str(Path(sys.executable).parent / "celery"), "-A", "ludvika_social", "worker", "--loglevel", "WARNING",
            "--queues", queues, "--pool", pool, "--concurrency", str(concurrency), "--prefetch-multiplier", "1",
            "--without-gossip", "--without-mingle", "--without-heartbeat", "--hostname", f"{name}-{uuid.uuid4().hex[:6]}@%h"]
    return Process(args, app_env(database_url, redis_url, **{"CELERY_VISIBILITY_TIMEOUT": 6, **env}), log)


@pytest.fixture
def processes():
    started: list[Process] = []
    yield started
    for proc in reversed(started):
        proc.kill()


@pytest.fixture
def simulator():
    """The platform simulator in a thread of the test process on a free port (live clock)."""
    from channels.simulator.server import PlatformSimulator

    sim = PlatformSimulator(port=0, seed=11, rate=0.0, backlog=0, timeout_s=4.0).start()
    yield sim
    sim.stop()


def sim_post(sim, name: str, **data) -> dict:
    response = requests.post(f"{sim.base_url}/_sim/{name}", json=data, timeout=10)
    response.raise_for_status()
    return response.json()


def sim_items(sim, platform: str, account: str) -> list[dict]:
    response = requests.get(f"{sim.base_url}/_sim/state", params={"platform": platform, "account": account}, timeout=10)
    response.raise_for_status()
    return response.json()["items"]
