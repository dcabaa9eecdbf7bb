"""Running portals for the browser and security suites: the production build started once per run (once
per pytest-xdist worker) on a free port with a fresh seeded database, and the production shape
(PostgreSQL, Redis, two workers).

Registered as a plugin by tests/conftest.py, so every suite of a worker shares its build. `make test`
hands out whole test files to two workers (`--dist loadfile`): the tests of one file share a portal
and its data, as they always have; different files may not count on each other's data.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from portal_app.settings import PROJECT_ROOT

BUILD_TIMEOUT_SECONDS = 900
IDLE_MINUTES = 15


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_until_serving(url: str, process: subprocess.Popen, log_path: Path) -> None:
    deadline = time.monotonic() + BUILD_TIMEOUT_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"The portal exited early:\n{log_path.read_text()[-4000:]}")
        try:
            with (
                urllib.request.urlopen(f"{url}/ping", timeout=2) as ping,
                urllib.request.urlopen(url, timeout=5) as home,
            ):
                if ping.status == 200 and home.status == 200:
                    return
        except OSError:
            pass
        time.sleep(1)
    raise RuntimeError(f"The portal did not start in time:\n{log_path.read_text()[-4000:]}")


# Under pytest-xdist the first worker to need a portal compiles the pages (into `.web`, as `reflex
# run` always does) while holding this lock; the others wait, then copy that build and serve the copy
# with the backend alone (`make serve-prod`), so a run compiles once however many workers it has.
WORKERS_DIR = PROJECT_ROOT / ".web-workers"
BUILD_LOCK = WORKERS_DIR / "build.lock"
# The only compiled file that names the portal's address (the backend URLs, port included).
ENV_CHUNK_GLOB = "assets/reflex-env-*.js"


def _shared_build_marker() -> Path | None:
    """Where the worker that compiled this run's pages writes the port its build names."""
    run = os.environ.get("PYTEST_XDIST_TESTRUNUID")
    return WORKERS_DIR / f"built-{run}" if run else None


@contextmanager
def _build_lock() -> Iterator[None]:
    import fcntl

    WORKERS_DIR.mkdir(exist_ok=True)
    with BUILD_LOCK.open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def _worker_name() -> str:
    return os.environ.get("PYTEST_XDIST_WORKER", "gw0")


def _copy_build_for_port(built_port: str, port: int, folder: str | None = None) -> Path:
    """A copy of the compiled pages pointing at ``port``, in `.web-workers/<folder>` (by default the
    worker's own name); returns its web folder."""
    import gzip
    import shutil

    from reflex_base import constants

    web_dir = WORKERS_DIR / (folder or _worker_name())
    static = web_dir / constants.Dirs.STATIC
    shutil.rmtree(web_dir, ignore_errors=True)
    shutil.copytree(PROJECT_ROOT / constants.Dirs.WEB / constants.Dirs.STATIC, static)
    chunks = list(static.glob(ENV_CHUNK_GLOB))
    if not chunks:
        raise RuntimeError(f"no {ENV_CHUNK_GLOB} in the compiled pages")
    for chunk in chunks:
        text = chunk.read_text().replace(f"localhost:{built_port}/", f"localhost:{port}/")
        chunk.write_text(text)
        compressed = chunk.with_name(chunk.name + ".gz")
        if compressed.exists():
            compressed.write_bytes(gzip.compress(text.encode()))
    return web_dir


def _start_compiling(port: int, env: dict, log) -> subprocess.Popen:
    """`reflex run` in production mode on one port: compiles the pages, builds them and serves."""
    command = [sys.executable, "-m", "reflex", "run", "--env", "prod", "--single-port"]
    command += ["--frontend-port", str(port), "--backend-port", str(port), "--loglevel", "info"]
    return subprocess.Popen(
        command, cwd=PROJECT_ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
    )


