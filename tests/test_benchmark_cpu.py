"""``benchmarks/signed_in.py`` reads the CPU time of the gunicorn serving a page (its process
group: the master and its workers) from /proc around each measurement: what a worker of the
group computes is counted, what a process outside the group computes is not."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import pytest

from benchmarks.signed_in import TICK_MS, server_ticks

# 0.4 s of computing, then asleep (still in /proc, so its time can be read)
BUSY = ("import time\nend = time.process_time() + 0.4\n"
        "while time.process_time() < end: pass\ntime.sleep(20)\n")
# a group leader that starts a busy worker after a second, as gunicorn's master does
LEADER = ("import subprocess, sys, time\ntime.sleep(1)\n"
          f"subprocess.Popen([sys.executable, '-c', {BUSY!r}])\ntime.sleep(20)\n")


def _group_only(group: int) -> float:
    """The group's CPU milliseconds, PostgreSQL's (also counted by server_ticks) left out."""
    return (server_ticks(group) - server_ticks(-1)) * TICK_MS


@pytest.mark.skipif(not os.path.isdir("/proc/self"), reason="/proc (Linux) only")
def test_a_busy_worker_of_the_group_counts_and_a_stranger_does_not():
    leader = subprocess.Popen([sys.executable, "-c", LEADER], start_new_session=True)
    stranger = subprocess.Popen([sys.executable, "-c", BUSY])   # this test's own group
    try:
        time.sleep(0.5)
        started = _group_only(leader.pid)     # a new session: its group is the leader's pid
        time.sleep(2.5)                       # the worker has computed and sleeps
        counted = _group_only(leader.pid) - started
        # the worker's 0.4 s (and its start), not the stranger's
        assert 300 <= counted < 750, counted
    finally:
        os.killpg(leader.pid, signal.SIGKILL)     # the leader and its worker
        stranger.kill()
        leader.wait()
        stranger.wait()
