"""Views caught up or rebuilt in several processes at once, a few views each.

Each view keeps its own tracking position and commits its rows with it, so a runner over some
of the views is as exact as one over all of them; processes only add CPUs to the work (a
runner is bound by Python, one core, while PostgreSQL has the others). Each process reads and
decodes the log itself. On the embedded store there is one writer at a time: use one process.
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Sequence
from typing import Any

from infra.settings import Settings

# What each view costs to catch up, measured alone over a bulk log of 60,516 events
# (bench/_bulk.py): tenths of a second beyond reading and decoding the log
# (docs/performance.md). EPCIS maps and hashes every event it follows: it weighs as much as
# all the others together, so with two processes it is best alone (it was dealt with stock
# and books, and that process took the longest by far).
WEIGHTS = {"epcis": 155, "books": 34, "stock": 18, "trace": 13, "earnings": 2, "orders": 1,
           "supply": 1}


def groups(names: Sequence[str], processes: int) -> list[list[str]]:
    """``names`` dealt to at most ``processes`` groups: heaviest first, each to the group
    that weighs least so far (the first of equals), so the busiest group is as light as it
    can be made this way; a view not weighed counts as the heaviest."""
    heaviest = max(WEIGHTS.values())
    ordered = sorted(names, key=lambda n: -WEIGHTS.get(n, heaviest))  # stable: equals keep order
    dealt: list[list[str]] = [[] for _ in range(max(1, min(processes, len(ordered))))]
    loads = [0] * len(dealt)
    for name in ordered:
        least = loads.index(min(loads))
        dealt[least].append(name)
        loads[least] += WEIGHTS.get(name, heaviest)
    return dealt


def catch_up(settings: Settings, *, store_env: dict[str, str], schema: str,
             names: Sequence[str], processes: int) -> int:
    """Catch the named views up to the log, each group in a process; answers the events the
    busiest group covered."""
    return max(_run("catch_up", settings, store_env, schema, names, processes).values())


def rebuild(settings: Settings, *, store_env: dict[str, str], schema: str,
            names: Sequence[str], processes: int) -> dict[str, int]:
    """Rebuild the named views beside the live ones and swap them in, each group in a
    process; answers the position of each swapped-in view."""
    return _run("rebuild", settings, store_env, schema, names, processes)


def _run(work: str, settings: Settings, store_env: dict[str, str], schema: str,
         names: Sequence[str], processes: int) -> dict[str, int]:
    jobs = [(work, settings, store_env, schema, group) for group in groups(names, processes)]
    with multiprocessing.get_context("spawn").Pool(len(jobs)) as pool:
        answers = pool.starmap(_work, jobs)
    return {k: v for answer in answers for k, v in answer.items()}


def _work(work: str, settings: Settings, store_env: dict[str, str], schema: str,
          group: list[str]) -> dict[str, int]:
    from infra.application import StoredGongxiao
    from infra.views import build_views

    # The store's tables exist (the log is being read); processes starting together would
    # otherwise race to create them again.
    app: Any = StoredGongxiao(env={**store_env, "CREATE_TABLE": "n"})
    views = build_views(settings, schema=schema)
    try:
        if work == "rebuild":
            return {name: views.rebuild(app, name)[name] for name in group}
        done = views.runner(app, names=group).catch_up()
        return {name: done for name in group}
    finally:
        views.close()
        app.close()
