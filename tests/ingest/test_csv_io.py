"""CSV structure: ragged rows, quoting, headers, blank rows, row numbers (csv_io.py)."""

from __future__ import annotations

import csv as csvmod
import hashlib
import io
from pathlib import Path

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from tests.ingest.helpers import write

from caseloads.ingest import csv_io
from caseloads.ingest.csv_io import Columns, CsvTable, normalise_name, read_csv
from caseloads.ingest.extract import SourceFile
from caseloads.ingest.findings import MAX_PER_RULE, Findings
from caseloads.ingest.sources import Loaded, load_file

ABC = Columns(required=("a", "b", "c"))


def read(
    tmp_path: Path, data: str | bytes, columns: Columns = ABC
) -> tuple[CsvTable | None, Findings]:
    findings = Findings()
    loaded = load_file(write(tmp_path, "t.csv", data), max_file_bytes=10**7, findings=findings)
    assert loaded is not None
    return read_csv(loaded, columns, findings), findings


def rows(table: CsvTable | None) -> list[tuple[object, ...]]:
    assert table is not None
    return table.frame.rows()


def test_rows_are_numbered_as_a_spreadsheet_shows_them(tmp_path: Path) -> None:
    table, findings = read(tmp_path, "a,b,c\r\n1,2,3\r\n4,5,6")
    assert rows(table) == [(2, "1", "2", "3"), (3, "4", "5", "6")]
    assert table is not None and table.frame.schema["_row"] == pl.Int64
    assert len(findings) == 0


def test_short_and_long_rows_are_ragged(tmp_path: Path) -> None:
    table, findings = read(tmp_path, "a,b,c\n1,2,3\n4,5\n6,7,8,9\n10,11,12\n")
    ragged = [(f.row, f.value, f.severity) for f in findings if f.rule == "file.ragged"]
    assert ragged == [(3, "2 fields", "error"), (4, "4 fields", "error")]
    assert [r[0] for r in rows(table)] == [2, 3, 4, 5]


def test_quoted_commas_and_newlines_keep_the_count(tmp_path: Path) -> None:
    table, findings = read(tmp_path, 'a,b,c\n1,"x,\ny",3\n4,"q""r",6\n7,8\n')
    assert rows(table)[:2] == [(2, "1", "x,\ny", "3"), (3, "4", 'q"r', "6")]
    assert [(f.rule, f.row) for f in findings] == [("file.ragged", 4)]


def test_a_stray_quote_falls_back_to_the_csv_module(tmp_path: Path) -> None:
    table, findings = read(tmp_path, 'a,b,c\n1,x"y,3\n4,5\n')
    assert rows(table) == [(2, "1", 'x"y', "3"), (3, "4", "5", "")]
    assert [(f.rule, f.row) for f in findings] == [("file.ragged", 3)]


def test_an_unclosed_quote_is_malformed(tmp_path: Path) -> None:
    table, findings = read(tmp_path, 'a,b,c\n1,"x,3\n4,5,6\n')
    assert table is None
    assert [(f.rule, f.row) for f in findings] == [("file.malformed", 2)]


def test_blank_rows_are_dropped_and_numbering_kept(tmp_path: Path) -> None:
    table, findings = read(tmp_path, "a,b,c\n1,2,3\n\n,,\n4,5,6\n\n\n")
    assert [r[0] for r in rows(table)] == [2, 5]
    assert len(findings) == 0


def test_header_names_are_normalised() -> None:
    assert normalise_name("  Worker   Ref ") == "worker_ref"
    assert normalise_name("PERS_PERSON_ID") == "pers_person_id"


def test_header_problems(tmp_path: Path) -> None:
    columns = Columns(required=("a", "b", "x"), expected=("y",), known=("k",))
    table, findings = read(tmp_path, " A ,B,B,k,extra,,\n1,2,3,4,5,,\n", columns)
    got = [(f.rule, f.severity, f.row, f.column) for f in findings]
    assert ("column.duplicate", "error", 1, "b") in got
    assert ("column.missing", "error", 1, "x") in got
    assert ("column.missing", "warning", 1, "y") in got
    assert ("column.unknown", "warning", 1, "extra") in got
    assert len(got) == 4  # the two unnamed, empty columns are not reported
    assert table is not None and table.frame.columns[:3] == ["_row", "a", "b"]


def test_an_unnamed_column_with_values_is_reported(tmp_path: Path) -> None:
    _, findings = read(tmp_path, "a,b,c,\n1,2,3,4\n")
    assert [(f.rule, f.column) for f in findings] == [("column.unknown", "_blank_4")]


