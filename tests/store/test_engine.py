"""SQLite connection settings (store/engine.py)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from sqlalchemy import text

from caseloads.store.engine import make_engine


def test_a_new_sqlite_database_has_16k_pages_and_wal(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'new.db'}")
    try:
        with engine.begin() as conn:
            conn.execute(text("CREATE TABLE t (a INTEGER)"))
        with engine.connect() as conn:
            assert conn.execute(text("PRAGMA page_size")).scalar() == 16384
            assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
    finally:
        engine.dispose()


def test_an_existing_database_keeps_its_page_size(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    with sqlite3.connect(path) as raw:
        raw.execute("CREATE TABLE t (a INTEGER)")
    engine = make_engine(f"sqlite:///{path}")
    try:
        with engine.connect() as conn:
            assert conn.execute(text("PRAGMA page_size")).scalar() == 4096
            assert conn.execute(text("SELECT count(*) FROM t")).scalar() == 0
    finally:
        engine.dispose()


def test_none_is_still_bound_as_null_with_its_adapter_registered(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'n.db'}")
    assert sqlite3.adapters[(type(None), sqlite3.PrepareProtocol)](None) is None
    try:
        with engine.begin() as conn:
            conn.execute(text("CREATE TABLE t (a TEXT, b INTEGER)"))
            raw = conn.connection.dbapi_connection
            assert raw is not None
            raw.cursor().executemany("INSERT INTO t VALUES (?, ?)", [(None, 1), ("x", None)])
        with engine.connect() as conn:
            held = conn.execute(text("SELECT a IS NULL, typeof(a), b IS NULL FROM t ORDER BY b"))
            assert [tuple(r) for r in held] == [(0, "text", 1), (1, "null", 0)]
    finally:
        engine.dispose()
