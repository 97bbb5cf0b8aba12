"""SQLite shard files (store/shards.py): what a reader process writes there and the writer copies
across is what inserting the frame stores."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy.engine import Connection, Engine
from tests.store.test_writer import _plain_involvements, new_batch

from caseloads.store import writer
from caseloads.store.engine import make_engine
from caseloads.store.shards import attached, copy_shard, write_shard
from caseloads.store.tables import involvements, metadata


@pytest.fixture
def engine(tmp_path: Path) -> Iterator[Engine]:
    eng = make_engine(f"sqlite:///{tmp_path / 'main.db'}")
    metadata.create_all(eng)
    yield eng
    eng.dispose()


def _stored(conn: Connection, batch: int) -> list[tuple[object, ...]]:
    """The rows of ``batch`` as SQLite holds them: each value with its storage class."""
    columns = ", ".join(f'"{c.name}", typeof("{c.name}")' for c in involvements.c)
    sql = f"SELECT {columns} FROM involvements WHERE batch_id = ? ORDER BY row_no"
    return [tuple(r) for r in conn.exec_driver_sql(sql, (batch,))]


def _attached(conn: Connection) -> list[str]:
    listed = [r[1] for r in conn.exec_driver_sql("PRAGMA database_list")]
    return [name for name in listed if name not in ("main", "temp")]


def test_a_shard_copied_across_stores_what_inserting_the_frame_stores(
    engine: Engine, tmp_path: Path
) -> None:
    frame = _plain_involvements()
    shard = tmp_path / "job.sqlite"
    (tables,) = write_shard(shard, [("826", {"involvements": (involvements, frame)})])
    written = tables["involvements"]
    assert (written.rows, written.team_ids) == (3, ("T01", 'Team "A", East'))
    identity = {ref: ref for ref in written.team_ids}
    with engine.connect() as conn:
        with attached(conn, [str(shard)]), conn.begin():
            assert _attached(conn) != []
            direct = new_batch(conn, "ssd")
            writer.insert_frame(conn, involvements, frame, la_code="826", batch_id=direct)
            copied = new_batch(conn, "ssd")
            rows = copy_shard(
                conn, involvements, written, la_code="826", batch_id=copied, mapping=identity
            )
            assert rows == 3
            moved = new_batch(conn, "ssd")
            mapping = {**identity, "T01": "team-1"}
            copy_shard(conn, involvements, written, la_code="826", batch_id=moved, mapping=mapping)
        assert _attached(conn) == []  # detached once the transaction ended
    with engine.connect() as conn:
        expected = [r[:2] + r[4:] for r in _stored(conn, direct)]  # less the batch id
        assert [r[:2] + r[4:] for r in _stored(conn, copied)] == expected != []
        teams = [r[12] for r in _stored(conn, moved)]  # team_id
        assert teams == ["team-1", None, 'Team "A", East']
        assert _attached(conn) == []  # detached once the transaction ended


def test_a_shard_is_detached_when_the_transaction_fails(engine: Engine, tmp_path: Path) -> None:
    shard = tmp_path / "job.sqlite"
    write_shard(shard, [("826", {"involvements": (involvements, _plain_involvements())})])
    with engine.connect() as conn:
        with pytest.raises(RuntimeError), attached(conn, [str(shard)]), conn.begin():
            new_batch(conn, "ssd")
            raise RuntimeError("refused")
        assert _attached(conn) == []
        assert conn.exec_driver_sql("SELECT count(*) FROM batches").scalar() == 0
