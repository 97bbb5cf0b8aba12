"""Bulk writes, replacement and cross-year merging, on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path

import polars as pl
import pytest
from sqlalchemy import Table, func, insert, select
from sqlalchemy.engine import Connection, Engine

from caseloads.config import Settings
from caseloads.services.setup import initialise
from caseloads.store import writer
from caseloads.store.engine import make_engine
from caseloads.store.tables import batches, involvements, professionals, referrals, teams


@pytest.fixture
def engine(settings: Settings) -> Iterator[Engine]:
    initialise(settings)
    eng = make_engine(settings.database_url)
    yield eng
    eng.dispose()


def new_batch(conn: Connection, kind: str, scope: str = "", la: str = "826") -> int:
    return int(
        conn.execute(
            insert(batches)
            .values(
                la_code=la,
                kind=kind,
                scope=scope,
                status="active",
                sha256="x",
                files=[],
                imported_at=datetime.now(UTC),
                imported_by="test",
                row_counts={},
                findings_summary={},
                findings=[],
                replaced={},
            )
            .returning(batches.c.batch_id)
        ).scalar_one()
    )


def involvement_frame(n: int = 3) -> pl.DataFrame:
    return pl.DataFrame(
        {
            "involvement_id": [f"i{i}" for i in range(n)],
            "worker_id": ["w1"] * n,
            "child_id": [f"c{i}" for i in range(n)],
            "team_id": ["T01", None, 'Team "A", East'][:n],
            "role": ["CW"] * n,
            "start_date": [date(2024, 1, 1), date(2024, 2, 29), date(1999, 12, 31)][:n],
            "end_date": [None, date(2024, 3, 1), None][:n],
            "referral_id": [None, "r1", ""][:n],
            "change_reason": ["x,y", None, "\\N"][:n],
        }
    )


def test_insert_round_trips_dates_nulls_and_awkward_text(engine: Engine) -> None:
    frame = involvement_frame()
    with engine.begin() as conn:
        batch = new_batch(conn, "ssd")
        assert writer.insert_frame(conn, involvements, frame, la_code="826", batch_id=batch) == 3
    with engine.connect() as conn:
        rows = (
            conn.execute(select(involvements).order_by(involvements.c.involvement_id))
            .mappings()
            .all()
        )
    assert [r["team_id"] for r in rows] == ["T01", None, 'Team "A", East']
    assert [r["start_date"] for r in rows] == [
        date(2024, 1, 1),
        date(2024, 2, 29),
        date(1999, 12, 31),
    ]
    assert [r["end_date"] for r in rows] == [None, date(2024, 3, 1), None]
    # An empty string stays an empty string and a literal \N stays text: neither becomes NULL.
    assert [r["referral_id"] for r in rows] == [None, "r1", ""]
    assert [r["change_reason"] for r in rows] == ["x,y", None, "\\N"]
    assert {r["la_code"] for r in rows} == {"826"} and {r["batch_id"] for r in rows} == {batch}


@pytest.mark.parametrize(
    ("awkward", "plain"),
    [
        ('Team "A", East', True),  # quotes and commas: nothing special in COPY's text format
        ("", True),
        ("tab\there", False),
        ("line\nend", False),
        ("carriage\rreturn", False),
        ("back\\slash", False),
        ("\\N", False),
    ],
)
def test_text_round_trips_whichever_copy_format_is_chosen(
    engine: Engine, awkward: str, plain: bool
) -> None:
    """Frames with no tab, line end or backslash go by COPY's text format, others by CSV; either
    way every value, empty string and NULL comes back as it was written."""
    frame = involvement_frame(2).with_columns(
        pl.Series("change_reason", [awkward, None]), pl.Series("referral_id", ["", None])
    )
    assert writer._plain_text(frame) is plain
    with engine.begin() as conn:
        batch = new_batch(conn, "ssd")
        writer.insert_frame(conn, involvements, frame, la_code="826", batch_id=batch)
    with engine.connect() as conn:
        rows = conn.execute(
            select(involvements.c.change_reason, involvements.c.referral_id).order_by(
                involvements.c.row_no
            )
        ).all()
    assert [tuple(r) for r in rows] == [(awkward, ""), (None, None)]


def test_replace_previous_removes_only_that_authority_and_kind(engine: Engine) -> None:
    with engine.begin() as conn:
        old = new_batch(conn, "ssd")
        other_la = new_batch(conn, "ssd", la="340")
        writer.insert_frame(conn, involvements, involvement_frame(), la_code="826", batch_id=old)
        writer.insert_frame(
            conn, involvements, involvement_frame(2), la_code="340", batch_id=other_la
        )
        new = new_batch(conn, "ssd")
        replaced = writer.replace_previous(
            conn, la_code="826", kind="ssd", scope="", new_batch_id=new
        )
        assert replaced == {"batches": [old], "rows": {"involvements": 3}}
        left = dict(
            conn.execute(
                select(involvements.c.la_code, func.count()).group_by(involvements.c.la_code)
            ).all()
        )
        assert left == {"340": 2}
        status = conn.execute(select(batches.c.status).where(batches.c.batch_id == old)).scalar()
        assert status == "superseded"


def referral_frame(ids: list[str]) -> pl.DataFrame:
    return pl.DataFrame(
        {
            "referral_id": ids,
            "child_id": ["c"] * len(ids),
            "referral_date": [date(2023, 1, 1)] * len(ids),
        }
    ).with_columns(
        *(
            pl.lit(None, dtype=pl.String).alias(c)
            for c in ("source_code", "primary_need_code", "close_reason", "team_id", "worker_id")
        ),
        pl.lit(None, dtype=pl.Boolean).alias("nfa"),
        pl.lit(None, dtype=pl.Date).alias("close_date"),
    )


def test_a_later_years_return_supersedes_the_same_episodes(engine: Engine) -> None:
    with engine.begin() as conn:
        y2023 = new_batch(conn, "cin-census", "2023")
        writer.insert_frame(
            conn, referrals, referral_frame(["a", "b"]), la_code="826", batch_id=y2023
        )
        y2024 = new_batch(conn, "cin-census", "2024")
        writer.insert_frame(
            conn, referrals, referral_frame(["b", "c"]), la_code="826", batch_id=y2024
        )
        merged = writer.merge_across_scopes(
            conn, la_code="826", kind="cin-census", scope="2024", new_batch_id=y2024
        )
        assert merged == {"older": {"referrals": 1}, "newer": {}}
        # Loading an earlier year afterwards keeps the later year's version of shared episodes.
        y2022 = new_batch(conn, "cin-census", "2022")
        writer.insert_frame(
            conn, referrals, referral_frame(["z", "c"]), la_code="826", batch_id=y2022
        )
        merged = writer.merge_across_scopes(
            conn, la_code="826", kind="cin-census", scope="2022", new_batch_id=y2022
        )
        assert merged == {"older": {}, "newer": {"referrals": 1}}
        held = sorted(conn.execute(select(referrals.c.referral_id, referrals.c.batch_id)).all())
    assert held == [("a", y2023), ("b", y2024), ("c", y2024), ("z", y2022)]


def test_two_column_merge_keys(engine: Engine) -> None:
    from caseloads.store.tables import cla_reviews

    def reviews(days: list[int]) -> pl.DataFrame:
        return pl.DataFrame(
            {
                "child_id": ["c"] * len(days),
                "review_date": [date(2024, 1, d) for d in days],
                "participation_code": ["PN1"] * len(days),
            }
        )

    with engine.begin() as conn:
        first = new_batch(conn, "ssda903", "2023")
        writer.insert_frame(conn, cla_reviews, reviews([1, 2]), la_code="826", batch_id=first)
        second = new_batch(conn, "ssda903", "2024")
        writer.insert_frame(conn, cla_reviews, reviews([2, 3]), la_code="826", batch_id=second)
        merged = writer.merge_across_scopes(
            conn, la_code="826", kind="ssda903", scope="2024", new_batch_id=second
        )
        assert merged["older"] == {"cla_reviews": 1}
        assert conn.execute(select(func.count()).select_from(cla_reviews)).scalar() == 3


def test_repoint_team_moves_every_reference(engine: Engine) -> None:
    with engine.begin() as conn:
        batch = new_batch(conn, "staff")
        writer.insert_teams(
            conn,
            [
                {
                    "la_code": "826",
                    "team_id": "MASH",
                    "name": "MASH",
                    "parent_id": None,
                    "team_type": "front_door",
                    "batch_id": batch,
                }
            ],
        )
        writer.insert_frame(
            conn,
            involvements,
            involvement_frame(1).with_columns(pl.lit("MASH").alias("team_id")),
            la_code="826",
            batch_id=batch,
        )
        writer.insert_teams(
            conn,
            [
                {
                    "la_code": "826",
                    "team_id": "T01",
                    "name": "MASH",
                    "parent_id": None,
                    "team_type": "front_door",
                    "batch_id": batch,
                }
            ],
        )
        writer.repoint_team(conn, la_code="826", old_id="MASH", new_id="T01")
        assert conn.execute(select(involvements.c.team_id)).scalars().all() == ["T01"]
        assert conn.execute(select(teams.c.team_id)).scalars().all() == ["T01"]


@pytest.mark.parametrize("n", [1, 255, 256, 257, 600])
def test_every_row_is_written_once_in_order_across_statement_blocks(engine: Engine, n: int) -> None:
    """SQLite writes blocks of rows per INSERT statement (writer.SQLITE_ROWS_PER_STATEMENT = 256)
    and the remainder in a last statement: no row lost, repeated or shuffled at the edges."""
    frame = pl.DataFrame(
        {
            "involvement_id": [f"i{i}" for i in range(n)],
            "worker_id": ["w1"] * n,
            "child_id": [f"c{i}" for i in range(n)],
            "start_date": [date(2024, 1, 1)] * n,
        }
    ).with_columns(
        pl.lit(None, dtype=pl.String).alias(c)
        for c in ("team_id", "role", "referral_id", "change_reason")
    )
    frame = frame.with_columns(pl.lit(None, dtype=pl.Date).alias("end_date"))
    with engine.begin() as conn:
        batch = new_batch(conn, "ssd")
        writer.insert_frame(conn, involvements, frame, la_code="826", batch_id=batch)
    with engine.connect() as conn:
        got = conn.execute(
            select(involvements.c.involvement_id).order_by(
                involvements.c.batch_id, involvements.c.row_no
            )
        ).scalars()
        assert list(got) == [f"i{i}" for i in range(n)]


def test_an_authority_code_that_is_not_plain_text_is_refused(engine: Engine) -> None:
    """The authority code is written into SQLite's statement as a literal, so only letters and
    digits are accepted there (a quote could otherwise end the literal)."""
    if engine.dialect.name != "sqlite":
        pytest.skip("PostgreSQL's COPY carries the code as data")
    with engine.begin() as conn, pytest.raises(ValueError, match="not a plain authority code"):
        batch = new_batch(conn, "ssd")
        writer.insert_frame(conn, involvements, involvement_frame(), la_code="8'6", batch_id=batch)


def _postgres_only(engine: Engine) -> None:
    if engine.dialect.name != "postgresql":
        pytest.skip("an encoded frame is the data of a PostgreSQL COPY")


def _folder(tmp_path: Path) -> Path:
    folder = tmp_path / "spill"
    folder.mkdir()
    return folder


def _plain_involvements() -> pl.DataFrame:
    """:func:`involvement_frame` less its backslash, which COPY's text format cannot carry."""
    return involvement_frame().with_columns(pl.Series("change_reason", ["x,y", None, ""]))


