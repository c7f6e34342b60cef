"""Whether the views keep up: for /healthz, from any process that can read them.

A view behind the log is ``catching_up`` while it moves; it is ``stuck`` when it has stood at
one position, behind, for longer than the threshold — as this process has seen it, and no
longer than the oldest event it lacks has waited (a fresh process cannot call a view stuck
before it has watched it that long). Faults do not stop a view: they are counted beside it.
A view fed from Kafka has no lag behind the log (its lag is its consumer group's): it is shown
``fed_from_kafka`` when it has faults, as is a partition of the events topic with messages
that were not events (``kafka-offset@TOPIC/PARTITION``).
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from typing import Any

from infra.views.runner import Lag

OK, CATCHING_UP, STUCK, FED_FROM_KAFKA = "ok", "catching_up", "stuck", "fed_from_kafka"


@dataclass(frozen=True)
class _Seen:
    position: int
    since: float  # when this process first saw the view there


class ViewsWatch:
    def __init__(self, *, stuck_s: float) -> None:
        self.stuck_s = stuck_s
        self.seen: dict[str, _Seen] = {}
        self.lock = threading.Lock()

    def check(self, lags: dict[str, Lag], faults: dict[str, int]) -> dict[str, Any]:
        """Per view: events and seconds behind, faults, and its state."""
        now = time.monotonic()
        answer = {}
        with self.lock:
            for name, lag in lags.items():
                answer[name] = {"events_behind": lag.events_behind,
                                "seconds_behind": round(lag.seconds_behind, 3),
                                "faults": faults.get(name, 0),
                                "state": self._state(name, lag, now)}
        for name, count in faults.items():
            answer.setdefault(name, {"faults": count, "state": FED_FROM_KAFKA})
        return answer

    def _state(self, name: str, lag: Lag, now: float) -> str:
        if lag.events_behind <= 0:
            self.seen.pop(name, None)
            return OK
        seen = self.seen.get(name)
        if seen is None or seen.position != lag.position:
            seen = self.seen[name] = _Seen(lag.position, now)
        standing = min(now - seen.since, lag.seconds_behind)
        return STUCK if standing > self.stuck_s else CATCHING_UP