def _start_from_copy(port: int, env: dict, log, web_dir: Path) -> subprocess.Popen:
    """The backend alone (`make serve-prod`, one worker) serving a copied build."""
    command = ["make", "-s", "--no-print-directory", "serve-prod", f"PROD_PORT={port}"]
    command += ["PROD_WORKERS=1", "MOUNT_FRONTEND=true", f"PROD_PUBLIC_URL={env['PUBLIC_URL']}"]
    env = {**env, "REFLEX_WEB_WORKDIR": str(web_dir)}
    env.pop("REDIS_URL", None)
    return subprocess.Popen(
        command, cwd=PROJECT_ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
    )


@contextmanager
def _serving_portal(port: int, url: str, env: dict, log_path: Path) -> Iterator[None]:
    """A portal serving on ``port``: compiled here, or (under xdist) copied from the run's build."""
    marker = _shared_build_marker()
    with log_path.open("w") as log:
        if marker is None:
            process = _start_compiling(port, env, log)
            _wait_or_stop(url, process, log_path)
        else:
            with _build_lock():
                if marker.exists():
                    web_dir = _copy_build_for_port(marker.read_text(), port)
                    process = _start_from_copy(port, env, log, web_dir)
                    _wait_or_stop(url, process, log_path)
                else:
                    process = _start_compiling(port, env, log)
                    _wait_or_stop(url, process, log_path)
                    for earlier in WORKERS_DIR.glob("built-*"):
                        earlier.unlink()
                    marker.write_text(str(port))
    try:
        yield
    finally:
        _stop(process)


def _wait_or_stop(url: str, process: subprocess.Popen, log_path: Path) -> None:
    try:
        _wait_until_serving(url, process, log_path)
    except BaseException:
        _stop(process)
        raise


def _portal_env(workdir: Path, url: str, *, history_size: int) -> dict:
    return {
        **os.environ,
        "DB_URL": f"sqlite:///{workdir / 'portal.db'}",
        "DATA_DIR": str(workdir),
        "REFLEX_API_URL": url,
        "REFLEX_DEPLOY_URL": url,
        "REFLEX_TELEMETRY_ENABLED": "false",
        "REFLEX_USE_SYSTEM_BUN": "1",
        "PUBLIC_URL": url,
        # The production default; the idle-logoff test ages its own session to reach it.
        "SESSION_IDLE_MINUTES": str(IDLE_MINUTES),
        # Every test signs in from 127.0.0.1: a whole file's sign-ins from one "client" would spend the
        # production 30 a minute and be told to wait. The tests of that limit run on a backend of their
        # own (backend_only) with a limit of their choosing.
        "RATE_LIMIT_SIGN_IN_CLIENT": "1000 per minute",
        "DEMO_HISTORY_SIZE": str(history_size),
    }


def _migrate_and_seed(env: dict) -> None:
    for step in ("migrate", "seed"):
        subprocess.run([sys.executable, "-m", "portal_app.cli", step], cwd=PROJECT_ROOT, env=env, check=True)


@pytest.fixture(scope="session")
def portal(tmp_path_factory) -> Iterator[dict]:
    """The running portal: its URL and the path of its server log."""
    workdir = tmp_path_factory.mktemp("portal")
    port = _free_port()
    url = f"http://localhost:{port}"
    # The demo data alone, without its year of history (services/demo_year.py): the tests count on the
    # demo's exact cases and queues, and seeding stays quick.
    env = _portal_env(workdir, url, history_size=0)
    _migrate_and_seed(env)
    log_path = workdir / "server.log"
    with _serving_portal(port, url, env, log_path):
        yield {"url": url, "log": log_path, "db_url": env["DB_URL"]}


# Requests in the year of history of `portal_with_history`: enough for every figure of the dashboard
# (programs, decisions, decision times, surveys); the seed takes about 3 s longer than without.
HISTORY_SIZE = 40