def _stored(conn: Connection, batch: int) -> list[dict[str, object]]:
    rows = conn.execute(
        select(involvements).where(involvements.c.batch_id == batch).order_by(involvements.c.row_no)
    ).mappings()
    return [{k: v for k, v in r.items() if k != "batch_id"} for r in rows]


def test_an_encoded_frame_stores_what_the_frame_stores(engine: Engine, tmp_path: Path) -> None:
    """A frame encoded for COPY (in a reader process, batch id not yet known) and sent with its
    batch id written in: the same rows as inserting the frame, under the batch id given, even
    one of ten digits; its files are deleted."""
    _postgres_only(engine)
    frame = _plain_involvements()
    folder = _folder(tmp_path)
    encoded = writer.encode_frame(involvements, frame, la_code="826", folder=folder, name="f")
    assert encoded is not None and encoded.rows == 3 and encoded.columns[0] == "batch_id"
    assert encoded.team_ids == ("T01", 'Team "A", East')
    with engine.begin() as conn:
        direct = new_batch(conn, "ssd")
        writer.insert_frame(conn, involvements, frame, la_code="826", batch_id=direct)
        assert writer.copy_encoded(conn, involvements, encoded, batch_id=2_013_456_789) == 3
    with engine.connect() as conn:
        assert _stored(conn, 2_013_456_789) == _stored(conn, direct) != []
    assert list(folder.iterdir()) == []


