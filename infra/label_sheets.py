"""Packing-run label sheets: each drawn once, one at a time, off the event loop, and kept.

A sheet is costly (a 2,000-pack PDF took 29.5 s of CPU) and never changes: a run's packs
are fixed when it is packed. So each process keeps the sheets it drew, the most recently used
up to ``keep_bytes`` (64 MiB; measured here, about 2.3 KB a label in the PDF and 7 KB
in the SVG strip: a 2,000-pack run is 4.5 and 13 MiB), draws at most one at a time
in a thread of its own so the event loop goes on answering trace reads, lets requests for a
sheet being drawn wait for that drawing, and refuses (``SheetsBusy``, a 503) a new sheet when
``waiting`` others already wait their turn rather than pile them up.
"""

from __future__ import annotations

import asyncio
from collections import OrderedDict
from collections.abc import Callable, Hashable
from concurrent.futures import ThreadPoolExecutor

from infra.problems import Problem

KEEP_BYTES = 64 * 2**20
WAITING = 3
RETRY_AFTER_S = 30


class LabelSheets:
    def __init__(self, *, keep_bytes: int = KEEP_BYTES, waiting: int = WAITING) -> None:
        self._keep_bytes, self._waiting = keep_bytes, waiting
        self._kept: OrderedDict[Hashable, bytes] = OrderedDict()
        self._drawing: dict[Hashable, asyncio.Future[bytes]] = {}
        self._drawer = ThreadPoolExecutor(max_workers=1, thread_name_prefix="label-sheets")

    async def sheet(self, key: Hashable, draw: Callable[[], bytes]) -> bytes:
        """The sheet of ``key``: kept, being drawn, or drawn now by ``draw``."""
        kept = self._kept.get(key)
        if kept is not None:
            self._kept.move_to_end(key)
            return kept
        drawing = self._drawing.get(key)
        if drawing is None:
            if len(self._drawing) > self._waiting:
                raise SheetsBusy(len(self._drawing))
            drawing = asyncio.get_running_loop().run_in_executor(self._drawer, draw)
            self._drawing[key] = drawing
            drawing.add_done_callback(lambda done: self._drawn(key, done))
        # Shielded: a caller who hangs up must not cancel the drawing the others wait for.
        return await asyncio.shield(drawing)

    def close(self) -> None:
        self._drawer.shutdown(wait=False, cancel_futures=True)

    def _drawn(self, key: Hashable, done: asyncio.Future[bytes]) -> None:
        del self._drawing[key]
        if done.cancelled() or done.exception() is not None:
            return
        sheet = done.result()
        if len(sheet) > self._keep_bytes:
            return
        self._kept[key] = sheet
        while sum(len(s) for s in self._kept.values()) > self._keep_bytes:
            self._kept.popitem(last=False)


class SheetsBusy(Problem):
    """Other sheets are being drawn or wait their turn: 503, ask again later."""

    def __init__(self, drawing: int) -> None:
        super().__init__(503, f"{drawing} label sheets are being drawn or wait their turn; "
                              f"ask again in {RETRY_AFTER_S} s", slug="label-sheets-busy",
                         headers={"Retry-After": str(RETRY_AFTER_S)}, retry_after_s=RETRY_AFTER_S)
