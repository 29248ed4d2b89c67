"""Real processes for the fault tests: a database of their own, gunicorn, and load.

On ``pytest --db=postgres`` the tests get a PostgreSQL server of their own (so that restarting
it cannot disturb the rest of the session); on SQLite, a database file in a temporary folder.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import requests

from tests.support.postgres import PostgresServer, PostgresUnavailable, free_port

ROOT = Path(__file__).resolve().parents[2]


def _python(*args: str, env: dict[str, str], timeout: int = 300) -> str:
    result = subprocess.run(
        [sys.executable, *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    if result.returncode != 0:
        raise AssertionError(f"{args} failed ({result.returncode}):\n{result.stderr[-3000:]}")
    return result.stdout


@dataclass
class FaultEnv:
    """Everything the server and its command-line tools need to find the same database."""

    env: dict[str, str]
    tokens: dict[str, str]
    postgres: PostgresServer | None

    def safeshare(self, *args: str) -> str:
        return _python("-m", "safeshare", *args, env=self.env)

    def clearances(self) -> dict:
        output = _python("-m", "tests.reliability.fault_tools", "clearances", env=self.env)
        return json.loads(output)

    def audit(self, export_to: Path | None = None) -> dict:
        """``safeshare ledger checkpoint`` and ``verify`` (and ``export``), then the stored
        clearances; fails if the ledger does not verify."""
        extra = [str(export_to)] if export_to else []
        output = _python("-m", "tests.reliability.fault_tools", "audit", *extra, env=self.env)
        return json.loads(output.strip().splitlines()[-1])


@pytest.fixture(scope="module")
def fault_env(request, tmp_path_factory) -> FaultEnv:
    var_dir = tmp_path_factory.mktemp("faults-var")
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("SAFESHARE_", "DATABASE_URL", "GUNICORN"))
    }
    env.update(
        DJANGO_SETTINGS_MODULE="safeshare.settings",
        SAFESHARE_VAR_DIR=str(var_dir),
        SAFESHARE_SECRET_KEY=uuid.uuid4().hex * 2,
        SAFESHARE_LEDGER_HMAC_KEY=os.urandom(32).hex(),
        SAFESHARE_ALLOWED_HOSTS="127.0.0.1,localhost",
        SAFESHARE_SECURE_COOKIES="0",
        SAFESHARE_HTTPS="0",
        SAFESHARE_RETRY_AFTER_SECONDS="1",
        SAFESHARE_LOG_LEVEL="WARNING",
        PYTHONUNBUFFERED="1",
    )
    postgres = None
    if request.config.getoption("--db") == "postgres":
        try:
            postgres = PostgresServer.start()
        except PostgresUnavailable as error:
            if os.environ.get("SAFESHARE_REQUIRE_POSTGRES", "") not in ("", "0"):
                pytest.fail(f"SAFESHARE_REQUIRE_POSTGRES is set but {error}", pytrace=False)
            pytest.skip(str(error))
        env["DATABASE_URL"] = postgres.url
    _python("-m", "safeshare", "migrate", "--no-input", "-v", "0", env=env)
    tokens = json.loads(_python("-m", "tests.reliability.fault_tools", "seed", env=env))
    yield FaultEnv(env=env, tokens=tokens, postgres=postgres)
    if postgres is not None:
        postgres.stop()


@dataclass
class AppServer:
    """gunicorn serving SafeShare on a loopback port, in its own process group."""

    env: dict[str, str]
    log: Path
    port: int = field(default_factory=free_port)
    workers: int = 1
    process: subprocess.Popen | None = None

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def start(self, timeout: float = 60) -> None:
        command = [
            sys.executable,
            "-m",
            "gunicorn",
            "safeshare.wsgi:application",
            "--bind",
            f"127.0.0.1:{self.port}",
            "--workers",
            str(self.workers),
            "--threads",
            "4",
            "--timeout",
            "60",
            "--graceful-timeout",
            "2",
        ]
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(
                command, cwd=ROOT, env=self.env, stdout=log, stderr=log, start_new_session=True
            )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise AssertionError(f"gunicorn exited:\n{self.log.read_text()[-3000:]}")
            try:
                if requests.get(self.url("/healthz"), timeout=1).status_code == 200:
                    return
            except requests.RequestException:
                pass
            time.sleep(0.2)
        raise AssertionError(f"gunicorn did not answer:\n{self.log.read_text()[-3000:]}")

    def kill9(self) -> None:
        """SIGKILL to the master and every worker at once: no clean-up, no goodbyes."""
        assert self.process is not None
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        os.killpg(self.process.pid, signal.SIGINT)  # gunicorn's quick shutdown
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)


@pytest.fixture(scope="module")
def app_server(fault_env, tmp_path_factory):
    """One server for the module (starting one costs seconds); the kill test restarts it."""
    log = tmp_path_factory.mktemp("gunicorn") / "gunicorn.log"
    server = AppServer(env=fault_env.env, log=log)
    server.start()
    yield server
    server.stop()


def clearance_body(number: int, run: str) -> dict:
    return {
        "given_names": "Subject",
        "family_name": f"{run}{number:05d}",
        "date_of_birth": "1980-01-01",
        "action": "removal_directions",
        "information_sources": ["immigration_records"],
    }


@dataclass
class Attempt:
    number: int
    at: float
    status: int | None
    code: str = ""
    retry_after: str = ""


@dataclass
class Writer:
    """Clients that each send clearance requests, every one with its own Idempotency-Key, and
    retry the same key after a 503 or a lost connection until it is acknowledged."""

    server: AppServer
    token: str
    run: str
    acknowledged: dict[int, str] = field(default_factory=dict)
    replayed: set[int] = field(default_factory=set)
    attempts: list[Attempt] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    stop: threading.Event = field(default_factory=threading.Event)

    def send(self, number: int, deadline: float) -> None:
        session = requests.Session()
        headers = {
            "Authorization": f"Bearer {self.token}",
            "Idempotency-Key": f"{self.run}-{number}",
        }
        body = clearance_body(number, self.run)
        while time.monotonic() < deadline:
            if self.stop.is_set():
                return
            try:
                response = session.post(
                    self.server.url("/api/v1/clearances"), json=body, headers=headers, timeout=15
                )
            except requests.RequestException:
                with self.lock:
                    self.attempts.append(Attempt(number, time.monotonic(), None))
                session = requests.Session()
                time.sleep(0.2)
                continue
            code = ""
            if response.status_code >= 400:
                code = response.json().get("error", {}).get("code", "")
            with self.lock:
                self.attempts.append(
                    Attempt(
                        number,
                        time.monotonic(),
                        response.status_code,
                        code,
                        response.headers.get("Retry-After", ""),
                    )
                )
            if response.status_code == 201:
                with self.lock:
                    self.acknowledged[number] = response.json()["id"]
                    if response.headers.get("Idempotent-Replayed") == "true":
                        self.replayed.add(number)
                return
            if response.status_code == 503:
                time.sleep(min(float(response.headers.get("Retry-After", "1")), 1.0))
                continue
            raise AssertionError(f"{response.status_code}: {response.text[:500]}")
        raise AssertionError(f"request {number} was never acknowledged")

    def run_numbers(self, numbers: range, threads: int, timeout: float) -> ThreadPoolExecutor:
        """Start sending in the background; the caller waits on the returned pool."""
        deadline = time.monotonic() + timeout
        pool = ThreadPoolExecutor(max_workers=threads)
        self.futures = [pool.submit(self.send, n, deadline) for n in numbers]
        return pool

    def wait_for(self, count: int, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while len(self.acknowledged) < count:
            assert time.monotonic() < deadline, f"only {len(self.acknowledged)} acknowledged"
            time.sleep(0.05)

    def finish(self) -> None:
        for future in self.futures:
            future.result()