@pytest.fixture(scope="module")
def portal_with_history(portal, tmp_path_factory) -> Iterator[dict]:
    """A second portal whose demo has a (small) year of history (services/demo_year.py).

    It serves a copy of this run's build (compiled for ``portal``, which it waits for) pointing at its
    own port, in `.web-workers/<worker>-history`, so the worker's own copy is left alone.
    """
    workdir = tmp_path_factory.mktemp("portal-history")
    port = _free_port()
    url = f"http://localhost:{port}"
    env = _portal_env(workdir, url, history_size=HISTORY_SIZE)
    _migrate_and_seed(env)
    marker = _shared_build_marker()
    # Without xdist `portal` compiled `.web` for its own port; under xdist the marker names the port.
    built_port = marker.read_text() if marker is not None else portal["url"].rpartition(":")[2]
    with _build_lock():
        web_dir = _copy_build_for_port(built_port, port, f"{_worker_name()}-history")
    log_path = workdir / "server.log"
    with log_path.open("w") as log:
        process = _start_from_copy(port, env, log, web_dir)
        _wait_or_stop(url, process, log_path)
    try:
        yield {"url": url, "log": log_path, "db_url": env["DB_URL"]}
    finally:
        _stop(process)


def _stop(process: subprocess.Popen) -> None:
    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=15)
    except ProcessLookupError:
        return
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()


@pytest.fixture
def portal_db(portal):
    """A session on the running portal's database, for arranging and checking data."""
    from sqlmodel import Session

    from portal_app.db import make_engine

    engine = make_engine(portal["db_url"])
    with Session(engine, expire_on_commit=False) as session:
        yield session
    engine.dispose()


# --- Production shape: PostgreSQL, Redis and two granian workers (`make serve-prod`) ---

TEST_REDIS_URL = os.environ.get("TEST_REDIS_URL", "")
WORKER_RESPAWN_SECONDS = 60


class ProdCluster:
    """The backend as `make serve-prod` runs it, with its worker processes at hand."""

    def __init__(self, url: str, process: subprocess.Popen, log: Path, db_url: str):
        self.url, self.process, self.log, self.db_url = url, process, log, db_url

    def _granian(self):
        import psutil

        processes = psutil.Process(self.process.pid).children(recursive=True)
        return [p for p in processes if "granian" in " ".join(p.cmdline())]

    def workers(self) -> list:
        """The worker processes (the granian supervisor's children)."""
        processes = self._granian()
        pids = {p.pid for p in processes}
        return [p for p in processes if p.ppid() in pids]

    def worker_serving(self, local_port: int):
        """The worker holding the TCP connection that comes from ``local_port`` on this machine."""
        for worker in self.workers():
            if any(c.raddr and c.raddr.port == local_port for c in worker.net_connections(kind="tcp")):
                return worker
        raise AssertionError(f"no worker holds the connection from port {local_port}")

    def kill(self, worker) -> None:
        """SIGKILL one worker (a crash: nothing is cleaned up) and wait until granian has replaced it.

        Granian exits when a worker it has just respawned dies again within 5.5 s, so this also
        waits that long after the replacement appears.
        """
        started = self.workers_started()
        worker.kill()
        worker.wait(10)
        deadline = time.monotonic() + WORKER_RESPAWN_SECONDS
        while time.monotonic() < deadline:
            if self.workers_started() > started:
                time.sleep(6)
                return
            time.sleep(0.2)
        raise AssertionError(f"granian did not replace the killed worker:\n{self.log.read_text()[-3000:]}")

    def workers_started(self) -> int:
        """How many workers have loaded the app so far (granian logs "Started worker-N")."""
        return self.log.read_text(errors="replace").count("Started worker-")


