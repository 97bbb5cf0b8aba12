"""Rules across rows (checks.py)."""

from __future__ import annotations

from datetime import date

import polars as pl
from hypothesis import given
from hypothesis import strategies as st

from caseloads.ingest import checks
from caseloads.ingest.findings import Findings


def frame(**columns: list[object]) -> pl.DataFrame:
    n = len(next(iter(columns.values())))
    return pl.DataFrame({"_row": list(range(2, n + 2)), **columns})


def rows(findings: Findings) -> list[tuple[str, int | None, str | None]]:
    return [(f.rule, f.row, f.value) for f in findings]


D = date


def test_date_order() -> None:
    f = frame(
        s=[D(2024, 1, 2), D(2024, 1, 2), D(2024, 1, 2), None],
        e=[D(2024, 1, 1), D(2024, 1, 2), None, D(2024, 1, 1)],
    )
    findings = Findings()
    checks.date_order(f, "s", "e", file="t.csv", findings=findings, column="end_date")
    assert rows(findings) == [("date.order", 2, "2024-01-01 is before 2024-01-02")]
    (finding,) = findings
    assert finding.column == "end_date" and finding.severity == "error"


def test_overlaps_are_inclusive_and_open_ends_run_on() -> None:
    f = frame(
        k=["a", "a", "a", "b", "b", "c", "c"],
        s=[
            D(2024, 1, 1),
            D(2024, 1, 31),
            D(2024, 3, 1),
            D(2024, 1, 1),
            D(2024, 2, 1),
            D(2024, 1, 1),
            D(2030, 1, 1),
        ],
        e=[D(2024, 1, 31), D(2024, 2, 10), None, D(2024, 1, 31), None, None, None],
    )
    findings = Findings()
    checks.overlaps(f, "k", "s", "e", file="t.csv", findings=findings)
    # a: rows 2-3 share 31 January; row 4 starts after row 3 ends. b: no overlap.
    # c: row 7 starts while row 8's... row 8 starts in 2030 while row 7 is still open.
    assert rows(findings) == [
        ("overlap", 3, "overlaps from row 2"),
        ("overlap", 8, "overlaps from row 7"),
    ]


def test_overlap_can_be_reported_as_a_duplicate_key() -> None:
    f = frame(k=["P1", "P1"], s=[D(2024, 1, 1), D(2024, 6, 1)], e=[None, None])
    findings = Findings()
    checks.overlaps(f, "k", "s", "e", file="t.csv", findings=findings, rule="duplicate.key")
    assert [x.rule for x in findings] == ["duplicate.key"]


def test_duplicate_keys_report_the_later_rows_only() -> None:
    f = frame(k=["x1", "y2", "x1", None, None, "x1"])
    findings = Findings()
    checks.duplicate_keys(f, "k", file="t.csv", findings=findings)
    assert rows(findings) == [("duplicate.key", 4, "x1"), ("duplicate.key", 7, "x1")]
    masked = Findings()
    checks.duplicate_keys(f, "k", file="t.csv", findings=masked, private=True)
    assert [x.value for x in masked] == ["a9", "a9"]


def test_unknown_reference() -> None:
    f = frame(person=["C1", "C2", None, "C9"])
    findings = Findings()
    mask = checks.unknown_reference(
        f,
        "person",
        pl.Series(["C1", "C2"]),
        file="t.csv",
        findings=findings,
        severity="warning",
        message="not in ssd_person",
    )
    assert mask.to_list() == [False, False, False, True]
    assert [(x.rule, x.severity, x.row, x.value) for x in findings] == [
        ("reference.unknown", "warning", 5, "A9")
    ]


_codes = st.lists(st.one_of(st.none(), st.sampled_from(["a", "b", "c", "d"])), max_size=12)


@given(_codes, _codes)
def test_unknown_reference_marks_exactly_the_filled_values_not_known(
    values: list[str | None], known: list[str | None]
) -> None:
    """Whether or not every value is known (the shortcut) and with repeats or nulls in
    ``known``, the mask is the plain definition's."""
    f = (
        frame(person=values)
        if values
        else pl.DataFrame(schema={"_row": pl.Int64, "person": pl.String})
    )
    findings = Findings()
    mask = checks.unknown_reference(
        f,
        "person",
        pl.Series(known, dtype=pl.String),
        file="t.csv",
        findings=findings,
        severity="error",
        message="unknown",
    )
    expected = [v is not None and v not in known for v in values]
    assert mask.to_list() == expected
    assert [x.row for x in findings] == [i + 2 for i, bad in enumerate(expected) if bad]


@given(st.lists(st.tuples(st.sampled_from(["a", "b", None]), st.sampled_from([1, 2, None]))))
def test_duplicate_keys_on_two_columns_report_each_later_repeat(
    pairs: list[tuple[str | None, int | None]],
) -> None:
    f = pl.DataFrame(
        {
            "_row": list(range(2, len(pairs) + 2)),
            "k": [a for a, _ in pairs],
            "n": [b for _, b in pairs],
        },
        schema={"_row": pl.Int64, "k": pl.String, "n": pl.Int64},
    )
    findings = Findings()
    checks.duplicate_keys(f, ["k", "n"], file="t.csv", findings=findings)
    seen: set[tuple[str, int]] = set()
    expected = []
    for i, (a, b) in enumerate(pairs):
        if a is None or b is None:
            continue
        if (a, b) in seen:
            expected.append((i + 2, f"{a} / {b}"))
        seen.add((a, b))
    assert [(x.row, x.value) for x in findings] == expected


def test_conflicts_between_a_workers_rows() -> None:
    f = frame(
        w=["W1", "W1", "W1", "W2", "W2"],
        q=[D(2019, 7, 1), None, D(2019, 7, 2), D(2020, 1, 1), D(2020, 1, 1)],
    )
    findings = Findings()
    checks.conflicts(f, "w", ["q"], file="t.csv", findings=findings, labels={"q": "qualified_date"})
    assert [(x.rule, x.row, x.column, x.value) for x in findings] == [
        ("conflict", 4, "qualified_date", "2019-07-02 (earlier: 2019-07-01)")
    ]


def test_swe_shape_is_a_warning_that_hides_the_number() -> None:
    f = frame(swe=["SW1234567890", "SW12345", "1234567890AB", None])
    findings = Findings()
    checks.swe_shape(f, "swe", file="t.csv", findings=findings, label="swe_number")
    assert [(x.rule, x.severity, x.row, x.value) for x in findings] == [
        ("swe.shape", "warning", 3, "AA99999"),
        ("swe.shape", "warning", 4, "9999999999AA"),
    ]
