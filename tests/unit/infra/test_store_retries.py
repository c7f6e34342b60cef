"""When the event store tries a statement once more: only after its connection broke in use
(no answer, or the server ended the session), and then on a renewed pool; never after the
pool had no connection to give or the server refused the statement."""

from __future__ import annotations

from typing import Any

import psycopg
import pytest
from eventsourcing.persistence import OperationalError
from psycopg import errors
from psycopg_pool import PoolTimeout

from infra.store_retries import once_more_if_broken


class Pool:
    drained = 0

    def drain(self) -> None:
        self.drained += 1


def failing(*failures: psycopg.Error) -> Any:
    """A call that fails as the library does (its error raised from the driver's), then answers."""
    left = list(failures)

    def call() -> str:
        if left:
            raise OperationalError("failed") from left.pop(0)
        return "rows"
    return call


@pytest.mark.parametrize("broken", [psycopg.OperationalError("server closed the connection"),
                                    errors.AdminShutdown("terminating connection"),
                                    errors.CrashShutdown("terminating connection")])
def test_a_connection_that_broke_in_use_is_tried_once_more_on_a_renewed_pool(
        broken: psycopg.Error) -> None:
    pool: Any = Pool()
    assert once_more_if_broken(pool, failing(broken)) == "rows"
    assert pool.drained == 1


def test_a_second_break_in_a_row_goes_to_the_caller() -> None:
    pool: Any = Pool()
    with pytest.raises(OperationalError):
        once_more_if_broken(pool, failing(errors.AdminShutdown("x"),
                                          errors.AdminShutdown("x")))


@pytest.mark.parametrize("refused", [PoolTimeout("couldn't get a connection after 2.00 sec"),
                                     errors.LockNotAvailable("lock timeout"),
                                     errors.PipelineAborted("pipeline aborted"),
                                     errors.QueryCanceled("statement timeout")])
def test_no_connection_to_give_or_a_refused_statement_is_not_tried_again(
        refused: psycopg.Error) -> None:
    pool: Any = Pool()
    with pytest.raises(OperationalError):
        once_more_if_broken(pool, failing(refused))
    assert pool.drained == 0
