"""Servers the tests start as real processes (gunicorn, nginx, PostgreSQL, Redis) or threads
(an SMTP sink): a free port, waiting for it to answer, and stopping it at the end."""
from __future__ import annotations

import glob
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from contextlib import contextmanager
from email import message_from_bytes, policy
from pathlib import Path

from .browser_fixtures import missing_tool

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
            cwd: Path = ROOT, quiet: bool = False):
    """``command`` started in a process group of its own, until the block ends (``quiet``:
    what it prints is thrown away)."""
    process = subprocess.Popen(command, cwd=cwd, env=env, start_new_session=True,
                               stdout=subprocess.DEVNULL if quiet else None)
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


@contextmanager
def postgres():
    """(URL, restart) of a PostgreSQL started for the block (``initdb`` in a temporary folder,
    a free port; run as the ``postgres`` user when the tests run as root, as PostgreSQL refuses
    root). Skipped, saying why, where ``initdb`` is not installed."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb")) or \
        ([shutil.which("initdb")] if shutil.which("initdb") else [])
    if not found:
        missing_tool("initdb n'est pas installé : ce test démarre son propre PostgreSQL")
    binaries = os.path.dirname(found[-1])
    as_user = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
    # Not under pytest's temporary folder: only root may go through it.
    folder = Path(tempfile.mkdtemp(prefix="territoires-pg-"))
    if as_user:
        shutil.chown(folder, "postgres")
    port = free_port()

    def run(*args):
        subprocess.run(as_user + [os.path.join(binaries, args[0]), *args[1:]], check=True,
                       capture_output=True, timeout=60)
    run("initdb", "-D", str(folder), "-A", "trust", "-U", "postgres", "--no-sync", "-E", "UTF8")
    options = f"-p {port} -k {folder} -c listen_addresses=127.0.0.1 -c fsync=off"
    run("pg_ctl", "-D", str(folder), "-o", options, "-w", "-l", str(folder / "log"), "start")
    try:
        yield (f"postgresql://postgres@127.0.0.1:{port}/postgres",
               lambda: run("pg_ctl", "-D", str(folder), "-o", options, "-m", "fast", "-w",
                           "-l", str(folder / "log"), "restart"))
    finally:
        subprocess.run(as_user + [os.path.join(binaries, "pg_ctl"), "-D", str(folder), "-m",
                                  "immediate", "stop"], capture_output=True, timeout=60)
        shutil.rmtree(folder, ignore_errors=True)


@contextmanager
def redis():
    """The URL of a Redis started for the block, keeping nothing on disk. Skipped, saying why,
    where ``redis-server`` is not installed."""
    program = shutil.which("redis-server")
    if program is None:
        missing_tool("redis-server n'est pas installé : "
                     "le partage des limites entre serveurs ne se teste pas ici")
    port = free_port()
    with running([program, "--port", str(port), "--bind", "127.0.0.1", "--save", "",
                  "--appendonly", "no"], env=dict(os.environ), port=port, what="redis", quiet=True):
        yield f"redis://127.0.0.1:{port}/0"


class Sink:
    """An SMTP server's handler that keeps every message it receives: (envelope sender,
    recipients, parsed message)."""

    def __init__(self):
        self.received = []
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            self.received.append((envelope.mail_from, list(envelope.rcpt_tos),
                                  message_from_bytes(envelope.original_content or envelope.content,
                                                     policy=policy.default)))
        return "250 OK"

    def to(self, address):
        return [m for _frm, rcpts, m in self.received if address in rcpts]


class SinkServer:
    """An outbound SMTP server (aiosmtpd) on 127.0.0.1, that can be stopped and started again."""

    def __init__(self, port: int):
        self.port = port
        self.sink = Sink()
        self.controller = None

    def start(self):
        from aiosmtpd.controller import Controller
        self.controller = Controller(self.sink, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self):
        if self.controller is not None:
            self.controller.stop()
            self.controller = None
