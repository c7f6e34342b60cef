"""EPCIS capture of a large document on PostgreSQL: 10,000 events are one write of ~20 MB,
larger than the socket buffers, which psycopg's pipeline left half sent (the server waited in
``ClientRead`` for the rest, the client for the server's answer). Captured whole, or nothing
of it."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import psycopg
import pytest
from eventsourcing.persistence import IntegrityError

from domain.partner_event import PartnerEvent
from infra.application import StoredGongxiao

pytestmark = pytest.mark.postgres

EVENTS = 10_000
WAIT_S = 300  # far more than the write takes (seconds); a hung write never ends


def partner_event(i: int) -> dict[str, Any]:
    """A lab's inspecting event of one pack, about 2 KB as stored (what partners send is
    often larger: ILMD, sensor reports)."""
    return {"type": "ObjectEvent", "eventID": f"ni:///sha-256;{i:064x}?ver=CBV2.0",
            "eventTime": "2026-12-01T08:00:00.000+08:00", "eventTimeZoneOffset": "+08:00",
            "action": "OBSERVE", "epcList": [f"https://lab.example/id/pack/P{i:07d}"],
            "bizStep": "inspecting", "readPoint": {"id": "https://lab.example/id/site/1"},
            "lab:report": "residue below the limit " * 70}


def finished(write: Callable[[], Any], store_env: dict[str, str]) -> Any:
    """``write()``'s answer; a write still hanging after WAIT_S fails the test, its server
    connections ended so that nothing is left waiting."""
    outcome: dict[str, Any] = {}

    def run() -> None:
        try:
            outcome["answer"] = write()
        except BaseException as e:  # handed to the test
            outcome["error"] = e

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(WAIT_S)
    if thread.is_alive():
        # The store tries a broken write again on a new connection: end each until it gives up.
        for _ in range(20):
            _end_connections(store_env)
            thread.join(3)
            if not thread.is_alive():
                break
        pytest.fail(f"the write of {EVENTS:,} events hung for {WAIT_S} s")
    if "error" in outcome:
        raise outcome["error"]
    return outcome["answer"]


def _end_connections(store_env: dict[str, str]) -> None:
    with _connect(store_env, autocommit=True) as conn:
        conn.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                     "WHERE application_name = %s",
                     (f"gongxiao events {store_env['POSTGRES_SCHEMA']}",))


def _connect(store_env: dict[str, str], autocommit: bool = False) -> psycopg.Connection[Any]:
    return psycopg.connect(dbname=store_env["POSTGRES_DBNAME"], host=store_env["POSTGRES_HOST"],
                           port=store_env["POSTGRES_PORT"], user=store_env["POSTGRES_USER"],
                           password=store_env["POSTGRES_PASSWORD"], autocommit=autocommit)


def stored_rows(store_env: dict[str, str]) -> int:
    with _connect(store_env) as conn:
        row = conn.execute(f'SELECT COUNT(*) FROM "{store_env["POSTGRES_SCHEMA"]}".gongxiao_events'
                           ).fetchone()
        assert row is not None
        return int(row[0])


@pytest.mark.parametrize("store_env", ["postgres"], indirect=True)
def test_a_document_of_10000_events_is_captured_whole(
        app: StoredGongxiao, store_env: dict[str, str]) -> None:
    events = [partner_event(i) for i in range(EVENTS)]
    job = finished(lambda: app.capture_events(captured_by="site:lab", events=events), store_env)
    assert len(job["new_event_ids"]) == EVENTS
    assert stored_rows(store_env) == EVENTS + 1  # and the capture job
    last = app.find(PartnerEvent.create_id(events[-1]["eventID"]))
    assert last is not None and last.event == events[-1]

    again = finished(lambda: app.capture_events(captured_by="site:lab", events=events), store_env)
    assert again == job  # the same capture job, as first answered; nothing recorded
    assert stored_rows(store_env) == EVENTS + 1


@pytest.mark.parametrize("store_env", ["postgres"], indirect=True)
def test_a_large_write_refused_at_its_last_event_stores_none_of_it(
        app: StoredGongxiao, store_env: dict[str, str]) -> None:
    """The write a capture makes, refused by the store at its very last event (another
    writer stored that event first): not one of the 10,000 is kept."""
    app.capture_events(captured_by="site:lab", events=[partner_event(EVENTS - 1)])
    before = stored_rows(store_env)
    aggregates = [PartnerEvent(event_id=e["eventID"], event=e, captured_by="site:lab",
                               capture_id="c") for e in map(partner_event, range(EVENTS))]
    stored = [app.mapper.to_stored_event(event) for a in aggregates
              for event in a.collect_events()]
    with pytest.raises(IntegrityError):
        finished(lambda: app.recorder.insert_events(stored), store_env)
    assert stored_rows(store_env) == before
    assert app.find(PartnerEvent.create_id(partner_event(0)["eventID"])) is None
