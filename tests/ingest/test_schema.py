"""Typing values and the per-value rules (schema.py, parse.py)."""

from __future__ import annotations

from datetime import date

import polars as pl

from caseloads.ingest.findings import Findings
from caseloads.ingest.parse import code_map
from caseloads.ingest.schema import Field, Schema, apply_schema


def typed(field: Field, *values: str | None) -> tuple[list[object], list[tuple[str, int, str]]]:
    """Apply a one-field schema to ``values`` (rows 2, 3, ...): the typed values, and the
    findings as (rule, row, value)."""
    frame = pl.DataFrame(
        {"_row": list(range(2, 2 + len(values))), field.source: list(values)},
        schema={"_row": pl.Int64, field.source: pl.String},
    )
    findings = Findings()
    out = apply_schema(frame, Schema((field,)), file="t.csv", findings=findings)
    assert out.columns == ["_row", field.target]
    return out.get_column(field.target).to_list(), [
        (f.rule, f.row or 0, f.value or "") for f in findings
    ]


def test_dates_in_every_accepted_form() -> None:
    values, found = typed(
        Field("d", "d", "date"),
        "2021-01-05",
        " 2021-01-05 ",
        "2021-01-05 00:00:00",
        "2021-01-05 13:45:10.123",
        "2021-01-05T13:45:10Z",
        "2021-01-05T13:45+01:00",
        "05/01/2021",
        "5/1/2021",
        "05/01/2021 09:30",
    )
    assert values == [date(2021, 1, 5)] * 9
    assert found == []


def test_bad_dates_are_type_errors_with_row_and_value() -> None:
    values, found = typed(
        Field("d", "d", "date"), "2021-02-30", "05/01/21", "yesterday", "", None, "NULL"
    )
    assert values == [None] * 6
    assert found == [
        ("type.date", 2, "2021-02-30"),
        ("type.date", 3, "05/01/21"),
        ("type.date", 4, "yesterday"),
    ]


def test_dates_outside_1900_to_2099_are_out_of_range() -> None:
    _, found = typed(Field("d", "d", "date"), "1899-12-31", "1900-01-01", "9999-12-31")
    assert found == [("range", 2, "1899-12-31"), ("range", 4, "9999-12-31")]


def test_numbers() -> None:
    values, found = typed(Field("n", "n", "float"), "0.5", ".5", "1e0", "nan", "inf", "1,5", "x")
    assert values == [0.5, 0.5, 1.0, None, None, None, None]
    assert [f[:2] for f in found] == [("type.number", r) for r in (5, 6, 7, 8)]


def test_whole_numbers_accept_a_zero_fraction_only() -> None:
    values, found = typed(Field("n", "n", "int"), "3", "3.0", "-2", "3.5")
    assert values == [3, 3, -2, None]
    assert found == [("type.number", 5, "3.5")]


def test_ranges_inclusive_and_exclusive() -> None:
    inclusive = Field("fte", "fte", "float", minimum=0, maximum=1.5)
    assert typed(inclusive, "0", "1.5", "1.51", "-0.1")[1] == [
        ("range", 4, "1.51"),
        ("range", 5, "-0.1"),
    ]
    exclusive = Field("fte", "fte", "float", minimum=0, above_minimum=True, maximum=1.5)
    (finding,) = typed(exclusive, "0", "0.1")[1]
    assert finding == ("range", 2, "0")


def test_flags() -> None:
    values, found = typed(
        Field("f", "f", "bool"), "Y", "n", "TRUE", "0", "Yes", "U", "unknown", "maybe"
    )
    assert values == [True, False, True, False, True, None, None, None]
    assert found == [("type.flag", 9, "maybe")]


def test_codes_are_matched_loosely_and_stored_canonically() -> None:
    field = Field("c", "c", "code", codes=code_map(("permanent", "fixed_term")))
    values, found = typed(field, "Permanent", "Fixed Term", "fixed-term", "FIXED_TERM", "temp")
    assert values == ["permanent", "fixed_term", "fixed_term", "fixed_term", None]
    assert found == [("code.unknown", 6, "temp")]


def test_required_values() -> None:
    values, found = typed(Field("r", "r", required=True), "a", "  ", None, "NULL", " b ")
    assert values == ["a", None, None, None, "b"]
    assert [f[:2] for f in found] == [("required", 3), ("required", 4), ("required", 5)]


def test_identifiers_and_private_values_show_only_their_shape() -> None:
    _, found = typed(Field("dob", "dob", "date", private=True), "12/13/2010")
    assert found == [("type.date", 2, "99/99/9999")]
    field = Field("swe", "swe", "id", namespace="swe", codes=None)
    values, _ = typed(field, " sw 1234567890 ", "Sw0000000001")
    assert values == ["SW1234567890", "SW0000000001"]


def test_an_absent_column_is_null_and_not_reported_row_by_row() -> None:
    frame = pl.DataFrame({"_row": [2, 3]}, schema={"_row": pl.Int64})
    findings = Findings()
    schema = Schema((Field("gone", "gone", "date", required=True),))
    out = apply_schema(frame, schema, file="t.csv", findings=findings)
    assert out.get_column("gone").to_list() == [None, None]
    assert out.schema["gone"] == pl.Date
    assert len(findings) == 0


def test_one_schema_on_frames_with_and_without_a_column() -> None:
    """apply_schema keeps a plan per schema and set of columns present: a plan made for a frame
    that has the column must not be used for one that lacks it, nor the other way round."""
    schema = Schema((Field("a", "a", required=True), Field("d", "d", "date", required=True)))
    both = pl.DataFrame({"_row": [2, 3], "a": ["x", ""], "d": ["2024-01-02", None]})
    only_a = pl.DataFrame({"_row": [2, 3], "a": ["", "y"]})
    for _ in range(2):  # the second time round, both plans are reused
        findings = Findings()
        out = apply_schema(both, schema, file="t.csv", findings=findings)
        assert out.rows() == [(2, "x", date(2024, 1, 2)), (3, None, None)]
        assert [(f.rule, f.row, f.column) for f in findings] == [
            ("required", 3, "a"),
            ("required", 3, "d"),
        ]
        findings = Findings()
        out = apply_schema(only_a, schema, file="t.csv", findings=findings)
        assert out.rows() == [(2, None, None), (3, "y", None)]
        assert [(f.rule, f.row, f.column) for f in findings] == [("required", 2, "a")]
