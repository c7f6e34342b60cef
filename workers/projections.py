"""``gongxiao worker projections``: keep every view up to date from the event log, in its own
process; ``gongxiao projections rebuild [NAME] [--processes N]``: rebuild views beside the
live ones, on PostgreSQL a few views to each of several processes (``infra.views.parallel``);
``gongxiao projections faults [NAME]``: the events a view could not take and went on without.

Several of these may run at once: each batch locks the views' tracking rows, so a second
runner waits and then finds the work done.
"""

from __future__ import annotations

import argparse
import logging
import os
import signal
import sys
import threading
from collections.abc import Sequence

from infra.composition import Composition
from infra.settings import Settings
from infra.views import parallel
from infra.views.runtime import start_in_background
from projections.tables import moment

log = logging.getLogger("gongxiao.projections")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="gongxiao worker projections")
    parser.add_argument("--once", action="store_true", help="catch up, print the lag and exit")
    parser.add_argument("--from", dest="source", choices=("log", "kafka"), default="log",
                        help="kafka: feed the by-aggregate views from gongxiao.events in a "
                             "consumer group shared with other workers (the rest follow the log)")
    args = parser.parse_args(list(argv or []))
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    settings = Settings.from_env()
    wired = Composition(settings)
    app, views = wired.app, wired.views
    try:
        if args.once:
            done = views.runner(app).catch_up()
            print(f"caught up {done} events; lag {views.lag(app)}")
            return 0
        stop = threading.Event()
        for sig in (signal.SIGINT, signal.SIGTERM):
            signal.signal(sig, lambda *_: stop.set())
        running = start_in_background(app, views, settings)
        log.info("following the event log")
        if args.source == "kafka":
            from infra.kafka_projections import feed_from_kafka

            feed_from_kafka(app, views, settings, stop)
        while not stop.wait(60):
            log.info("lag %s", running.lag())
        running.stop()
        return 0
    finally:
        wired.close()


def rebuild(name: str | None = None, *, processes: int | None = None) -> int:
    """Rebuild one view (or every view) from the log and swap it in; reads go on meanwhile.

    On PostgreSQL the views are dealt to ``processes`` processes (default: one per CPU), each
    rebuilding its own; the embedded store takes one writer at a time, so one process there.
    """
    settings = Settings.from_env()
    if processes is None:
        processes = 1 if settings.embedded else os.cpu_count() or 1
    if processes > 1 and settings.embedded:
        print("gongxiao projections rebuild: the embedded store takes one writer at a time; "
              "use --processes 1", file=sys.stderr)
        return 2
    wired = Composition(settings)
    app, views = wired.app, wired.views
    try:
        names = views.chosen(name)
        if min(processes, len(names)) > 1:
            rebuilt = parallel.rebuild(settings, store_env=settings.event_store_env(),
                                       schema="public", names=names, processes=processes)
        else:
            rebuilt = views.rebuild(app, name)
        for view, position in rebuilt.items():
            print(f"rebuilt {view} at event {position}")
        return 0
    except KeyError as unknown:
        print(f"gongxiao projections rebuild: {unknown.args[0]}", file=sys.stderr)
        return 2
    finally:
        wired.close()


def faults(name: str | None = None) -> int:
    """Print the events the views could not take, one a line; the count last."""
    wired = Composition()
    views = wired.views
    try:
        found = views.faults(name)
    except KeyError as unknown:
        print(f"gongxiao projections faults: {unknown.args[0]}", file=sys.stderr)
        return 2
    finally:
        wired.close()
    for f in found:
        when = moment(f["at_us"])
        print(f"{f['name']}\tevent {f['position']}\t{f['topic']}\t{f['originator_id']}\t"
              f"{when.isoformat() if when else ''}\t{f['error']}")
    print(f"{len(found)} fault(s)" + ("; mend the code, then `gongxiao projections rebuild "
                                      "NAME` replays them" if found else ""))
    return 0