def test_empty_file_and_header_only(tmp_path: Path) -> None:
    assert [f.rule for f in read(tmp_path, " \n\n")[1]] == ["file.empty"]
    table, findings = read(tmp_path, "a,b,c\n")
    assert table is not None and table.frame.height == 0
    assert [(f.rule, f.severity) for f in findings] == [("file.no_rows", "warning")]


def test_a_million_ragged_rows_do_not_make_a_million_findings(tmp_path: Path) -> None:
    body = "a,b,c\n" + "1,2\n" * (MAX_PER_RULE + 50)
    _, findings = read(tmp_path, body)
    listed = list(findings)
    assert len(findings) == MAX_PER_RULE + 50
    assert listed[-1].message == "50 more finding(s) of this rule not listed"


field_text = st.text(alphabet=st.sampled_from('ab ,"\n1é'), max_size=6)


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.lists(field_text, min_size=1, max_size=5), min_size=1, max_size=12),
    st.sampled_from(["\n", "\r\n"]),
    st.sampled_from([1, 2, 5, 1 << 25]),
)
def test_fast_field_count_agrees_with_the_csv_module(
    records: list[list[str]], end: str, chunk: int
) -> None:
    """Every record whose field count differs from the header's is reported, at its row, and
    every other record is read exactly, however the bytes are chunked for the count."""
    buffer = io.StringIO()
    writer = csvmod.writer(buffer, lineterminator=end)
    writer.writerow(["a", "b", "c"])
    writer.writerows(records)
    findings = Findings()
    loaded = _loaded(buffer.getvalue().encode())
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(csv_io, "_CHUNK", chunk)
        table = read_csv(loaded, Columns(), findings)
    reported = sorted(f.row or 0 for f in findings if f.rule == "file.ragged")
    expected = [i + 2 for i, r in enumerate(records) if len(r) != 3]  # [""] is written '""'
    assert reported == expected
    assert table is not None
    got = {r[0]: tuple(v or "" for v in r[1:]) for r in table.frame.rows()}
    for i, r in enumerate(records):
        if len(r) == 3 and any(r):
            assert got[i + 2] == tuple(r)


def _loaded(data: bytes) -> Loaded:
    return Loaded("t.csv", data, SourceFile("t.csv", hashlib.sha256(data).hexdigest(), len(data)))


def test_old_mac_line_ends_are_read(tmp_path: Path) -> None:
    table, findings = read(tmp_path, b"a,b,c\r1,2,3\r4,5\r")
    assert rows(table) == [(2, "1", "2", "3"), (3, "4", "5", "")]
    assert [(f.rule, f.row) for f in findings] == [("file.ragged", 3)]


@settings(max_examples=150, deadline=None)
@given(
    st.lists(
        st.lists(st.sampled_from(["", "1", "x y", "é", "\r"]), min_size=0, max_size=5),
        min_size=0,
        max_size=8,
    ),
    st.booleans(),
)
def test_counting_separators_reads_as_locating_them(
    lines: list[list[str]], final_newline: bool
) -> None:
    """A file with no quotes whose separators number exactly what every line having the
    header's fields would make is read from those counts (and Polars' refusal of longer lines);
    whatever the lines, the frame and findings are those of the full scan of every record."""
    text = "\n".join(["a,b,c", *(",".join(line) for line in lines)])
    payload = (text + ("\n" if final_newline else "")).encode()
    results = []
    for counting in (True, False):
        original = csv_io._uniform_records
        if not counting:
            csv_io._uniform_records = lambda _payload, _fields: None  # type: ignore[assignment]
        try:
            findings = Findings()
            frame = csv_io._fast_read(payload, ["a", "b", "c"], "t.csv", findings)
        finally:
            csv_io._uniform_records = original  # type: ignore[assignment]
        results.append((None if frame is None else frame.rows(), [f.as_dict() for f in findings]))
    assert results[0] == results[1]


def test_a_plain_file_is_read_from_its_byte_counts() -> None:
    assert csv_io._uniform_records(b"a,b,c\n1,2,3\n4,5,6\n", 3) == 2
    assert csv_io._uniform_records(b"a,b,c\n1,2,3\n4,5,6", 3) == 2
    assert csv_io._uniform_records(b'a,b,c\n1,"2",3\n', 3) is None  # quotes: scanned
    assert csv_io._uniform_records(b"a,b,c\n1,2,3\n\n4,5,6\n", 3) is None  # a blank line
    assert csv_io._uniform_records(b"a\n1\n", 1) is None  # one field: blank lines unseen
