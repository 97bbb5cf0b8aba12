"""Upkeep after an import: block ranges summarised and statistics gathered on PostgreSQL."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import date

import polars as pl
import pytest
from sqlalchemy import text
from sqlalchemy.engine import Engine, make_url
from tests.store.test_writer import new_batch

from caseloads.config import Settings
from caseloads.services.setup import initialise
from caseloads.store import writer
from caseloads.store.engine import make_engine
from caseloads.store.maintenance import (
    ANALYZE_MIN_ROWS,
    ANALYZE_SHARE,
    after_import,
    needs_analyze,
)
from caseloads.store.tables import contacts


@pytest.fixture
def engine(settings: Settings) -> Iterator[Engine]:
    initialise(settings)
    eng = make_engine(settings.database_url)
    yield eng
    eng.dispose()


def test_a_table_is_analysed_when_it_was_never_or_grew_by_a_tenth() -> None:
    assert ANALYZE_SHARE == 0.1
    assert needs_analyze(1, -1, min_rows=1)  # PostgreSQL 14+: never analysed
    assert needs_analyze(1, 0, min_rows=1)  # earlier versions, or analysed empty
    assert needs_analyze(200, 2000, min_rows=1)
    assert not needs_analyze(199, 2000, min_rows=1)


def test_a_small_table_is_not_analysed() -> None:
    """A council's tables (involvements: about 63,000 rows) are left to autovacuum."""
    assert ANALYZE_MIN_ROWS == 100_000
    assert not needs_analyze(99_999, -1)
    assert needs_analyze(100_000, -1)
    assert needs_analyze(1_000_000, 9_000_000) and not needs_analyze(99_999, 500_000)


def _write_contacts(engine: Engine, rows: int) -> int:
    frame = pl.DataFrame(
        {
            "contact_id": [f"k{i}" for i in range(rows)],
            "child_id": [f"c{i % 997}" for i in range(rows)],
            "contact_date": [date(2025, 1, 1)] * rows,
            "source_code": ["5B"] * rows,
        }
    )
    with engine.begin() as conn:
        batch = new_batch(conn, "ssd")
        return writer.insert_frame(conn, contacts, frame, la_code="826", batch_id=batch)


def _unsummarised(engine: Engine) -> int:
    with engine.begin() as conn:
        return int(
            conn.execute(text("SELECT brin_summarize_new_values('ix_contacts_batch')")).scalar_one()
        )


def _reltuples(engine: Engine) -> float:
    with engine.connect() as conn:
        return float(
            conn.execute(
                text("SELECT reltuples FROM pg_class WHERE relname = 'contacts'")
            ).scalar_one()
        )


def test_after_an_import_the_new_rows_are_summarised_and_analysed(engine: Engine) -> None:
    written = _write_contacts(engine, 20_000)
    small = after_import(engine, {"contacts": written, "involvements": 0})
    assert small.analysed == []  # under ANALYZE_MIN_ROWS: summarised only
    written += _write_contacts(engine, 100)
    upkeep = after_import(engine, {"contacts": written, "involvements": 0}, min_rows=1)
    if engine.dialect.name != "postgresql":
        assert upkeep.summarised == {} and upkeep.analysed == [] and upkeep.problems == []
        return
    # 20,000 narrow rows fill more than one range of 128 pages: every range was summarised,
    # the last (partial) one too, so a second pass finds nothing to do.
    assert small.summarised["contacts"] >= 1 and small.problems == []
    assert upkeep.analysed == ["contacts"]  # never analysed before; involvements had no rows
    assert upkeep.problems == []
    assert _unsummarised(engine) == 0
    assert _reltuples(engine) == pytest.approx(20_100, rel=0.05)

    # A twentieth more rows: summarised, but not worth a new ANALYZE.
    more = _write_contacts(engine, 1_000)
    upkeep = after_import(engine, {"contacts": more}, min_rows=1)
    assert upkeep.analysed == [] and upkeep.problems == []
    assert _unsummarised(engine) == 0
    assert _reltuples(engine) == pytest.approx(20_100, rel=0.05)


def test_a_role_that_may_not_summarise_gets_a_message_not_an_error(
    engine: Engine, settings: Settings
) -> None:
    if engine.dialect.name != "postgresql":
        pytest.skip("upkeep is PostgreSQL's only")
    written = _write_contacts(engine, 100)
    role = f"caseloads_t_reader_{uuid.uuid4().hex[:8]}"
    with engine.begin() as conn:
        conn.execute(text(f'CREATE ROLE "{role}" LOGIN'))
    try:
        url = make_url(settings.database_url).set(username=role, password=None)
        reader = make_engine(url.render_as_string(hide_password=False))
        try:
            upkeep = after_import(reader, {"contacts": written}, min_rows=1)
        finally:
            reader.dispose()
    finally:
        with engine.begin() as conn:
            conn.execute(text(f'DROP ROLE "{role}"'))
    assert upkeep.analysed == []
    assert len(upkeep.problems) == 1
    assert upkeep.problems[0].startswith("contacts: ") and "owner" in upkeep.problems[0]
