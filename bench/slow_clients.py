"""Slow clients: does the service keep answering while many connections trickle or stall?

Starts the production server (gunicorn managing SafeShare's uvicorn workers,
``safeshare.server``) on a loopback port with a fresh SQLite database, opens ``--slow``
connections that send their request headers one byte a second and ``--idle`` connections that
send nothing, and meanwhile asks ``/readyz`` (which reads the database) again and again. It
reports how many of those answered, their latency, and how many stalled connections the server
closed by itself (each request must arrive within ``REQUEST_READ_SECONDS``).

``--baseline`` runs the same against the previous configuration (gunicorn, 2 workers × 4
threads, synchronous) for comparison.

Loopback only, bounded: at most ``--slow + --idle`` connections (default 400) and ``--seconds``
of attack (default 30), then everything is closed and the server stopped.

    uv run python bench/slow_clients.py [--slow 200] [--idle 200] [--seconds 30] [--baseline]
"""

from __future__ import annotations

import argparse
import http.client
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
HEAD = b"GET /readyz HTTP/1.1\r\nHost: 127.0.0.1\r\nUser-Agent: slow-client-bench\r\n"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def server_command(port: int, baseline: bool) -> list[str]:
    bind = ["--bind", f"127.0.0.1:{port}"]
    if baseline:
        return ["gunicorn", "safeshare.wsgi:application", *bind, "--workers", "2", "--threads",
                "4", "--timeout", "30"]  # fmt: skip
    return ["gunicorn", "safeshare.asgi:application", "-c", "python:safeshare.server", *bind]


def wait_until_up(port: int, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if probe(port, timeout=2)[0] == 200:
                return
        except OSError:
            pass
        time.sleep(0.3)
    raise SystemExit("the server did not start")


def probe(port: int, timeout: float = 5.0) -> tuple[int, float]:
    started = time.perf_counter()
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        connection.request("GET", "/readyz")
        status = connection.getresponse().status
    finally:
        connection.close()
    return status, time.perf_counter() - started


def is_closed(sock: socket.socket) -> bool:
    try:
        return sock.recv(1, socket.MSG_PEEK | socket.MSG_DONTWAIT) == b""
    except BlockingIOError:
        return False
    except OSError:
        return True


def run(args: argparse.Namespace) -> dict:
    port = free_port()
    with tempfile.TemporaryDirectory(prefix="safeshare-slow-") as var_dir:
        env = {
            k: v for k, v in os.environ.items() if not k.startswith(("SAFESHARE_", "DATABASE_"))
        }
        env.update(SAFESHARE_VAR_DIR=var_dir, SAFESHARE_HTTPS="0", SAFESHARE_LOG_LEVEL="ERROR")
        subprocess.run(
            [sys.executable, "-m", "safeshare", "migrate", "--no-input", "-v", "0"],
            cwd=ROOT, env=env, check=True,
        )  # fmt: skip
        server = subprocess.Popen(
            server_command(port, args.baseline),
            cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            start_new_session=True,
        )  # fmt: skip
        sockets: list[socket.socket] = []
        try:
            wait_until_up(port)
            for number in range(args.slow + args.idle):
                sock = socket.create_connection(("127.0.0.1", port), timeout=5)
                sock.setblocking(False)
                if number < args.slow:
                    sock.send(HEAD[:1])
                sockets.append(sock)
            slow = sockets[: args.slow]
            sent = dict.fromkeys(range(len(slow)), 1)
            answered, failed, latencies = 0, 0, []
            started = time.monotonic()
            next_trickle = started + 1
            while time.monotonic() - started < args.seconds:
                try:
                    status, seconds = probe(port)
                    if status == 200:
                        answered += 1
                        latencies.append(seconds)
                    else:
                        failed += 1
                except OSError:
                    failed += 1
                if time.monotonic() >= next_trickle:  # one more byte of each slow request
                    next_trickle += 1
                    for index, sock in enumerate(slow):
                        if sent[index] < len(HEAD) - 1:
                            try:
                                sock.send(HEAD[sent[index] : sent[index] + 1])
                                sent[index] += 1
                            except OSError:
                                pass
                time.sleep(0.05)
            closed = sum(is_closed(sock) for sock in sockets)
        finally:
            for sock in sockets:
                sock.close()
            os.killpg(server.pid, signal.SIGTERM)
            try:
                server.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(server.pid, signal.SIGKILL)
    latencies.sort()
    return {
        "server": "baseline (gunicorn 2x4 threads)" if args.baseline else "safeshare.server",
        "stalled connections": len(sockets),
        "probes answered": answered,
        "probes failed": failed,
        "p50 ms": round(statistics.median(latencies) * 1000, 1) if latencies else None,
        "p99 ms": round(latencies[int(len(latencies) * 0.99) - 1] * 1000, 1)
        if latencies
        else None,
        "stalled connections closed by the server": closed,
        "seconds": args.seconds,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--slow", type=int, default=200)
    parser.add_argument("--idle", type=int, default=200)
    parser.add_argument("--seconds", type=int, default=30)
    parser.add_argument("--baseline", action="store_true")
    args = parser.parse_args()
    args.slow, args.idle = min(args.slow, 1000), min(args.idle, 1000)  # bounded
    args.seconds = max(1, min(args.seconds, 120))
    load = os.getloadavg()[0]
    result = run(args)
    for key, value in result.items():
        print(f"{key}: {value}")
    print(f"load average at start: {load:.1f}")


if __name__ == "__main__":
    main()
