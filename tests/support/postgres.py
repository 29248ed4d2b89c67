"""A throwaway PostgreSQL server for the test session: initdb, pg_ctl start, and removal after."""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path


class PostgresUnavailable(RuntimeError):
    """The PostgreSQL server programs are not installed on this machine."""


def find_pg_bin() -> Path:
    """The folder holding initdb and pg_ctl (PATH first, then Debian's versioned folders)."""
    initdb = shutil.which("initdb")
    if initdb:
        return Path(os.path.realpath(initdb)).parent
    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), reverse=True)
    if candidates:
        return Path(candidates[0]).parent
    raise PostgresUnavailable(
        "PostgreSQL server programs (initdb, pg_ctl) were not found. "
        "Install them with: apt-get install postgresql"
    )


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class PostgresServer:
    """A running server on a loopback port, owned by this test session."""

    bin_dir: Path
    data_dir: Path
    port: int
    run_as: str | None

    @property
    def url(self) -> str:
        return f"postgres://safeshare@127.0.0.1:{self.port}/safeshare"

    def _run(self, *args: str) -> subprocess.CompletedProcess:
        command = list(args)
        if self.run_as:
            command = ["runuser", "-u", self.run_as, "--", *command]
        return subprocess.run(command, check=True, capture_output=True, text=True, timeout=120)

    @classmethod
    def start(cls) -> PostgresServer:
        bin_dir = find_pg_bin()
        base = Path(tempfile.mkdtemp(prefix="safeshare-pg-"))
        run_as = None
        if os.geteuid() == 0:  # initdb refuses to run as root
            run_as = "postgres"
            entry = pwd.getpwnam(run_as)
            os.chown(base, entry.pw_uid, entry.pw_gid)
        server = cls(bin_dir=bin_dir, data_dir=base / "data", port=free_port(), run_as=run_as)
        server._run(
            str(bin_dir / "initdb"),
            "-D",
            str(server.data_dir),
            "--username=safeshare",
            "--auth=trust",
            "--encoding=UTF8",
            "--locale=C.UTF-8",
            "--no-sync",
        )
        server.resume()
        server._run(
            str(bin_dir / "createdb"),
            "-h",
            "127.0.0.1",
            "-p",
            str(server.port),
            "-U",
            "safeshare",
            "safeshare",
        )
        return server

    def _options(self) -> str:
        return (
            f"-c listen_addresses=127.0.0.1 -c port={self.port} "
            f"-c unix_socket_directories={self.data_dir.parent} -c fsync=off "
            "-c full_page_writes=off -c synchronous_commit=off -c max_connections=200"
        )

    def resume(self) -> None:
        """Start (or start again) the server on its port, keeping its data."""
        self._run(
            str(self.bin_dir / "pg_ctl"),
            "-D",
            str(self.data_dir),
            "-o",
            self._options(),
            "-l",
            str(self.data_dir.parent / "server.log"),
            "-w",
            "-t",
            "60",
            "start",
        )

    def halt(self, mode: str = "fast") -> None:
        """Stop the server but keep its data (``fast`` ends sessions as an operator would;
        ``immediate`` is a crash). Used by the fault tests; ``resume`` starts it again."""
        self._run(str(self.bin_dir / "pg_ctl"), "-D", str(self.data_dir), "-m", mode, "-w", "stop")

    def create_database(self, name: str) -> str:
        """A new, empty database on this server; returns its URL."""
        self._run(
            str(self.bin_dir / "createdb"),
            "-h",
            "127.0.0.1",
            "-p",
            str(self.port),
            "-U",
            "safeshare",
            name,
        )
        return f"postgres://safeshare@127.0.0.1:{self.port}/{name}"

    def stop(self) -> None:
        try:
            self._run(
                str(self.bin_dir / "pg_ctl"),
                "-D",
                str(self.data_dir),
                "-m",
                "immediate",
                "-w",
                "stop",
            )
        finally:
            shutil.rmtree(self.data_dir.parent, ignore_errors=True)
