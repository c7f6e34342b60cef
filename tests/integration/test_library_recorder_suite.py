"""The event store library's own recorder test cases, run against our recorders and factory
(``infra.recorders``) with our settings: what the library promises of its recorders holds of
ours. On PostgreSQL with a pool of one connection, as the library's own suite runs (ours
once waited for a second one while creating its tables, until the pool gave up).

Every case of the library's application, aggregate, process and tracking recorders and of
its factory runs; none is left out. (The library's own suite also runs them with
``POSTGRES_ENABLE_DB_FUNCTIONS``: we refuse that setting, see ``test_store_settings``.)"""

from __future__ import annotations

import unittest
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from eventsourcing.persistence import AggregateRecorder, ApplicationRecorder
from eventsourcing.postgres import PostgresProcessRecorder, PostgresTrackingRecorder
from eventsourcing.sqlite import SQLiteDatastore
from eventsourcing.tests import persistence as library
from eventsourcing.utils import Environment

from infra.recorders import PostgresRecorder, PostgresSnapshots, PostgresStore, SQLiteRecorder


@pytest.mark.postgres
class OnPostgres(unittest.TestCase):
    """Each case on a fresh schema, through our factory and our settings, one connection."""

    env: Environment
    factory: PostgresStore

    @pytest.fixture(autouse=True)
    def _store(self, pg_env: dict[str, str]) -> Iterator[None]:
        self.env = Environment("Gongxiao", {**pg_env, "POSTGRES_POOL_SIZE": "1",
                                            "POSTGRES_MAX_OVERFLOW": "0"})
        self.factory = PostgresStore(self.env)
        yield
        self.factory.close()


class TestApplicationRecorderOnPostgres(OnPostgres, library.ApplicationRecorderTestCase):
    def create_recorder(self) -> ApplicationRecorder:
        recorder = self.factory.application_recorder()
        assert isinstance(recorder, PostgresRecorder)
        return recorder


class TestSnapshotRecorderOnPostgres(OnPostgres, library.AggregateRecorderTestCase):
    def create_recorder(self) -> AggregateRecorder:
        recorder = self.factory.aggregate_recorder("snapshots")
        assert isinstance(recorder, PostgresSnapshots)
        return recorder


class TestProcessRecorderOnPostgres(OnPostgres, library.ProcessRecorderTestCase):
    def create_recorder(self) -> Any:
        return self.factory.process_recorder()


class TestTrackingRecorderOnPostgres(OnPostgres, library.TrackingRecorderTestCase):
    def create_recorder(self) -> Any:
        return self.factory.tracking_recorder()


class TestNotificationIdsDoNotInterleaveOnPostgres(
        OnPostgres, library.NonInterleavingNotificationIDsBaseCase):
    def create_recorder(self) -> ApplicationRecorder:
        return self.factory.application_recorder()


class OurTracking(PostgresTrackingRecorder):
    pass


class TestFactoryOnPostgres(OnPostgres, library.InfrastructureFactoryTestCase[PostgresStore]):
    def expected_factory_class(self) -> type[PostgresStore]:
        return PostgresStore

    def expected_aggregate_recorder_class(self) -> type[AggregateRecorder]:
        return PostgresSnapshots

    def expected_application_recorder_class(self) -> type[ApplicationRecorder]:
        return PostgresRecorder

    def expected_tracking_recorder_class(self) -> type[Any]:
        return PostgresTrackingRecorder

    def tracking_recorder_subclass(self) -> type[Any]:
        return OurTracking

    def expected_process_recorder_class(self) -> type[Any]:
        return PostgresProcessRecorder

    def setUp(self) -> None:
        self.env["PERSISTENCE_MODULE"] = "infra.recorders:PostgresStore"
        super().setUp()


class TestApplicationRecorderOnSQLite(library.ApplicationRecorderTestCase):
    @pytest.fixture(autouse=True)
    def _file(self, tmp_path: Path) -> None:
        self.db_name = str(tmp_path / "events.db")

    def create_recorder(self) -> ApplicationRecorder:
        recorder = SQLiteRecorder(SQLiteDatastore(db_name=self.db_name, lock_timeout=10))
        recorder.create_table()
        return recorder
