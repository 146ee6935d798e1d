"""Servers the tests start as real processes (gunicorn, nginx): a free port, waiting for it
to answer, and stopping the whole process group at the end."""
from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent


def free_port(host: str = "127.0.0.1") -> int:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family) as probe:
        probe.bind((host, 0))
        return probe.getsockname()[1]


def prepare(env: dict, code: str = "") -> None:
    """What ``flask db upgrade`` does (and ``code`` after it, in the app's context), in one
    process: each start of the application costs seconds."""
    script = ("from flask_migrate import upgrade\nfrom intranet import create_app\n"
              "app = create_app()\nwith app.app_context():\n    upgrade()\n"
              + "".join(f"    {line}\n" for line in code.splitlines()))
    done = subprocess.run([sys.executable, "-c", script], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]


def wait_for(process: subprocess.Popen, host: str, port: int, what: str) -> None:
    deadline = time.monotonic() + 30
    while True:
        try:
            with socket.create_connection((host, port), timeout=0.5):
                return
        except OSError:
            assert time.monotonic() < deadline, f"{what} did not start"
            assert process.poll() is None, f"{what} stopped"
            time.sleep(0.1)


@contextmanager
def running(command: list[str], *, env: dict, port: int, what: str, host: str = "127.0.0.1",
            cwd: Path = ROOT):
    """``command`` started in a process group of its own, until the block ends."""
    process = subprocess.Popen(command, cwd=cwd, env=env, start_new_session=True)
    try:
        wait_for(process, host, port, what)
        yield process
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def gunicorn(port: int, workers: int = 1, *extra: str) -> list[str]:
    return [str(BIN / "gunicorn"), "-w", str(workers), "-b", f"127.0.0.1:{port}",
            "--log-level", "warning", *extra, "wsgi:app"]
