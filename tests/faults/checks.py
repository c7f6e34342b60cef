"""What a test holds the system to after a fault: the ``Ledger`` reads, on connections of the
test's own, which acknowledged batches are in the event store, which reached the trace view,
whether every view caught up with the log and whether the log reached ``gongxiao.events``;
``settle`` waits for such a thing a bounded time; ``Findings`` gathers every way a scenario
went wrong, so one run shows them all."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from typing import Any

import httpx
import psycopg

from domain.batch import Batch
from infra.application import StoredGongxiao
from infra.settings import Settings
from infra.views import ReadModels, build_views
from tests.faults.load import HttpScans
from tests.integration.kafka.conftest import read_topic
from tests.integration.kafka.test_relay import deduplicated, log_by_partition, published

RECOVERY_S = 30  # after a fault is mended, the views have caught up and /healthz says ok
ANSWER_S = 3  # /healthz answers within this, whatever is down
NOTICE_S = 5  # and says what is down once it has been down this long
LOAD_S = 3  # load before a fault and after its recovery


class Ledger:
    def __init__(self, settings: Settings) -> None:
        self.settings, self.url = settings, str(settings.database_url)
        self._app: StoredGongxiao | None = None
        self._views: ReadModels | None = None

    def missing_from_store(self, codes: Iterable[str]) -> list[str]:
        ids = {Batch.create_id(code): code for code in codes}
        with psycopg.connect(self.url) as conn:
            found = {row[0] for row in conn.execute(
                f"SELECT DISTINCT originator_id FROM {self.app.recorder.events_table_name} "
                "WHERE originator_id = ANY(%s)", (list(ids),))}
        return sorted(code for id_, code in ids.items() if id_ not in found)

    def missing_from_trace(self, codes: Iterable[str]) -> list[str]:
        wanted = set(codes)
        with psycopg.connect(self.url) as conn:
            found = {row[0] for row in conn.execute(
                "SELECT batch_code FROM trace_batches WHERE batch_code = ANY(%s)", (list(wanted),))}
        return sorted(wanted - found)

    def views_behind(self) -> dict[str, int]:
        """Events each view has yet to apply (empty when all are caught up)."""
        if self._views is None:
            self._views = build_views(self.settings)
        return {name: lag.events_behind for name, lag in self._views.lag(self.app).items()
                if lag.events_behind}

    def relayed_in_order(self, bootstrap: str, topic: str) -> bool:
        """Every stored event is on the events topic, in log order for its key (at least
        once: a consumer drops the repeats by the previous id each message names)."""
        return (published(self.app, topic) >= (self.app.recorder.max_notification_id() or 0)
                and deduplicated(read_topic(bootstrap, topic)) == log_by_partition(self.app))

    def rejected(self, bootstrap: str, topic: str) -> list[dict[str, Any]]:
        return [r.value for r in read_topic(bootstrap, topic)]

    @property
    def app(self) -> StoredGongxiao:
        if self._app is None:
            self._app = StoredGongxiao(env=self.settings.event_store_env())
        return self._app

    def close(self) -> None:
        if self._views is not None:
            self._views.close()
        if self._app is not None:
            self._app.close()


def settle(condition: Callable[[], Any], *, within_s: float, every_s: float = 0.5) -> Any:
    """Ask ``condition`` until it answers truly or ``within_s`` passed; answers its last answer.
    A database or broker error while asking counts as not yet."""
    deadline = time.monotonic() + within_s
    while True:
        try:
            answer = condition()
        except Exception as error:  # still recovering: ask again
            answer = None if time.monotonic() < deadline else error
        if answer or time.monotonic() >= deadline:
            return answer
        time.sleep(every_s)


class Findings:
    """Every way a scenario went wrong, and when each thing recovered, told together."""

    def __init__(self) -> None:
        self.failed: list[str] = []
        self.timeline: list[str] = []

    def check(self, ok: object, message: str) -> None:
        if not ok:
            self.failed.append(message)

    def settled(self, what: str, condition: Callable[[], Any], *, since: float,
                within_s: float, every_s: float = 0.5) -> Any:
        """``settle`` by ``within_s`` after ``since``, noting when it did."""
        answer = settle(condition, within_s=max(0.0, since + within_s - time.monotonic()),
                        every_s=every_s)
        self.timeline.append(f"{what}: {'+%.1f s' % (time.monotonic() - since) if answer else 'never'}")
        return answer

    def verdict(self) -> None:
        print("timeline:", "; ".join(self.timeline))  # shown with -s or -rA
        assert not self.failed, "\n".join([*self.failed, "timeline: " + "; ".join(self.timeline)])


def check_nothing_lost(findings: Findings, ledger: Ledger, codes: list[str],
                       what: str = "acknowledged scans") -> None:
    lost = ledger.missing_from_store(codes)
    findings.check(not lost, f"{len(lost)} of {len(codes)} {what} are not in the event store: "
                             f"{lost[:5]}")


def check_writes_resume(findings: Findings, load: HttpScans, *, since: float) -> None:
    """Gateways' scans are acknowledged again within ``RECOVERY_S`` of ``since``."""
    taken = len(load.acknowledged)
    findings.check(findings.settled("writes acknowledged again", lambda: len(load.acknowledged) > taken,
                                    since=since, within_s=RECOVERY_S),
                   f"no scan acknowledged after recovery: {load.answers}")


def health(url: str) -> tuple[int, str | None]:
    """What /healthz answers now: its status code and, for a 200, the body's status."""
    answer = httpx.get(f"{url}/healthz", timeout=ANSWER_S)
    return answer.status_code, answer.json().get("status") if answer.status_code == 200 else None


def check_recovered(findings: Findings, ledger: Ledger, url: str, codes: list[str], *,
                    since: float, within_s: float = RECOVERY_S) -> None:
    """By ``within_s`` after ``since`` (the fault mended), every acknowledged batch is in the
    trace view, every view has caught up with the log and /healthz says ok."""
    findings.check(findings.settled("trace view", lambda: not ledger.missing_from_trace(codes),
                                    since=since, within_s=within_s),
                   f"{len(ledger.missing_from_trace(codes))} of {len(codes)} acknowledged batches "
                   f"missing from the trace view {within_s:.0f} s after recovery")
    findings.check(findings.settled("views caught up", lambda: not ledger.views_behind(),
                                    since=since, within_s=within_s),
                   f"views behind the log {within_s:.0f} s after recovery: {ledger.views_behind()}")
    findings.check(findings.settled("/healthz ok", lambda: health(url) == (200, "ok"),
                                    since=since, within_s=within_s),
                   f"/healthz {within_s:.0f} s after recovery: {_answer(url)}")


def _answer(url: str) -> str:
    try:
        answer = httpx.get(f"{url}/healthz", timeout=ANSWER_S)
    except httpx.HTTPError as error:
        return repr(error)
    return f"{answer.status_code} {answer.text[:300]}"
