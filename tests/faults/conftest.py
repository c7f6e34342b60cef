"""Servers and processes of the fault suite's own.

One PostgreSQL (``initdb``) and one Kafka broker per session, on free ports and in temporary
folders, which the tests stop, crash and kill; each test gets a database of its own with the
district seeded and an operator token, and starts ``gongxiao serve`` and the workers as an
operator would, every process killed when the test ends.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from kafka import KafkaAdminClient

from infra.application import StoredGongxiao
from infra.settings import Settings, Topics
from infra.tokens import Tokens
from tests.district import seed
from tests.faults.broker import ThrowawayBroker
from tests.faults.checks import Ledger
from tests.faults.postgres import ThrowawayPostgres
from tests.servers import free_port, running, stop, wait_ready

GONGXIAO = str(Path(sys.executable).with_name("gongxiao"))
UNLIMITED = "1000000/minute"  # the load comes from one address; the rate limit is not on trial


@pytest.fixture(scope="session")
def throwaway_postgres() -> Iterator[ThrowawayPostgres]:
    root = Path(tempfile.mkdtemp(prefix="gongxiao-faults-pg-"))
    server = ThrowawayPostgres(root, free_port())
    try:
        server.create().start()
        yield server
    finally:
        with contextlib.suppress(RuntimeError):  # a test left it stopped
            server.stop("immediate")
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture(scope="session")
def throwaway_broker() -> Iterator[ThrowawayBroker]:
    run = Path(tempfile.mkdtemp(prefix="gongxiao-faults-kafka-"))
    broker = ThrowawayBroker(run, free_port(), free_port())
    try:
        broker.start()
        yield broker
    finally:
        broker.stop()
        shutil.rmtree(run, ignore_errors=True)


@dataclass(frozen=True)
class District:
    settings: Settings
    token: str  # an operator of the yongan cold store: may post intake scans


@pytest.fixture
def district(throwaway_postgres: ThrowawayPostgres, tmp_path: Path) -> District:
    settings = Settings(database_url=throwaway_postgres.new_database(), kafka_bootstrap=None,
                        var_dir=tmp_path)
    app = seed(StoredGongxiao(env=settings.event_store_env()))
    try:
        return District(settings, Tokens(app.recorder).issue(role="operator", scope="yongan"))
    finally:
        app.close()


@pytest.fixture
def ledger(district: District) -> Iterator[Ledger]:
    ledger = Ledger(district.settings)
    yield ledger
    ledger.close()


class Operator:
    """Starts the project's processes as ``gongxiao …`` commands, each logging to a file."""

    def __init__(self, settings: Settings, logs: Path, bootstrap: str | None) -> None:
        self.logs = logs
        self.started: list[subprocess.Popen[bytes]] = []
        self.orphans: list[int] = []  # processes a killed parent may leave behind
        self.env = {**os.environ, "GONGXIAO_DATABASE_URL": str(settings.database_url),
                    "GONGXIAO_VAR_DIR": str(settings.var_dir), "PYTHONUNBUFFERED": "1",
                    "GONGXIAO_RATE_PER_ADDRESS": UNLIMITED, "GONGXIAO_RATE_PER_TOKEN": UNLIMITED}
        self.env.pop("POSTGRES_SCHEMA", None)
        self.env.pop("GONGXIAO_KAFKA_BOOTSTRAP", None)
        if bootstrap:
            self.env["GONGXIAO_KAFKA_BOOTSTRAP"] = bootstrap

    def serve(self, port: int, *args: str, ready_s: float = 60) -> subprocess.Popen[bytes]:
        """``gongxiao serve --port PORT ARGS…``, once /healthz answers 200."""
        server = self.run("serve", "--port", str(port), *args, log="serve")
        wait_ready(server, f"http://127.0.0.1:{port}", self.log("serve"), timeout=ready_s)
        return server

    def run(self, *command: str, log: str) -> subprocess.Popen[bytes]:
        out = self.log(log).open("ab")
        try:
            process = subprocess.Popen([GONGXIAO, *command], env=self.env, stdout=out,
                                       stderr=subprocess.STDOUT)
        finally:
            out.close()  # the child holds its own copy
        self.started.append(process)
        return process

    def log(self, name: str) -> Path:
        return self.logs / f"{name}.log"

    def tail(self, name: str, lines: int = 30) -> str:
        return "\n".join(self.log(name).read_text(errors="replace").splitlines()[-lines:])

    @staticmethod
    def kill(process: subprocess.Popen[bytes]) -> None:
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=30)

    def close(self) -> None:
        for process in self.started:
            if process.poll() is None:
                stop(process)
        for pid in self.orphans:
            if running(pid):
                os.kill(pid, signal.SIGKILL)


@pytest.fixture
def operator(district: District, tmp_path: Path) -> Iterator[Operator]:
    operator = Operator(district.settings, tmp_path, bootstrap=None)
    yield operator
    operator.close()


@pytest.fixture
def topics(throwaway_broker: ThrowawayBroker) -> Topics:
    """Topics of the test's own, so one test's relay never reads as another's."""
    run = uuid.uuid4().hex[:8]
    made = Topics(events=f"faults.{run}.events", scans=f"faults.{run}.scans",
                  rejected=f"faults.{run}.rejected")
    admin = KafkaAdminClient(bootstrap_servers=throwaway_broker.bootstrap, request_timeout_ms=10_000)
    try:
        admin.create_topics({made.events: {"num_partitions": 3, "replication_factor": 1},
                             made.scans: {"num_partitions": 3, "replication_factor": 1},
                             made.rejected: {"num_partitions": 1, "replication_factor": 1}},
                            timeout_ms=10_000, wait_for_metadata=True)
    finally:
        admin.close()
    return made


@pytest.fixture
def kafka_operator(district: District, throwaway_broker: ThrowawayBroker, topics: Topics,
                   tmp_path: Path) -> Iterator[Operator]:
    operator = Operator(district.settings, tmp_path, bootstrap=throwaway_broker.bootstrap)
    operator.env.update(GONGXIAO_KAFKA_EVENTS_TOPIC=topics.events,
                        GONGXIAO_KAFKA_SCANS_TOPIC=topics.scans,
                        GONGXIAO_KAFKA_REJECTED_TOPIC=topics.rejected)
    yield operator
    operator.close()
