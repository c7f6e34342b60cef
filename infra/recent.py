"""A small in-process memory of recent answers: bounded in size and in age."""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from typing import Generic, TypeVar

T = TypeVar("T")


class Recent(Generic[T]):
    """Up to ``size`` values, each forgotten ``ttl_s`` seconds after it was put; the least
    recently put goes first when full. Safe to share between threads."""

    def __init__(self, *, size: int, ttl_s: float, clock: Callable[[], float] = time.monotonic) -> None:
        self._size, self._ttl_s, self._clock = size, ttl_s, clock
        self._items: OrderedDict[str, tuple[float, T]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: str) -> T | None:
        with self._lock:
            found = self._items.get(key)
            if found is None:
                return None
            if self._clock() >= found[0]:
                del self._items[key]
                return None
            return found[1]

    def put(self, key: str, value: T) -> None:
        with self._lock:
            self._items.pop(key, None)
            self._items[key] = (self._clock() + self._ttl_s, value)
            while len(self._items) > self._size:
                self._items.popitem(last=False)
