"""The real broker for the Kafka workers: topics of a test's own, worker processes, reading back.

Every test gets topics and groups named after a fresh run id, so tests never see each
other's messages; worker processes run against the test's PostgreSQL schema and are killed
when the test ends. Every wait is bounded.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from kafka import KafkaAdminClient, KafkaConsumer, TopicPartition

from infra.application import StoredGongxiao
from infra.idempotency import Replies
from infra.kafka_clients import group_consumer, reliable_producer
from infra.kafka_events import previous_of
from infra.settings import Settings, Topics
from infra.views import ReadModels, build_views
from tests.district import seed
from workers.scans import ScanIntake

if TYPE_CHECKING:  # fed.py reads topics with this module's helpers: imported when used
    from tests.integration.kafka.fed import Worker

ROOT = Path(__file__).resolve().parents[3]
TIMEOUT_S = 60
MAIN = "import sys; from api.cli import main; sys.exit(main(sys.argv[1:]))"


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "kafka_outage: stops and starts the shared local broker")


@dataclass(frozen=True)
class Record:
    partition: int
    offset: int
    key: str | None
    value: Any
    previous: int | None = None


@pytest.fixture
def run_id() -> str:
    return uuid.uuid4().hex[:10]


@pytest.fixture
def make_topic(kafka_bootstrap: str, run_id: str) -> Iterator[Callable[..., str]]:
    """Create topics named for this test; they are deleted afterwards."""
    made: list[str] = []

    def make(name: str, partitions: int = 3) -> str:
        topic = f"test.{run_id}.{name}"
        with _admin(kafka_bootstrap) as admin:
            admin.create_topics({topic: {"num_partitions": partitions, "replication_factor": 1}},
                                timeout_ms=10_000, wait_for_metadata=True)
        made.append(topic)
        return topic

    yield make
    with _admin(kafka_bootstrap) as admin:  # a new client: the test may have restarted the broker
        admin.delete_topics(made, timeout_ms=10_000, raise_errors=False)


@contextmanager
def _admin(bootstrap: str) -> Iterator[KafkaAdminClient]:
    admin = KafkaAdminClient(bootstrap_servers=bootstrap, request_timeout_ms=10_000)
    try:
        yield admin
    finally:
        admin.close()


@pytest.fixture
def pg_app(pg_env: dict[str, str]) -> Iterator[StoredGongxiao]:
    app = StoredGongxiao(env=pg_env)
    yield app
    app.close()


@pytest.fixture
def spawn(pg_env: dict[str, str], postgres_url: str,
          kafka_bootstrap: str) -> Iterator[Callable[..., subprocess.Popen[bytes]]]:
    """Start ``gongxiao worker NAME ARGS…`` on this test's schema; all are killed at the end."""
    started: list[subprocess.Popen[bytes]] = []
    env = dict(os.environ, GONGXIAO_DATABASE_URL=postgres_url, POSTGRES_SCHEMA=pg_env["POSTGRES_SCHEMA"],
               GONGXIAO_KAFKA_BOOTSTRAP=kafka_bootstrap, PYTHONUNBUFFERED="1")

    def start(name: str, *args: str, log: Path | None = None) -> subprocess.Popen[bytes]:
        out = open(log, "ab") if log else subprocess.DEVNULL  # noqa: SIM115 - closed with the process
        process = subprocess.Popen([sys.executable, "-c", MAIN, "worker", name, *args],
                                   cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
        started.append(process)
        return process

    yield start
    for process in started:
        if process.poll() is None:
            process.kill()
        process.wait(timeout=TIMEOUT_S)


@pytest.fixture
def scan_topics(make_topic: Callable[..., str]) -> Topics:
    return Topics(events=make_topic("events"), scans=make_topic("scans"),
                  rejected=make_topic("rejected", partitions=1))


@pytest.fixture
def running_intake(pg_app: StoredGongxiao, kafka_bootstrap: str, scan_topics: Topics,
                   run_id: str) -> Iterator[ScanIntake]:
    with running_scans(pg_app, kafka_bootstrap, scan_topics, run_id) as intake:
        yield intake


@contextmanager
def running_scans(app: StoredGongxiao, kafka_bootstrap: str, scan_topics: Topics,
                  run_id: str) -> Iterator[ScanIntake]:
    """The scan intake of ``app`` (seeded with the test district) in a thread, until the block ends."""
    seed(app)
    intake = ScanIntake(app=app, replies=Replies(app.recorder), topics=scan_topics,
                        consumer=lambda: group_consumer(kafka_bootstrap, group_id=f"scans-{run_id}",
                                                        client_id="test-scans"),
                        producer=lambda: reliable_producer(kafka_bootstrap, client_id="test-scans"))
    stop = threading.Event()
    thread = threading.Thread(target=intake.run, args=(stop,))
    thread.start()
    try:
        yield intake
    finally:
        stop.set()
        thread.join(timeout=30)
    assert not thread.is_alive(), "scan intake did not stop"


def read_topic(bootstrap: str, topic: str, *, timeout_s: float = TIMEOUT_S) -> list[Record]:
    """Everything in ``topic`` now, per partition in offset order."""
    consumer = KafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False,
                             request_timeout_ms=15_000)
    try:
        partitions = [TopicPartition(topic, p) for p in sorted(consumer.partitions_for_topic(topic))]
        consumer.assign(partitions)
        consumer.seek_to_beginning(*partitions)
        ends = consumer.end_offsets(partitions)
        records: list[Record] = []
        deadline = time.monotonic() + timeout_s
        while any(consumer.position(tp) < ends[tp] for tp in partitions):
            assert time.monotonic() < deadline, f"could not read {topic} to its end in {timeout_s} s"
            for tp, batch in consumer.poll(timeout_ms=500).items():
                records += [Record(tp.partition, r.offset, r.key and r.key.decode(),
                                   json.loads(r.value), previous_of(r.headers)) for r in batch]
        return sorted(records, key=lambda r: (r.partition, r.offset))
    finally:
        consumer.close(autocommit=False)


def wait_for(condition: Callable[[], Any], what: str, *, timeout_s: float = TIMEOUT_S,
             every_s: float = 0.2) -> Any:
    deadline = time.monotonic() + timeout_s
    while not (answer := condition()):
        assert time.monotonic() < deadline, f"timed out after {timeout_s} s waiting for {what}"
        time.sleep(every_s)
    return answer


@pytest.fixture
def start_worker(pg_app: StoredGongxiao, kafka_bootstrap: str, run_id: str,
                 views_of: Callable[[], ReadModels]) -> Iterator[Callable[..., Worker]]:
    """Start workers of one group on a topic; every one is halted when the test ends."""
    from tests.integration.kafka.fed import Worker

    started: list[Worker] = []

    def start(topic: str, **options: Any) -> Worker:
        started.append(Worker(pg_app, views_of(), kafka_bootstrap, topic, f"views-{run_id}",
                              **options))
        return started[-1]

    yield start
    for worker in started:
        worker.halt()


@pytest.fixture
def views_of(pg_env: dict[str, str], postgres_url: str, tmp_path: Path) -> Iterator[Callable[[], ReadModels]]:
    """Views in the test's schema, one object per worker, as separate processes would have."""
    made: list[ReadModels] = []
    settings = Settings(database_url=postgres_url, kafka_bootstrap=None, var_dir=tmp_path)

    def make() -> ReadModels:
        made.append(build_views(settings, schema=pg_env["POSTGRES_SCHEMA"]))
        return made[-1]

    yield make
    for views in made:
        views.close()
