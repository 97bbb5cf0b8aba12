"""Declarative column specifications, applied to a frame of text with vectorised Polars expressions.

A :class:`Schema` lists the :class:`Field` s of one extract table: where each value comes from
(the normalised CSV header name, or the XML element name), the column it becomes, its type, and
the rules it must meet. :func:`apply_schema` turns the text frame into a typed frame and reports,
with the file, spreadsheet row, column and value (findings.py):

- ``required``: a required value that is empty (the target column is NOT NULL in store/tables.py,
  or the extract's specification demands it);
- ``type.date`` / ``type.number`` / ``type.flag``: a value that cannot be read as its type
  (accepted forms: :mod:`caseloads.ingest.parse`);
- ``code.unknown``: a coded value outside its list (the lists cite their source where defined);
- ``range``: a number outside its range, or a date outside 1900-2099 (a typed-in year such as
  ``0202`` or a system's "no date" sentinel ``9999-12-31`` would otherwise skew every interval).

Types: ``str`` (text as given, stripped), ``id`` (an identifier, hashed later by
:func:`caseloads.ingest.identifiers.pseudonymise`), ``code``, ``date``, ``float``, ``int``,
``bool``.
No per-row Python: each rule is one boolean expression, counted for all columns in one pass, and
only the offending rows (at most findings.MAX_PER_RULE of them per rule) are turned into findings.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Literal

import polars as pl

from caseloads.ingest import parse
from caseloads.ingest.csv_io import ROW, Columns
from caseloads.ingest.findings import Findings

FieldType = Literal["str", "id", "code", "date", "float", "int", "bool"]
Header = Literal["required", "expected", "optional"]

EARLIEST = date(1900, 1, 1)
LATEST = date(2099, 12, 31)
_DATE_HELP = "YYYY-MM-DD, an ISO date-time or DD/MM/YYYY"


@dataclass(frozen=True, slots=True)
class Field:
    """One column of an extract.

    ``header``: whether a CSV header must have this column (``required``: ``column.missing``
    error), should have it (``expected``: the same rule as a warning) or may omit it
    (``optional``). ``namespace`` (``id`` fields): the pseudonymisation namespace kind (``person``,
    ``worker``, ``referral`` ... or ``swe`` for the national SWE namespace).
    """

    source: str
    target: str
    type: FieldType = "str"
    required: bool = False
    header: Header = "required"
    codes: Mapping[str, str] | None = None
    minimum: float | None = None
    maximum: float | None = None
    above_minimum: bool = False
    namespace: str | None = None
    private: bool = False

    @property
    def masked(self) -> bool:
        """Findings show only the shape of identifiers and private values (parse.shape)."""
        return self.private or self.type == "id"

    def range_text(self) -> str:
        low = "" if self.minimum is None else f"{'more than' if self.above_minimum else 'at least'}"
        if self.minimum is not None and self.maximum is not None:
            return f"must be {low} {self.minimum:g} and at most {self.maximum:g}"
        if self.minimum is not None:
            return f"must be {low} {self.minimum:g}"
        return f"must be at most {self.maximum:g}"


@dataclass(frozen=True, slots=True)
class Schema:
    """The fields of one table; ``known`` names other columns accepted and ignored silently."""

    fields: tuple[Field, ...]
    known: frozenset[str] = frozenset()

    def columns(self) -> Columns:
        return Columns(
            required={f.source for f in self.fields if f.header == "required"},
            expected={f.source for f in self.fields if f.header == "expected"},
            known=self.known | {f.source for f in self.fields},
        )

    def source(self, target: str) -> str:
        """The file's name for a target column (for findings about it)."""
        for f in self.fields:
            if f.target == target:
                return f.source
        return target


def _text_name(f: Field) -> str:
    return f"_text_{f.target}"


def apply_schema(
    frame: pl.DataFrame, schema: Schema, *, file: str, findings: Findings
) -> pl.DataFrame:
    """Typed frame: ``_row`` plus one column per field target. Reports every bad value."""
    plan = _plan_for(schema, frame.columns)
    # Eager calls, not one lazy query: optimising a lazy plan of this many expressions took
    # longer than the work itself on a CSWW return of about 200 workers (reading one return
    # 33 -> 24 ms of CPU), and the SSD tables of three authorities read no slower.
    work = frame.select(pl.col(ROW), *plan.texts).with_columns(plan.parses)
    work = _complete_dates(work, plan)
    if plan.checks:
        counts = work.select(plan.counts).row(0)
        for (f, rule, message, mask), count in zip(plan.checks, counts, strict=True):
            if count:
                value = pl.col(_text_name(f))
                findings.from_frame(
                    work.filter(mask).select(ROW, parse.shape(value) if f.masked else value),
                    severity="error",
                    rule=rule,
                    message=message,
                    file=file,
                    column=f.source,
                    value_col=_text_name(f),
                )
    return work.select(plan.output)


