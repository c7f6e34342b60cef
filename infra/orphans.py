"""A child process that stops when the process that started it is gone, however it ended.

``kill -9`` of a supervisor or a relay leaves its children running: an API worker would take
writes no view follows and hold the port against the supervisor started in its place; a log
reader would read for no one. On Linux the kernel tells the child at once
(``PR_SET_PDEATHSIG``; the parent is the thread that started the child, so start children
from the main thread); everywhere, a thread also checks every half second that the parent is
still there, which covers a parent gone before the call too.
"""

from __future__ import annotations

import ctypes
import logging
import os
import signal
import sys
import threading
import time

log = logging.getLogger("gongxiao.orphans")
CHECK_S = 0.5
GRACE_S = 10.0  # for the work in hand after SIGTERM, then exit
PR_SET_PDEATHSIG = 1


def stop_with(parent: int) -> None:
    """SIGTERM this process (a graceful stop) once ``parent`` is gone; exit after
    ``GRACE_S`` if that has not stopped it."""
    if sys.platform.startswith("linux"):
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(CHECK_S)
        log.error("process %d, which started this one, is gone: stopping", parent)
        os.kill(os.getpid(), signal.SIGTERM)
        time.sleep(GRACE_S)
        os._exit(1)

    threading.Thread(target=watch, name="parent-watch", daemon=True).start()
