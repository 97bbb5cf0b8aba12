"""Creating engines for the embedded SQLite default and for PostgreSQL (psycopg 3)."""

from __future__ import annotations

import sqlite3
from typing import Any

from sqlalchemy import create_engine, event
from sqlalchemy.engine import Engine, make_url

from caseloads.config import normalise_database_url


def make_engine(url: str) -> Engine:
    """An engine for ``url``. SQLite gets WAL journalling, enforced foreign keys and a busy timeout,
    so that a web server and a command-line import can share the file."""
    full = normalise_database_url(url)
    backend = make_url(full).get_backend_name()
    if backend == "sqlite":
        bind_none_directly()
        engine = create_engine(full, connect_args={"timeout": 30})
        event.listen(engine, "connect", _sqlite_pragmas)
        # Let SQLAlchemy, not pysqlite, issue BEGIN so a whole import is one transaction.
        event.listen(engine, "begin", lambda conn: conn.exec_driver_sql("BEGIN"))
        return engine
    return create_engine(full, pool_pre_ping=True)


def bind_none_directly() -> None:
    """Register ``None -> None`` as the ``sqlite3`` module's adapter for ``None`` (idempotent).

    Python's ``sqlite3`` binds ints, floats and strings as they are, but looks every other value
    up as something to adapt, ``None`` included: finding no adapter, it then asks the type and
    the value for ``__adapt__`` and ``__conform__``, two failed attribute look-ups (each raising
    and clearing an ``AttributeError``) for every NULL bound. With an adapter registered the
    look-up ends at once, and the adapter (``{}.get``, which returns ``None`` for any key, in C)
    hands back the same ``None``, bound as NULL exactly as before. Bulk inserts of rows with
    several empty columns: about 40% less CPU (200,000 rows of eight values, four NULL:
    0.69-1.12 s -> 0.40 s; benchmarks/README.md). The registration is for the whole process;
    it changes no value any user of ``sqlite3`` reads or writes."""
    sqlite3.register_adapter(type(None), _NONE_STAYS_NONE)


#: ``_NONE_STAYS_NONE(None) is None``: a C function, so adapting costs no Python frame.
_NONE_STAYS_NONE: Any = {}.get


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    dbapi_connection.isolation_level = None  # autocommit at driver level; see the "begin" hook
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    # 16 KiB pages for a database not yet written (ignored for an existing file): bulk appends
    # touch a quarter as many pages, which measured 9% less writer CPU than the default 4 KiB
    # (one large authority's import, benchmarks/README.md). Must precede the switch to WAL.
    cursor.execute("PRAGMA page_size=16384")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA cache_size=-131072")  # 128 MiB page cache for bulk loads
    cursor.close()


def is_sqlite(engine: Engine) -> bool:
    return engine.dialect.name == "sqlite"