@dataclass(frozen=True, slots=True)
class _Plan:
    """The expressions that apply one schema to frames with one set of columns. Building them
    costs more than running them on a small frame (a CSWW return, a staff extract), so each
    schema's plans are built once per process and kept (:func:`_plan_for`)."""

    texts: list[pl.Expr]
    parses: list[pl.Expr]
    dates: list[Field]
    gaps: list[pl.Expr]
    checks: list[tuple[Field, str, str, pl.Expr]]
    counts: list[pl.Expr]
    output: list[str]


#: Plans by (schema object, the schema's sources the frame has); the schema itself is kept
#: beside its plans so that an id is never matched to a later object that reused it.
_PLANS: dict[tuple[int, frozenset[str]], tuple[Schema, _Plan]] = {}
_MAX_PLANS = 1024


def _plan_for(schema: Schema, columns: list[str]) -> _Plan:
    present = frozenset(f.source for f in schema.fields if f.source in columns)
    key = (id(schema), present)
    kept = _PLANS.get(key)
    if kept is not None and kept[0] is schema:
        return kept[1]
    texts = [
        (
            parse.clean_text(pl.col(f.source)) if f.source in present else pl.lit(None, pl.String)
        ).alias(_text_name(f))
        for f in schema.fields
    ]
    checks = [check for f in schema.fields for check in _checks(f, f.source in present)]
    dates = [f for f in schema.fields if f.type == "date"]
    plan = _Plan(
        texts=texts,
        parses=[_parse_fast(f) for f in schema.fields],
        dates=dates,
        gaps=[
            (pl.col(_text_name(f)).is_not_null() & pl.col(f.target).is_null()).any().alias(f.target)
            for f in dates
        ],
        checks=checks,
        counts=[mask.sum().alias(str(i)) for i, (_, _, _, mask) in enumerate(checks)],
        output=[ROW, *(f.target for f in schema.fields)],
    )
    if len(_PLANS) >= _MAX_PLANS:
        _PLANS.clear()
    _PLANS[key] = (schema, plan)
    return plan


def _parse_fast(f: Field) -> pl.Expr:
    text = pl.col(_text_name(f))
    match f.type:
        case "date":
            expr = parse.date_fast(text)
        case "float":
            expr = parse.number(text)
        case "int":
            expr = parse.integer(text)
        case "bool":
            expr = parse.flag(text)
        case "code" if f.codes is not None:
            expr = parse.code(text, f.codes)
        case "id" if f.namespace == "swe":
            expr = parse.swe(text)
        case _:
            expr = text
    return expr.alias(f.target)


def _complete_dates(work: pl.DataFrame, plan: _Plan) -> pl.DataFrame:
    """Re-read, with every accepted form, only the date columns the fast form left unread."""
    if not plan.dates:
        return work
    gaps = work.select(plan.gaps).row(0)
    redo = [f for f, gap in zip(plan.dates, gaps, strict=True) if gap]
    if not redo:
        return work
    return work.with_columns(parse.date_full(pl.col(_text_name(f))).alias(f.target) for f in redo)


def _checks(f: Field, present: bool) -> list[tuple[Field, str, str, pl.Expr]]:
    """The per-value rules of one field. An absent column was reported once already
    (``column.missing``), so its empty values are not reported again row by row."""
    text = pl.col(_text_name(f))
    value = pl.col(f.target)
    out: list[tuple[Field, str, str, pl.Expr]] = []
    if f.required and present:
        out.append((f, "required", f"{f.source} is required but is empty", text.is_null()))
    unread = text.is_not_null() & value.is_null()
    match f.type:
        case "date":
            out.append((f, "type.date", f"not a date ({_DATE_HELP})", unread))
            outside = (value < EARLIEST) | (value > LATEST)
            out.append((f, "range", "the date is not between 1900 and 2099", outside))
        case "float" | "int":
            what = "a whole number" if f.type == "int" else "a number"
            out.append((f, "type.number", f"not {what}", unread))
            if f.minimum is not None or f.maximum is not None:
                out.append((f, "range", f"{f.source} {f.range_text()}", _outside(f, value)))
        case "bool":
            unknown = parse.unknown_flag(text)
            out.append((f, "type.flag", "not a flag (Y/N, 1/0, true/false)", unread & ~unknown))
        case "code" if f.codes is not None:
            shown = ", ".join(sorted(set(f.codes.values())))
            out.append((f, "code.unknown", f"not one of the codes {shown}", unread))
        case _:
            pass
    return out


def _outside(f: Field, value: pl.Expr) -> pl.Expr:
    bad = pl.lit(False)
    if f.minimum is not None:
        bad = bad | ((value <= f.minimum) if f.above_minimum else (value < f.minimum))
    if f.maximum is not None:
        bad = bad | (value > f.maximum)
    return bad.fill_null(False)
