"""Leaving PostgreSQL able to find an authority's rows quickly after an import.

Every read of imported rows asks for the rows of some batches, through the block-range (BRIN)
index on ``batch_id`` (:func:`caseloads.store.tables.data_table`). PostgreSQL summarises a block
range only when it is told to or when VACUUM passes, and plans with no statistics until ANALYZE:
rows added by COPY are in unsummarised ranges, which a BRIN scan must read whole. So until
autovacuum comes round (never, where it is off), a query for one authority's rows of a national
database read the whole table: ``contacts``, 10.6 million rows, 0.43 s for one authority's
232,000 rows; 0.11 s once summarised and analysed (benchmarks/README.md, seventh session).

After an import, for each table it wrote to, the new block ranges are summarised
(``brin_summarize_new_values``, which reads only the ranges not yet summarised) and the table is
analysed when the rows written are at least :data:`ANALYZE_SHARE` of the rows it held when last
analysed, or it never was (autovacuum's own default for analysing is a tenth), and at least
:data:`ANALYZE_MIN_ROWS`: a smaller table is read whole in a few milliseconds whatever the
planner knows, and analysing each of a council's tables was 0.48 s of its 1.8 s import (one
command per extract; autovacuum, where it is on, analyses them in the background). This is upkeep:
the import has already committed, so a failure here (a role that does not own the tables may not
summarise them) is returned as a message, never raised. SQLite needs none of it: its planner
uses the ``batch_id`` index with or without statistics.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from sqlalchemy import Engine, Index, Table, text
from sqlalchemy.exc import DBAPIError

from caseloads.store.tables import metadata

#: A table is analysed after an import that wrote at least this share of the rows it held when
#: last analysed (PostgreSQL's ``autovacuum_analyze_scale_factor`` default).
ANALYZE_SHARE = 0.1

#: ... and at least this many rows (a council's largest table, involvements, is about 63,000).
ANALYZE_MIN_ROWS = 100_000


@dataclass
class Upkeep:
    """What :func:`after_import` did: ranges summarised by table, tables analysed, problems."""

    summarised: dict[str, int] = field(default_factory=dict)
    analysed: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


def after_import(
    engine: Engine,
    written: Mapping[str, int],
    *,
    summarise: bool = True,
    analyse: bool = True,
    min_rows: int = ANALYZE_MIN_ROWS,
) -> Upkeep:
    """For each table in ``written`` (table name -> rows imports wrote to it; tables with none
    are left alone): with ``summarise``, summarise its new block ranges; with ``analyse``, analyse
    it if :func:`needs_analyze`. Each table in a transaction of its own, after the imports'. A run
    of imports (``import_many``) summarises after each and analyses once, at the end."""
    upkeep = Upkeep()
    if engine.dialect.name != "postgresql":
        return upkeep
    for name, rows in sorted(written.items()):
        table = metadata.tables.get(name)
        analysing = analyse and rows >= min_rows
        if table is None or rows <= 0 or not (summarise or analysing):
            continue
        try:
            with engine.begin() as conn:
                if summarise:
                    for index in _brin_indexes(table):
                        ranges = conn.execute(
                            text("SELECT brin_summarize_new_values(CAST(:ix AS regclass))"),
                            {"ix": index.name},
                        ).scalar_one()
                        upkeep.summarised[name] = upkeep.summarised.get(name, 0) + int(ranges)
                if analysing:
                    before = conn.execute(
                        text("SELECT reltuples FROM pg_class WHERE oid = CAST(:t AS regclass)"),
                        {"t": name},
                    ).scalar_one()
                    if needs_analyze(rows, before, min_rows=min_rows):
                        conn.execute(text(f'ANALYZE "{name}"'))
                        upkeep.analysed.append(name)
        except DBAPIError as exc:
            upkeep.problems.append(f"{name}: {_reason(exc)}")
    return upkeep


def _reason(exc: DBAPIError) -> str:
    return str(exc.orig).strip().splitlines()[0] if exc.orig else str(exc)


def needs_analyze(
    rows_written: int, rows_when_analysed: float, *, min_rows: int = ANALYZE_MIN_ROWS
) -> bool:
    """Whether a table should be analysed after an import wrote ``rows_written`` rows to it;
    ``rows_when_analysed`` is ``pg_class.reltuples`` (negative if never analysed)."""
    if rows_written < min_rows:
        return False
    if rows_when_analysed < 0:
        return True
    return rows_written >= ANALYZE_SHARE * rows_when_analysed


def _brin_indexes(table: Table) -> list[Index]:
    return [
        index
        for index in sorted(table.indexes, key=lambda i: str(i.name))
        if index.dialect_options["postgresql"].get("using") == "brin"
    ]