@pytest.mark.parametrize("awkward", ["tab\there", "line\nend", "carriage\rreturn", "back\\slash"])
def test_a_frame_whose_text_is_copy_syntax_is_not_encoded(tmp_path: Path, awkward: str) -> None:
    frame = involvement_frame(2).with_columns(pl.Series("change_reason", [awkward, None]))
    assert (
        writer.encode_frame(involvements, frame, la_code="826", folder=tmp_path, name="f") is None
    )
    assert list(tmp_path.iterdir()) == []


def test_an_encoded_frame_reads_back_as_the_frame_it_was(tmp_path: Path) -> None:
    """Every type a table holds (text with quotes and commas, empty text, NULLs, dates, integers,
    floats, booleans) comes back from the COPY text exactly, in row order; the files go."""
    frame = _plain_involvements()
    assert writer.decode_encoded(
        involvements,
        _encoded(involvements, frame, tmp_path),
    ).equals(frame)
    people = pl.DataFrame(
        {
            "professional_id": ["p1", "p2", "p3"],
            "worker_id": ["w1", "w2", "w3"],
            "swe_hash": [None, "", "s"],
            "job_title": ["Social Worker", 'Team, "Manager"', None],
            "role": ["social_worker", "team_manager", None],
            "team_id": ["T01", None, "T02"],
            "fte": [1.0, 0.1 + 0.2, None],
            "agency": [True, None, False],
            "caseload_30sep": [17, None, -3],
        }
    )
    back = writer.decode_encoded(professionals, _encoded(professionals, people, tmp_path))
    assert back.equals(people) and back.schema == people.schema
    assert list(tmp_path.iterdir()) == []


def _encoded(table: Table, frame: pl.DataFrame, folder: Path) -> writer.EncodedFrame:
    encoded = writer.encode_frame(table, frame, la_code="826", folder=folder, name=table.name)
    assert encoded is not None
    return encoded


def test_a_batch_id_too_long_for_the_encoded_field_is_refused(
    engine: Engine, tmp_path: Path
) -> None:
    _postgres_only(engine)
    encoded = writer.encode_frame(
        involvements, _plain_involvements(), la_code="826", folder=tmp_path, name="f"
    )
    assert encoded is not None
    with engine.begin() as conn, pytest.raises(ValueError, match="does not fit"):
        writer.copy_encoded(conn, involvements, encoded, batch_id=10**10)
