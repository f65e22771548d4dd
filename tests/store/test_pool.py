"""PostgresStore's connection pool on the real embedded Postgres: calls at once get a connection each,
a call that cannot get one within its limit fails clearly, and ``close`` is safe while a call runs."""

from __future__ import annotations

import threading

import psycopg
import pytest

from medrag_core.errors import StoreUnavailable
from medrag_core.store import ParallelReads, PostgresStore


def _in_thread(fn) -> tuple[threading.Thread, list]:
    out: list = []
    thread = threading.Thread(target=lambda: out.append(fn()))
    thread.start()
    return thread, out


def test_calls_at_once_use_a_connection_each_and_keep_them(pg_conninfo):
    store = PostgresStore(pg_conninfo, pool_size=2)
    assert isinstance(store, ParallelReads) and store.max_parallel_reads == 2
    both_inside = threading.Barrier(2, timeout=30)  # one connection would never let the second call in

    def backend_pid(conn: psycopg.Connection) -> int:
        both_inside.wait()
        return conn.execute("SELECT pg_backend_pid()").fetchone()[0]

    try:
        (t1, pid1), (t2, pid2) = (_in_thread(lambda: store._run(backend_pid)) for _ in range(2))
        t1.join(), t2.join()
        assert pid1 and pid2 and pid1[0] != pid2[0]
        later = {store._run(lambda c: c.execute("SELECT pg_backend_pid()").fetchone()[0]) for _ in range(4)}
        assert later <= {pid1[0], pid2[0]}  # pooled, not reconnected
    finally:
        store.close()


def test_a_call_that_gets_no_connection_within_its_limit_fails_clearly(pg_conninfo):
    store = PostgresStore(pg_conninfo, pool_size=1, timeout_s=1.0)
    inside, release = threading.Event(), threading.Event()

    def hold(conn: psycopg.Connection) -> int:
        inside.set()
        release.wait(30)
        return 1

    holder, _ = _in_thread(lambda: store._run(hold, limited=False))
    try:
        assert inside.wait(30)
        with pytest.raises(StoreUnavailable, match="did not answer within 1 s"):
            store.count()
    finally:
        release.set()
        holder.join()
    assert store.count() >= 0  # the connection is free again
    store.close()


def test_close_while_a_call_runs(pg_conninfo):
    store = PostgresStore(pg_conninfo, pool_size=2)
    inside, release = threading.Event(), threading.Event()
    used: list[psycopg.Connection] = []

    def hold(conn: psycopg.Connection) -> int:
        used.append(conn)
        inside.set()
        release.wait(30)
        return conn.execute("SELECT 7").fetchone()[0]

    holder, result = _in_thread(lambda: store._run(hold))
    assert inside.wait(30)
    store.close()
    release.set()
    holder.join()
    assert result == [7]  # the running call finished on its connection
    assert used[0].closed  # and gave it up, since the store was closed meanwhile
    assert store.count() >= 0  # a later call connects again
    store.close()


def test_pool_size_must_be_positive(pg_conninfo):
    with pytest.raises(ValueError, match="pool_size"):
        PostgresStore(pg_conninfo, pool_size=0)