@pytest.fixture(scope="module")
def prod_cluster(tmp_path_factory) -> Iterator[ProdCluster]:
    """PostgreSQL (a scratch database), Redis and two workers sharing state through it.

    Needs TEST_PG_URL and TEST_REDIS_URL, which `make test` sets after starting both on loopback.
    """
    pg_url = os.environ.get("TEST_PG_URL", "")
    if not pg_url or not TEST_REDIS_URL:
        pytest.skip(
            "needs PostgreSQL and Redis: `make test` starts both on loopback and sets "
            "TEST_PG_URL and TEST_REDIS_URL (or set them yourself)"
        )
    from tests.conftest import _scratch_postgres_database

    workdir = tmp_path_factory.mktemp("prod")
    port = _free_port()
    url = f"http://localhost:{port}"
    databases = _scratch_postgres_database()
    db_url = next(databases)
    env = {
        **os.environ,
        "DB_URL": db_url,
        "REDIS_URL": TEST_REDIS_URL,
        "DATA_DIR": str(workdir),
        "PUBLIC_URL": url,
        "REFLEX_TELEMETRY_ENABLED": "false",
        "DEMO_HISTORY_SIZE": "0",
    }
    try:
        for step in ("migrate", "seed"):
            subprocess.run(
                [sys.executable, "-m", "portal_app.cli", step],
                cwd=PROJECT_ROOT,
                env=env,
                check=True,
                stdout=subprocess.DEVNULL,
            )
        log_path = workdir / "server.log"
        process = _serve_prod(port=port, workers=2, env=env, log_path=log_path)
        cluster = ProdCluster(url, process, log_path, db_url)
        try:
            deadline = time.monotonic() + 120
            while cluster.workers_started() < 2 or not _answers(f"{url}/ping"):
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(
                        f"The production backend did not start:\n{log_path.read_text()[-4000:]}"
                    )
                time.sleep(0.5)
            yield cluster
        finally:
            _stop(process)
    finally:
        databases.close()


def _serve_prod(
    *, port: int, workers: int, env: dict, log_path: Path, public_url: str | None = None
) -> subprocess.Popen:
    """The backend alone as `make serve-prod` starts it: granian workers, nothing compiled."""
    command = ["make", "-s", "--no-print-directory", "serve-prod", f"PROD_PORT={port}"]
    command += ["PROD_HOST=127.0.0.1", f"PROD_WORKERS={workers}", "MOUNT_FRONTEND=false"]
    if public_url:
        command.append(f"PROD_PUBLIC_URL={public_url}")
    with log_path.open("w") as log:
        return subprocess.Popen(
            command, cwd=PROJECT_ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as answer:
            return answer.status == 200
    except OSError:
        return False


@contextmanager
def backend_only(
    portal: dict, workdir: Path, *, public_url: str | None = None, settings: dict[str, str] | None = None
) -> Iterator[dict]:
    """Another backend on the running portal's database and data folder, as `make serve-prod` runs
    it (one worker, nothing compiled, so the portal's build is left alone): its own process, with its
    own in-memory rate-limit counts. Yields its ``url`` and the ``origin`` it takes for its own
    (``public_url``, where ``{port}`` stands for its port; by default its own address). ``settings``
    adds environment variables (portal_app/settings.py) for this backend only."""
    from sqlalchemy.engine import make_url

    port = _free_port()
    url = f"http://localhost:{port}"
    origin = (public_url or url).format(port=port)
    env = {
        **os.environ,
        "DB_URL": portal["db_url"],
        "DATA_DIR": str(Path(make_url(portal["db_url"]).database or "").parent),
        "PUBLIC_URL": origin,
        "REFLEX_TELEMETRY_ENABLED": "false",
        **(settings or {}),
    }
    log_path = workdir / "backend.log"
    process = _serve_prod(port=port, workers=1, env=env, log_path=log_path, public_url=origin)
    try:
        deadline = time.monotonic() + 300
        while not _answers(f"{url}/ping"):
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"The backend did not start:\n{log_path.read_text()[-3000:]}")
            time.sleep(0.5)
        yield {"url": url, "origin": origin}
    finally:
        _stop(process)
