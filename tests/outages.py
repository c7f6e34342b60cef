"""Outages a test can cause on its own connections, never on the shared servers: backends
terminated (as a PostgreSQL restart does to them), and a server that accepts connections
and never answers."""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from collections.abc import Callable
from urllib.parse import urlsplit, urlunsplit

import psycopg


def terminate_backends(database_url: str, application: str = "gongxiao views %") -> set[str]:
    """Terminate the connections to the test's own database whose application name is
    like ``application``; answers their names."""
    with psycopg.connect(database_url, autocommit=True) as conn:
        rows = conn.execute("SELECT application_name, pg_terminate_backend(pid) "
                            "FROM pg_stat_activity WHERE datname = current_database() "
                            "AND application_name LIKE %s AND pid <> pg_backend_pid()",
                            (application,)).fetchall()
    return {name for name, _ in rows}


def wait_until(check: Callable[[], bool], *, timeout: float, what: str) -> float:
    """Poll ``check`` until it holds; answers the seconds it took, fails after ``timeout``."""
    started = time.monotonic()
    while not check():
        if time.monotonic() - started > timeout:
            raise AssertionError(f"not within {timeout} s: {what}")
        time.sleep(0.1)
    return time.monotonic() - started


class Switch:
    """A TCP forwarder in front of a PostgreSQL server: ``hang()`` drops every connection
    made through it and from then on accepts new ones and never answers (a database host
    that hangs, the worst case for a client's timeouts); ``forward()`` mends it, and ``heal()``
    mends it for new connections only (a network partition that heals: the connections made
    meanwhile never hear back)."""

    def __init__(self, database_url: str) -> None:
        parts = urlsplit(database_url)
        self.upstream = (parts.hostname or "127.0.0.1", parts.port or 5432)
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(64)
        port = self.sock.getsockname()[1]
        self.url = urlunsplit(parts._replace(netloc=parts.netloc.replace(
            f"{parts.hostname}:{parts.port}", f"127.0.0.1:{port}")))
        self.hanging = False
        self.open: list[socket.socket] = []
        self.lock = threading.Lock()
        threading.Thread(target=self._accept, daemon=True).start()

    def hang(self) -> None:
        with self.lock:
            self.hanging = True
            for conn in self.open:
                with contextlib.suppress(OSError):
                    conn.shutdown(socket.SHUT_RDWR)  # wakes the pipes blocked on it
                conn.close()
            self.open.clear()

    def forward(self) -> None:
        self.hang()  # the held ones go too: a mended server has none of them
        with self.lock:
            self.hanging = False

    def heal(self) -> None:
        with self.lock:
            self.hanging = False

    def close(self) -> None:
        self.hang()
        self.sock.close()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self.sock.accept()
            except OSError:
                return
            with self.lock:
                self.open.append(client)
                if self.hanging:
                    continue
                server = socket.create_connection(self.upstream)
                self.open.append(server)
            for a, b in ((client, server), (server, client)):
                threading.Thread(target=_pipe, args=(a, b), daemon=True).start()


def _pipe(source: socket.socket, sink: socket.socket) -> None:
    try:
        while data := source.recv(65536):
            sink.sendall(data)
    except OSError:
        pass
    for end in (source, sink):
        with contextlib.suppress(OSError):
            end.shutdown(socket.SHUT_RDWR)
