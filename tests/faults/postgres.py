"""A PostgreSQL server of the fault suite's own: ``initdb`` in a temporary folder, its own free
port, stopped (``-m fast``), crashed (``-m immediate``) and started again on the same data by
the tests, so the shared cluster never sees an outage.

Run as the ``postgres`` user when we are root (as ``infra/services/postgres.sh`` does), with
trust authentication on 127.0.0.1 only and ``fsync=off``: the data lives as long as the session.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import uuid
from pathlib import Path

import psycopg

from tests.conftest import unavailable

ROLE = "gongxiao"


class ThrowawayPostgres:
    def __init__(self, root: Path, port: int) -> None:
        self.root, self.port = root, port
        self.data, self.log = root / "data", root / "postgres.log"
        self.bin = _binaries()

    def create(self) -> ThrowawayPostgres:
        if os.geteuid() == 0:  # initdb refuses root; the folder must be the server user's
            shutil.chown(self.root, user="postgres", group="postgres")
        self._run("initdb", "-D", str(self.data), "-U", ROLE, "--auth=trust", "-E", "UTF8",
                  "--locale=C.UTF-8", "--no-instructions")
        with (self.data / "postgresql.conf").open("a") as conf:
            conf.write(f"port = {self.port}\nlisten_addresses = '127.0.0.1'\n"
                       f"unix_socket_directories = '{self.root}'\n"
                       "fsync = off\nfull_page_writes = off\nmax_connections = 200\n")
        return self

    def start(self) -> None:
        self._run("pg_ctl", "-D", str(self.data), "-l", str(self.log), "-w", "-t", "60", "start")

    def stop(self, mode: str = "fast") -> None:
        """``fast``: clients are cut and the server shuts down cleanly; ``immediate``: it
        stops dead, as in a crash, and recovers from its WAL on the next start."""
        self._run("pg_ctl", "-D", str(self.data), "-m", mode, "-w", "-t", "60", "stop")

    def url(self, database: str = "postgres") -> str:
        return f"postgresql://{ROLE}@127.0.0.1:{self.port}/{database}"

    def new_database(self) -> str:
        """A database of a test's own; answers its URL."""
        name = f"faults_{uuid.uuid4().hex[:10]}"
        with psycopg.connect(self.url(), autocommit=True) as conn:
            conn.execute(f"CREATE DATABASE {name}")
        return self.url(name)

    def _run(self, program: str, *args: str) -> None:
        command = [str(self.bin / program), *args]
        if os.geteuid() == 0:
            command = ["runuser", "-u", "postgres", "--", *command]
        done = subprocess.run(command, cwd="/", capture_output=True, text=True, timeout=120)
        if done.returncode != 0:
            log = self.log.read_text()[-2000:] if self.log.exists() else ""
            raise RuntimeError(f"{program} {' '.join(args)} failed ({done.returncode}):\n"
                               f"{done.stdout}{done.stderr}{log}")


def _binaries() -> Path:
    """The newest PostgreSQL's server programs (Debian keeps them off the PATH)."""
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"),
                   key=lambda p: int(p.parent.parent.name) if p.parent.parent.name.isdigit() else 0)
    if found:
        return found[-1].parent
    if initdb := shutil.which("initdb"):
        return Path(initdb).parent
    unavailable("initdb is not installed: the fault suite makes a PostgreSQL server of its own "
                "(make test installs Debian's postgresql via infra/services/postgres.sh)")
