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

# Heaviest first, dealt round-robin: stock, trace and epcis follow every pack, the others a few events.
WEIGHT_ORDER = ("stock", "trace", "epcis", "earnings", "orders", "supply", "books")


def groups(names: Sequence[str], processes: int) -> list[list[str]]:
    """``names`` dealt to at most ``processes`` groups, the heaviest views apart."""
    ordered = sorted(names, key=lambda n: WEIGHT_ORDER.index(n) if n in WEIGHT_ORDER else 99)
    dealt: list[list[str]] = [[] for _ in range(max(1, min(processes, len(ordered))))]
    for i, name in enumerate(ordered):
        dealt[i % len(dealt)].append(name)
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
