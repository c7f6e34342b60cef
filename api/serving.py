"""``gongxiao serve --workers N``: N API processes on one port, the views kept beside them.

Each worker listens on a socket of its own bound with SO_REUSEPORT, so the kernel deals new
connections evenly among them. With one shared socket (uvicorn's ``--workers``) whichever
process wakes first accepts a burst of keep-alive connections and keeps them: a cold store's
gateways, connected at once, all landed on one process while the other idled. The supervising
process keeps the views up to date (as one ``gongxiao serve`` does in its own process),
starts a worker again if one dies, and stops them all on SIGTERM or SIGINT.
A worker stops by itself when the supervisor is gone, however it ended (``kill -9`` too):
left running, it would take writes that no view follows and hold the port against the
supervisor started in its place (``infra.orphans``).
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import signal
import socket
import threading
import time
from typing import Any

from infra.composition import Composition
from infra.orphans import stop_with
from infra.settings import Settings
from infra.views.runtime import start_in_background

log = logging.getLogger("gongxiao.serve")
SETTLING_S = 5.0  # a worker that dies sooner after its start could not start: stop, do not loop


def serve_workers(settings: Settings, *, host: str, port: int, workers: int) -> int:
    """Run until told to stop; answers the exit status."""
    logging.basicConfig(level=logging.INFO, format="%(levelname)s:     %(message)s")
    try:  # bound alone first: another server on the port, even one sharing it, is refused
        _socket(host, port, shared=False).close()
    except OSError as taken:
        log.error("cannot listen on %s:%d: %s", host, port, taken)
        return 1
    spawn = multiprocessing.get_context("spawn")
    wired = Composition(settings)
    projections = start_in_background(wired.app, wired.views, settings)
    stopping = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stopping.set())
    running: list[tuple[Any, float]] = []
    status = 0
    try:
        for n in range(workers):
            running.append(_start(spawn, host, port, n))
        while not stopping.wait(0.5):
            for n, (process, started) in enumerate(running):
                if process.is_alive():
                    continue
                if time.monotonic() - started < SETTLING_S:
                    log.error("API worker %d could not start (exit %s); stopping", n,
                              process.exitcode)
                    status = 1
                    stopping.set()
                    break
                log.warning("API worker %d exited (%s); starting another", n, process.exitcode)
                running[n] = _start(spawn, host, port, n)
    finally:
        for process, _ in running:
            process.terminate()  # uvicorn's graceful shutdown: answers what it has, then exits
        for process, _ in running:
            process.join(30)
            if process.is_alive():
                process.kill()
                process.join()
        projections.stop()
        wired.close()
    return status


def _start(spawn: Any, host: str, port: int, n: int) -> tuple[Any, float]:
    # Started from the main thread: the parent-death signal follows the thread that forked.
    process = spawn.Process(target=_worker, args=(host, port, os.getpid()),
                            name=f"gongxiao-api-{n}")
    process.start()
    log.info("API worker %d started (pid %s) on %s:%d", n, process.pid, host, port)
    return process, time.monotonic()


def _worker(host: str, port: int, supervisor: int) -> None:
    stop_with(supervisor)
    import uvicorn

    config = uvicorn.Config("api.main:create_worker_app", factory=True, host=host, port=port)
    uvicorn.Server(config).run(sockets=[_socket(host, port, shared=True)])


def _socket(host: str, port: int, *, shared: bool) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    if shared:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    sock.bind((host, port))
    return sock
