"""The workers as the benchmarks run them: ``gongxiao worker NAME`` in a process of its own,
as production starts it, with its peak memory, and the memory of its code at rest to set it
beside (a bare Python importing the worker's module and the PostgreSQL store, doing nothing:
what the worker's work adds shows as the ratio)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from bench._db import peak_rss_mb

MAIN = "from api.cli import main; raise SystemExit(main())"
AT_REST = ("import workers.{name}, eventsourcing.postgres; "
           "print(next(line.split()[1] for line in open('/proc/self/status') "
           "if line.startswith('VmHWM:')))")


def worker_env(url: str, **settings: str) -> dict[str, str]:
    """This environment on the PostgreSQL database ``url``, no broker unless given
    (``GONGXIAO_KAFKA_BOOTSTRAP=…``, ``POSTGRES_SCHEMA=…`` and the like)."""
    env = {**os.environ, "GONGXIAO_DATABASE_URL": url, "PYTHONUNBUFFERED": "1"}
    env.pop("GONGXIAO_KAFKA_BOOTSTRAP", None)
    return {**env, **settings}


def at_rest_mb(name: str) -> float:
    """Peak resident memory of a Python that imports ``workers.NAME`` and the store, in MB."""
    out = subprocess.run([sys.executable, "-c", AT_REST.format(name=name)], check=True,
                         capture_output=True, text=True).stdout
    return int(out) / 1024


class Worker:
    """``gongxiao worker NAME ARGS…`` running for a ``with`` block, then stopped by SIGTERM
    to its own pid (killed if it does not finish its step in time); its output in a log."""

    def __init__(self, name: str, *args: str, env: dict[str, str]) -> None:
        self.name, self.args, self.env = name, args, env
        self.log = Path(tempfile.mkstemp(prefix=f"bench-{name}-", suffix=".log")[1])

    def __enter__(self) -> Worker:
        with self.log.open("w") as log:
            self.process = subprocess.Popen([sys.executable, "-c", MAIN, "worker", self.name,
                                             *self.args], env=self.env, stdout=log, stderr=log)
        return self

    def check(self) -> None:
        """Raise, with the end of its log, if the worker has exited."""
        if self.process.poll() is not None:
            raise RuntimeError(f"gongxiao worker {self.name} exited "
                               f"({self.process.returncode}): {self.log.read_text()[-2000:]}")

    def peak_rss_mb(self) -> float:
        self.check()
        return peak_rss_mb(self.process.pid)

    def __exit__(self, *exc: object) -> None:
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.log.unlink()


def run_once(name: str, *args: str, env: dict[str, str]) -> tuple[float, float, str]:
    """``gongxiao worker NAME ARGS…`` that finishes by itself: seconds (process start
    included), its peak resident memory in MB and what it printed.

    The peak is the process's VmHWM, read until it exits (wait4's ru_maxrss would not do: it
    counts the memory of this process, which the child had before it exec'd)."""
    started = time.perf_counter()
    process = subprocess.Popen([sys.executable, "-c", MAIN, "worker", name, *args], env=env,
                               stdout=subprocess.PIPE, text=True)
    peak = [0.0]

    def watch() -> None:
        while process.poll() is None:
            try:
                peak[0] = max(peak[0], peak_rss_mb(process.pid))
            except (FileNotFoundError, ProcessLookupError, StopIteration):
                return
            time.sleep(0.05)

    watcher = threading.Thread(target=watch, daemon=True)
    watcher.start()
    printed, _ = process.communicate()
    seconds = time.perf_counter() - started
    watcher.join()
    if process.returncode != 0:
        raise RuntimeError(f"gongxiao worker {name} {' '.join(args)} failed: {printed[-2000:]}")
    return seconds, peak[0], printed
