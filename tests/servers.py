"""``gongxiao serve`` started by a test as its own process: ready when /healthz answers,
stopped as an operator stops it (SIGTERM, then SIGKILL if it hangs)."""

from __future__ import annotations

import subprocess
import time
from pathlib import Path

import httpx
import pytest


def wait_ready(server: subprocess.Popen[bytes], url: str, log: Path, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            pytest.fail(f"`gongxiao serve` exited with {server.returncode} before it was ready:\n"
                        f"{log.read_text()[-3000:]}", pytrace=False)
        try:
            if httpx.get(f"{url}/healthz", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    pytest.fail(f"`gongxiao serve` did not answer /healthz within {timeout} s:\n"
                f"{log.read_text()[-3000:]}", pytrace=False)


def stop(server: subprocess.Popen[bytes], timeout: float = 20) -> None:
    server.terminate()
    try:
        server.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait()


def running(pid: int) -> bool:
    """Whether a process runs (a zombie waiting for its parent to reap it does not)."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except FileNotFoundError:
        return False
