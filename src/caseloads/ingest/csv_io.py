"""Reading one CSV file into a frame of text columns, with its structural problems as findings.

What a council's CSV can get wrong, and what is reported (design.md §4; row numbers as a
spreadsheet shows them, header = row 1, see findings.py):

- too large, a zip, not UTF-8/Windows-1252 text: see :mod:`caseloads.ingest.sources`;
- nothing in it at all: ``file.empty`` (error); a header but no rows: ``file.no_rows`` (warning);
- a record with more or fewer fields than the header: ``file.ragged`` (error, one per record);
  quoting that cannot be parsed: ``file.malformed`` (error);
- header names are compared after normalisation (surrounding spaces dropped, lower case, inner
  runs of spaces as ``_``): a name twice is ``column.duplicate`` (error); a required column
  absent is ``column.missing`` (error, one per column), an expected one absent is the same rule as
  a warning; a column the specification does not know is ``column.unknown`` (warning, ignored).

Every value is read as text (``infer_schema=False``); typing is :mod:`caseloads.ingest.schema`'s
job. Rows whose every field is empty are dropped (spreadsheets leave them at the end). Polars does
the parsing; because it silently pads short records, the fields are checked separately: when the
file has no quotes and as many separators as every line having the header's fields would make,
Polars refusing longer records is enough; otherwise the field count of every record is found by a
vectorised byte scan (quote-aware). If Polars and the scan disagree the file is re-read with
Python's ``csv`` module, which is slower but locates every problem.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Collection, Sequence
from dataclasses import dataclass

import numpy as np
import polars as pl

from caseloads.ingest.extract import SourceFile
from caseloads.ingest.findings import Findings
from caseloads.ingest.sources import Loaded, decode_text

ROW = "_row"
_QUOTE, _NEWLINE, _COMMA, _CR = 34, 10, 44, 13
_CHUNK = 1 << 25  # bytes scanned at a time for the field count
_COUNT_CHUNK = 1 << 20  # bytes compared at a time when counting (fits a core's cache)
_SPACES = re.compile(r"\s+")


@dataclass(frozen=True, slots=True)
class CsvTable:
    """A CSV file as text columns named by their normalised header, plus ``_row`` (Int64)."""

    name: str
    frame: pl.DataFrame
    source: SourceFile


@dataclass(frozen=True, slots=True)
class Columns:
    """What the header should hold: names are normalised (see :func:`normalise_name`)."""

    required: Collection[str] = ()
    expected: Collection[str] = ()
    known: Collection[str] = ()

    def accepts(self, name: str) -> bool:
        return name in self.required or name in self.expected or name in self.known


def normalise_name(name: str) -> str:
    """Header names are compared without surrounding spaces, case-insensitively, with inner runs
    of spaces read as one ``_`` (so ``Worker Ref`` is ``worker_ref``)."""
    return _SPACES.sub("_", name.strip().lower())


def read_csv(loaded: Loaded, columns: Columns, findings: Findings) -> CsvTable | None:
    """Parse ``loaded`` as CSV. Returns None when nothing usable could be read."""
    name = loaded.name
    text = decode_text(loaded, findings)
    if text is None:
        return None
    if not text.text or text.text.isspace():  # stops at the first other character: no copy
        findings.error("file.empty", "the file is empty", name)
        return None
    header = _header(text.text)
    if header is None:
        findings.error("file.malformed", "the header row cannot be read (unbalanced quotes?)", name)
        return None
    names = _column_names(header, name, findings)
    payload = text.utf8
    if payload.endswith((b"\n\n", b"\n\r\n", b"\r")):  # blank lines at the end: drop them
        payload = payload.rstrip(b"\r\n") + b"\n"
    frame = _fast_read(payload, names, name, findings)
    if frame is None:
        frame = _slow_read(text.text, names, name, findings)
        if frame is None:
            return None
    frame = _drop_blank_rows(frame, names)
    _check_header(names, header, columns, frame, name, findings)
    if frame.height == 0:
        findings.warning("file.no_rows", "the file has a header but no rows", name)
    return CsvTable(name, frame, loaded.source)


def _header(text: str) -> list[str] | None:
    for chunk in (text[: 1 << 20], text):
        try:
            return next(csv.reader(io.StringIO(chunk, newline="")))
        except (csv.Error, StopIteration):
            if len(chunk) == len(text):
                return None
    return None  # pragma: no cover - the loop always returns


def _column_names(header: Sequence[str], file: str, findings: Findings) -> list[str]:
    """Normalised, unique names (later duplicates renamed so that they never match a field)."""
    names: list[str] = []
    seen: set[str] = set()
    for i, raw in enumerate(header, start=1):
        name = normalise_name(raw) or f"_blank_{i}"
        if name in seen:
            findings.error(
                "column.duplicate",
                f"column {i} has the same name as an earlier column; only the first is read",
                file,
                1,
                name,
                raw,
            )
            name = f"_duplicate_{i}_{name}"
        seen.add(name)
        names.append(name)
    return names


def _fast_read(
    payload: bytes, names: list[str], file: str, findings: Findings
) -> pl.DataFrame | None:
    records = _uniform_records(payload, len(names))
    if records is not None:
        # Every line has the header's fields unless one has more, which Polars then refuses.
        frame = _polars_read(payload, names, truncate=False)
        if frame is not None and frame.height == records and frame.width == len(names):
            return _numbered(frame)
    counts, blank = _field_counts(payload)
    frame = _polars_read(payload, names, truncate=True)
    if frame is None:
        return None
    records = counts.shape[0] - 1  # after the header
    if frame.height != records or frame.width != len(names):
        return None
    bad = np.flatnonzero((counts != len(names)) & ~blank)
    bad = bad[bad > 0]
    _report_ragged(findings, file, (bad + 1).tolist(), counts[bad].tolist(), len(names))
    return _numbered(frame)


def _polars_read(payload: bytes, names: list[str], *, truncate: bool) -> pl.DataFrame | None:
    """Polars' reading of ``payload`` as text columns; None if it fails. ``truncate``: a record
    with more fields than the header is cut short (else it is an error); one with fewer is
    padded with nulls either way."""
    try:
        return pl.read_csv(
            payload,
            has_header=True,
            new_columns=names,
            infer_schema=False,
            truncate_ragged_lines=truncate,
            raise_if_empty=False,
            quote_char='"',
        )
    except (Exception, pl.exceptions.PanicException):  # any failure: use the csv module
        return None


def _numbered(frame: pl.DataFrame) -> pl.DataFrame:
    return frame.with_row_index(ROW, offset=2).with_columns(pl.col(ROW).cast(pl.Int64))


def _uniform_records(payload: bytes, fields: int) -> int | None:
    """The number of records after the header, if ``payload`` plainly has ``fields`` fields on
    every line taken together: no quote character anywhere (so every separator and line end is
    one) and exactly ``fields - 1`` separators per line. A line with fewer fields must then be
    made up for by one with more, which :func:`_polars_read` refuses when not truncating; a
    blank line is one with fewer. None when that cannot be told this way (then every record's
    fields are counted, :func:`_field_counts`). Three byte counts, about a tenth of the cost of
    locating every separator."""
    if fields < 2 or not payload:
        return None
    b = np.frombuffer(payload, dtype=np.uint8)
    separators = ends = 0
    for start in range(0, b.shape[0], _COUNT_CHUNK):
        part = b[start : start + _COUNT_CHUNK]
        if np.count_nonzero(part == _QUOTE):
            return None
        separators += int(np.count_nonzero(part == _COMMA))
        ends += int(np.count_nonzero(part == _NEWLINE))
    lines = ends + (0 if payload.endswith(b"\n") else 1)
    return lines - 1 if separators == lines * (fields - 1) else None


def _field_counts(payload: bytes) -> tuple[np.ndarray, np.ndarray]:
    """Fields per record (record 0 = header) and whether each record is a blank line.

    Separators and line ends inside double quotes do not count. Quote characters pair up into
    quoted spans (an escaped ``""`` is an empty span of its own, which is harmless), and a
    separator or line end inside a span is dropped. The bytes are scanned in chunks, carrying an
    open span and the open record's separators across chunk boundaries, so memory stays at a few
    chunk-sized temporaries plus one number per record.
    """
    b = np.frombuffer(payload, dtype=np.uint8)
    size = b.shape[0]
    all_ends: list[np.ndarray] = []
    all_counts: list[np.ndarray] = []
    open_span = False  # a quoted span runs on from the previous chunk
    carry = 0  # separators of the record still open at the chunk's start
    for start in range(0, size, _CHUNK):
        part = b[start : start + _CHUNK]
        ends = np.flatnonzero(part == _NEWLINE)
        seps = np.flatnonzero(part == _COMMA)
        bounds = np.flatnonzero(part == _QUOTE)
        if open_span:
            bounds = np.concatenate(([-1], bounds))
        open_span = bool(bounds.shape[0] % 2)
        if open_span:
            bounds = np.append(bounds, part.shape[0])
        if bounds.shape[0]:
            ends = ends[_outside(ends, bounds)]
            seps = seps[_outside(seps, bounds)]
        before = np.searchsorted(seps, ends)  # separators before each record's end
        counts = np.diff(before, prepend=0) + 1
        if counts.shape[0]:
            counts[0] += carry
            carry = int(seps.shape[0] - before[-1])
        else:
            carry += int(seps.shape[0])
        all_ends.append(ends + start)
        all_counts.append(counts)
    ends = np.concatenate(all_ends) if all_ends else np.zeros(0, dtype=np.int64)
    counts = np.concatenate(all_counts) if all_counts else np.zeros(0, dtype=np.int64)
    if ends.shape[0] == 0 or ends[-1] != size - 1:  # the last record has no line end
        ends = np.append(ends, size)
        counts = np.append(counts, carry + 1)
    length = np.diff(ends, prepend=-1) - 1
    last = b[np.clip(ends - 1, 0, max(size - 1, 0))] if size else np.zeros_like(ends)
    blank = (length == 0) | ((length == 1) & (last == _CR))
    return counts, blank


def _outside(positions: np.ndarray, bounds: np.ndarray) -> np.ndarray:
    """Which of the sorted ``positions`` fall outside every span (bounds[0], bounds[1]), ..."""
    n = positions.shape[0]
    first = np.searchsorted(positions, bounds[0::2], side="right")  # first position in a span
    after = np.searchsorted(positions, bounds[1::2], side="left")  # first position after it
    depth: np.ndarray = np.cumsum(
        np.bincount(first, minlength=n + 1) - np.bincount(after, minlength=n + 1)
    )
    outside: np.ndarray = depth[:n] == 0
    return outside


def _report_ragged(
    findings: Findings, file: str, rows: list[int], fields: list[int], width: int
) -> None:
    if not rows:
        return
    findings.from_frame(
        pl.DataFrame({ROW: rows, "fields": [f"{n} fields" for n in fields]}),
        severity="error",
        rule="file.ragged",
        message=f"this row does not have the header's {width} fields (a comma inside a value "
        "must be in double quotes)",
        file=file,
        column=None,
        value_col="fields",
    )


def _slow_read(text: str, names: list[str], file: str, findings: Findings) -> pl.DataFrame | None:
    """Parse with the csv module: slower, but it tells where a record goes wrong."""
    width = len(names)
    rows: list[list[str]] = []
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    record = 0
    bad_rows: list[int] = []
    bad_fields: list[int] = []
    try:
        next(reader)
        for fields in reader:
            record += 1
            if fields and len(fields) != width:
                bad_rows.append(record + 1)
                bad_fields.append(len(fields))
                fields = (fields + [""] * width)[:width]
            elif not fields:
                fields = [""] * width
            rows.append(fields)
    except csv.Error as exc:
        findings.error(
            "file.malformed",
            f"the CSV cannot be read from here on ({exc}); check the quoting",
            file,
            record + 2,
        )
        return None
    _report_ragged(findings, file, bad_rows, bad_fields, width)
    frame = pl.DataFrame(rows, schema=dict.fromkeys(names, pl.String), orient="row")
    return frame.with_row_index(ROW, offset=2).with_columns(pl.col(ROW).cast(pl.Int64))


def _drop_blank_rows(frame: pl.DataFrame, names: list[str]) -> pl.DataFrame:
    if not names or frame.height == 0:
        return frame
    empty = pl.all_horizontal(
        [pl.col(n).is_null() | (pl.col(n).str.len_bytes() == 0) for n in names]
    )
    if frame.select(empty.any()).item():
        return frame.filter(~empty)
    return frame


def _check_header(
    names: list[str],
    header: Sequence[str],
    columns: Columns,
    frame: pl.DataFrame,
    file: str,
    findings: Findings,
) -> None:
    present = set(names)
    for name in columns.required:
        if name not in present:
            findings.error(
                "column.missing", f"the required column {name} is missing", file, 1, name
            )
    for name in columns.expected:
        if name not in present:
            findings.warning(
                "column.missing",
                f"the column {name} is missing; its values are taken as empty",
                file,
                1,
                name,
            )
    for i, (name, raw) in enumerate(zip(names, header, strict=True), start=1):
        if name.startswith("_duplicate_") or columns.accepts(name):
            continue
        if name.startswith("_blank_"):
            if frame.get_column(name).drop_nulls().str.strip_chars().str.len_bytes().sum() == 0:
                continue  # an unnamed, empty column (a trailing comma): nothing lost
            message = f"column {i} has no name; it is ignored"
        else:
            message = f"the column {raw.strip()!r} is not in the specification; it is ignored"
        findings.warning("column.unknown", message, file, 1, name)
