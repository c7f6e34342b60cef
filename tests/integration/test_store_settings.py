"""Settings of the event store the application must survive or refuse: a pool of one
connection, and the library's database functions."""

from __future__ import annotations

import threading

import pytest

from domain.application import Gongxiao
from infra.application import StoredGongxiao
from infra.recorders import DatabaseFunctionsRefused
from tests.district import events, seed

STARTED_WITHIN_S = 30  # the pool gives up waiting for a connection after 10 s


@pytest.mark.postgres
def test_an_application_on_a_pool_of_one_connection_starts_and_records(
        pg_env: dict[str, str]) -> None:
    env = {**pg_env, "POSTGRES_POOL_SIZE": "1", "POSTGRES_MAX_OVERFLOW": "0"}
    outcome: list[object] = []

    def start() -> None:  # in a thread, so a start-up that waits forever fails the test
        try:
            app = StoredGongxiao(env=env)
            try:
                outcome.append(events(seed(app)))
            finally:
                app.close()
        except Exception as error:
            outcome.append(error)

    starting = threading.Thread(target=start, daemon=True)
    starting.start()
    starting.join(STARTED_WITHIN_S)
    assert outcome, f"the application had not started after {STARTED_WITHIN_S} s"
    recorded = outcome[0]
    assert isinstance(recorded, int) and recorded > 0, recorded


@pytest.mark.parametrize("name", ["POSTGRES_ENABLE_DB_FUNCTIONS",
                                  "GONGXIAO_POSTGRES_ENABLE_DB_FUNCTIONS"])
def test_the_database_functions_setting_is_refused_at_construction_and_named(
        name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    # No server is needed: the refusal comes before the first connection.
    monkeypatch.setenv(name, "y")
    env = {"PERSISTENCE_MODULE": "infra.recorders:PostgresStore", "POSTGRES_DBNAME": "none",
           "POSTGRES_HOST": "127.0.0.1", "POSTGRES_PORT": "1", "POSTGRES_USER": "nobody",
           "POSTGRES_PASSWORD": ""}
    with pytest.raises(DatabaseFunctionsRefused, match="POSTGRES_ENABLE_DB_FUNCTIONS") as refused:
        StoredGongxiao(env=env)
    assert "miss events" in str(refused.value)


@pytest.mark.postgres
def test_the_stored_application_reads_the_tables_of_the_name_the_events_were_stored_under(
        pg_env: dict[str, str]) -> None:
    # The library names PostgreSQL's tables (and the GONGXIAO_* settings) after the
    # application's name, so a subclass that took its class name would read empty tables.
    seed(Gongxiao(env=pg_env)).close()
    reopened = StoredGongxiao(env=pg_env)
    try:
        assert reopened.farmer("zhang").name == "张德明"
    finally:
        reopened.close()
