"""The SSDA903 extract: a folder of children looked after tables (ssda903.py, ssda903_tables.py)."""

from __future__ import annotations

import tempfile
import zipfile
from collections import Counter
from collections.abc import Mapping
from datetime import date
from pathlib import Path

import polars as pl
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tests.ingest.helpers import P, assert_clean, assert_no_raw, assert_shapes, found, write

from caseloads.ingest import ssda903
from caseloads.ingest.extract import Extract
from caseloads.ingest.pseudonymise import local_namespace, swe_namespace
from caseloads.ingest.rules import RULES
from caseloads.ingest.ssda903 import read_ssda903, read_ssda903_many

LA = "301"
FIXTURE = Path(__file__).parents[1] / "fixtures" / "ssda903"

#: The DfE headers of each table (definitions.md [S12]).
COLUMNS: dict[str, tuple[str, ...]] = {
    "header": ("CHILD", "SEX", "DOB", "ETHNIC", "UPN", "MOTHER", "MC_DOB"),
    "episodes": (
        "CHILD",
        "DECOM",
        "RNE",
        "LS",
        "CIN",
        "PLACE",
        "PLACE_PROVIDER",
        "DEC",
        "REC",
        "REASON_PLACE_CHANGE",
        "HOME_POST",
        "PL_POST",
        "URN",
    ),
    "uasc": ("CHILD", "SEX", "DOB", "DUC"),
    "reviews": ("CHILD", "DOB", "REVIEW", "REVIEW_CODE"),
    "missing": ("CHILD", "DOB", "MISSING", "MIS_START", "MIS_END"),
    "oc2": (
        "CHILD",
        "DOB",
        "SDQ_SCORE",
        "SDQ_REASON",
        "CONVICTED",
        "HEALTH_CHECK",
        "IMMUNISATIONS",
        "TEETH_CHECK",
        "HEALTH_ASSESSMENT",
        "SUBSTANCE_MISUSE",
        "INTERVENTION_RECEIVED",
        "INTERVENTION_OFFERED",
    ),
    "oc3": ("CHILD", "DOB", "IN_TOUCH", "ACTIV", "ACCOM"),
    "ad1": (
        "CHILD",
        "DOB",
        "DATE_INT",
        "DATE_MATCH",
        "FOSTER_CARE",
        "NB_ADOPTR",
        "SEX_ADOPTR",
        "LS_ADOPTR",
    ),
    "placed_for_adoption": (
        "CHILD",
        "DOB",
        "DATE_PLACED",
        "DATE_PLACED_CEASED",
        "REASON_PLACED_CEASED",
    ),
    "previous_permanence": ("CHILD", "DOB", "PREV_PERM", "LA_PERM", "DATE_PERM"),
    "sw_episodes": ("CHILD", "DOB", "SW_ID", "SW_DECOM", "SW_DEC", "SW_REASON"),
}

Row = Mapping[str, str]


def table(name: str, *rows: Row, extra: tuple[str, ...] = ()) -> str:
    """A CSV with the table's DfE header (plus ``extra`` columns first) and ``rows``."""
    columns = (*extra, *COLUMNS[name])
    lines = [",".join(columns), *(",".join(r.get(c, "") for c in columns) for r in rows)]
    return "\n".join(lines) + "\n"


D1 = {"DOB": "15/03/2010"}
D2 = {"DOB": "01/07/2012"}
ROWS: dict[str, list[Row]] = {
    "header": [
        {"CHILD": "CH0001", "SEX": "1", "ETHNIC": "WBRI", "UPN": "A123456789012", **D1},
        {"CHILD": "CH0002", "SEX": "2", "DOB": "2012-07-01", "ETHNIC": "nobt", "MOTHER": "1"},
        {"CHILD": "CH0003", "SEX": "F", "UPN": "B123456789012", "MC_DOB": "02/02/2029"},
    ],
    "episodes": [
        {
            "CHILD": "CH0001",
            **dict(DECOM="01/04/2022", RNE="S", LS="C2", CIN="N1", PLACE="U4"),
            **dict(PLACE_PROVIDER="PR1", DEC="10/06/2022", REC="X1"),
            **dict(REASON_PLACE_CHANGE="CARPL", HOME_POST="AB1 2CD", PL_POST="EF3 4GH"),
            "URN": "SC123456",
        },
        {
            "CHILD": "CH0001",
            **dict(DECOM="10/06/2022", RNE="P", LS="C2", CIN="N1", PLACE="K2"),
            **dict(PLACE_PROVIDER="PR4", HOME_POST="AB1 2CD", PL_POST="IJ5 6KL"),
        },
        {
            "CHILD": "CH0002",
            **dict(DECOM="2023-01-15", RNE="s", LS="v2", CIN="N4", PLACE="U6"),
            **dict(PLACE_PROVIDER="PR2", DEC="2023-02-01", REC="E11"),
        },
    ],
    "uasc": [{"CHILD": "CH0003", "SEX": "F", "DOB": "01/01/2008", "DUC": "01/01/2026"}],
    "reviews": [
        {"CHILD": "CH0001", "REVIEW": "01/05/2022", "REVIEW_CODE": "PN1", **D1},
        {"CHILD": "CH0001", "REVIEW": "2022-10-01", "REVIEW_CODE": "PN0", **D1},
    ],
    "missing": [
        {"CHILD": "CH0001", "MISSING": "M", "MIS_START": "02/05/2022", "MIS_END": "03/05/2022"},
        {"CHILD": "CH0001", "MISSING": "a", "MIS_START": "01/07/2022", **D1},
    ],
    "oc2": [
        {
            "CHILD": "CH0001",
            **dict(SDQ_SCORE="12", CONVICTED="0", HEALTH_CHECK="1", IMMUNISATIONS="1"),
            **dict(TEETH_CHECK="0", HEALTH_ASSESSMENT="1", SUBSTANCE_MISUSE="0"),
        },
        {
            "CHILD": "CH0002",
            **dict(SDQ_REASON="SDQ1", CONVICTED="0", HEALTH_CHECK="0", IMMUNISATIONS="0"),
            **dict(TEETH_CHECK="0", HEALTH_ASSESSMENT="0", SUBSTANCE_MISUSE="0"),
            **dict(INTERVENTION_RECEIVED="0", INTERVENTION_OFFERED="0"),
        },
    ],
    "oc3": [{"CHILD": "CH0003", "IN_TOUCH": "YES", "ACTIV": "F2", "ACCOM": "s2"}],
    "ad1": [
        {
            "CHILD": "CH0002",
            **dict(DATE_INT="01/02/2023", DATE_MATCH="15/03/2023", FOSTER_CARE="1"),
            **dict(NB_ADOPTR="2", SEX_ADOPTR="MF", LS_ADOPTR="L12"),
        }
    ],
    "placed_for_adoption": [{"CHILD": "CH0002", "DATE_PLACED": "01/04/2023", **D2}],
    "previous_permanence": [
        {"CHILD": "CH0001", "PREV_PERM": "P1", "LA_PERM": "301", "DATE_PERM": "zz/zz/2001"},
        {"CHILD": "CH0002", "PREV_PERM": "Z1"},
    ],
    "sw_episodes": [
        {"CHILD": "CH0001", "SW_ID": "SW1234567890", "SW_DECOM": "01/04/2022", **D1}
        | {"SW_DEC": "30/09/2022"},
        {"CHILD": "CH0001", "SW_ID": "XX42", "SW_DECOM": "30/09/2022", "SW_REASON": "LEFTRL"},
    ],
}
#: Identifiers and personal items of the hand-built folder that must never be stored.
RAW = [
    "CH0001",
    "CH0002",
    "CH0003",
    "A123456789012",
    "B123456789012",
    "AB1 2CD",
    "EF3 4GH",
    "IJ5 6KL",
    "SC123456",
    "15/03/2010",
    "2010-03-15",
    "2012-07-01",
    "02/02/2029",
    "SW1234567890",
    "XX42",
]
ALL_RULES = set(RULES) | {r.id for r in ssda903.RULES}


def folder(tmp_path: Path, name: str = "903", **changes: str | None) -> Path:
    """Write the hand-built tables, some replaced (text) or left out (None)."""
    root = tmp_path / name
    root.mkdir(exist_ok=True)
    texts: dict[str, str | None] = {t: table(t, *rows) for t, rows in ROWS.items()}
    for t, text in (texts | changes).items():
        if text is not None:
            write(root, f"{t}.csv", text)
    return root


def with_rows(name: str, *rows: Row) -> str:
    """The hand-built table ``name`` with ``rows`` added."""
    return table(name, *ROWS[name], *rows)


def read(path: Path, *, la_code: str | None = LA, year: int | None = 2023) -> Extract:
    return read_ssda903(
        path, la_code=la_code, pseudonymiser=P, max_file_bytes=10_000_000, year=year
    )


def ns(kind: str, la: str = LA) -> str:
    return local_namespace(la, kind)


def h(kind: str, value: str, la: str = LA) -> str:
    return P.one(ns(kind, la), value)


def swe(value: str) -> str:
    """SW_ID is a Social Work England number: hashed in the national ``swe`` namespace, so it
    meets the same worker's ``swe_hash`` in the staff extract and the CSWW return."""
    return P.one(swe_namespace(), value)


def got(extract: Extract) -> list[tuple[str, str, str, int | None, str | None, str | None]]:
    return [(f.severity, f.rule, f.file, f.row, f.column, f.value) for f in extract.findings]


# --- the validator's fixture -------------------------------------------------------------------


def test_the_validator_fixture_reads_with_the_findings_it_deserves() -> None:
    extract = read(FIXTURE, year=2018)
    assert_shapes(extract)
    assert (extract.kind, extract.la_code, extract.scope) == ("ssda903", LA, "2018")
    assert extract.as_of == date(2018, 3, 31)
    assert len(extract.files) == 11
    assert extract.row_counts() == {
        "children": 2675,
        "cla_episodes": 5050,
        "uasc": 132,
        "cla_reviews": 12582,
        "missing_episodes": 43,
        "cla_outcomes": 2675,
        "care_leavers": 53,
        "adoptions": 29,
        "placed_for_adoption": 29,
        "previous_permanence": 2675,
        "involvements": 1,
    }
    counts = Counter((f.severity, f.rule, f.file, f.column) for f in extract.findings)
    # The episodes were generated at random: 82 start before the child's previous one ended.
    assert counts == {
        ("warning", "file.unknown", "README.md", None): 1,  # ours, beside the copied tables
        ("error", "overlap", "episodes.csv", "decom"): 82,
        ("warning", "code.unknown", "sw_episodes.csv", "sw_reason"): 1,
        ("warning", "reference.unknown", "sw_episodes.csv", "child"): 1,
    }
    # The deliberately invalid social-worker row: a child not in the header, an unknown reason.
    sw = [(f.rule, f.row, f.value) for f in extract.findings if f.file == "sw_episodes.csv"]
    assert sw == [("code.unknown", 2, "SWLAZY"), ("reference.unknown", 2, "AAAAA99")]
    first = next(f for f in extract.findings if f.rule == "overlap")
    # Child 708102: 11/03/2017-10/03/2018 on row 312, then 11/01/2018 on row 313.
    assert (first.row, first.value) == (313, "starts before the episode on row 312 ended")
    involvement = extract.frames["involvements"].row(0, named=True)
    assert involvement["worker_id"] == swe("SW999")
    assert involvement["start_date"] == date(2020, 1, 1)
    assert involvement["change_reason"] == "SWLAZY"


def test_the_fixture_keeps_no_identifier_postcode_upn_or_birth_date() -> None:
    extract = read(FIXTURE, year=2018)
    header = pl.read_csv(FIXTURE / "header.csv", infer_schema=False)
    episodes = pl.read_csv(FIXTURE / "episodes.csv", infer_schema=False)
    children = set(header.get_column("CHILD").to_list())
    strings = {
        v
        for frame in extract.frames.values()
        for name, dtype in frame.schema.items()
        if dtype == pl.String
        for v in frame.get_column(name).drop_nulls().to_list()
    }
    assert not children & strings
    raw = [
        *header.get_column("UPN").drop_nulls().head(50).to_list(),
        *header.get_column("DOB").head(50).to_list(),
        *episodes.get_column("HOME_POST").drop_nulls().head(50).to_list(),
        *episodes.get_column("PL_POST").drop_nulls().head(50).to_list(),
    ]
    assert_no_raw(extract, raw)
    assert extract.frames["children"].get_column("birth_month").str.len_chars().max() == 7


# --- a hand-built folder -----------------------------------------------------------------------


def test_a_good_folder_every_table_by_hand(tmp_path: Path) -> None:
    extract = read(folder(tmp_path))
    assert_clean(extract)
    assert_shapes(extract)
    assert (extract.scope, extract.as_of) == ("2023", date(2023, 3, 31))
    c1, c2, c3 = (h("person", c) for c in ("CH0001", "CH0002", "CH0003"))
    f = extract.frames
    # SEX 1/2 (to 2023-24) and M/F/U (from 2024-25) are stored alike (targets.conform).
    assert f["children"].rows() == [
        (c1, "2010-03", "M", "WBRI"),
        (c2, "2012-07", "F", "NOBT"),
        (c3, None, "F", None),
    ]
    assert f["cla_episodes"].rows() == [
        (
            h("cla_episode", "CH0001|2022-04-01"),
            c1,
            None,
            date(2022, 4, 1),
            "S",
            date(2022, 6, 10),
            "X1",
            "N1",
            None,
            "C2",
            "U4",
            "PR1",
            "CARPL",
        ),
        (
            h("cla_episode", "CH0001|2022-06-10"),
            c1,
            None,
            date(2022, 6, 10),
            "P",
            None,
            None,
            "N1",
            None,
            "C2",
            "K2",
            "PR4",
            None,
        ),
        (
            h("cla_episode", "CH0002|2023-01-15"),
            c2,
            None,
            date(2023, 1, 15),
            "S",
            date(2023, 2, 1),
            "E11",
            "N4",
            None,
            "V2",
            "U6",
            "PR2",
            None,
        ),
    ]
    assert f["uasc"].rows() == [(c3, date(2026, 1, 1))]
    assert f["cla_reviews"].rows() == [
        (c1, date(2022, 5, 1), "PN1"),
        (c1, date(2022, 10, 1), "PN0"),
    ]
    assert f["missing_episodes"].rows() == [
        (c1, "M", date(2022, 5, 2), date(2022, 5, 3)),
        (c1, "A", date(2022, 7, 1), None),
    ]
    assert f["cla_outcomes"].rows() == [
        (c1, 12, None, False, True, True, False, True, False, None, None),
        (c2, None, "SDQ1", False, False, False, False, False, False, False, False),
    ]
    assert f["care_leavers"].rows() == [
        (h("care_leaver", "CH0003"), c3, None, "YES", None, "S2", None, "F2", None, None, None)
    ]
    assert f["adoptions"].rows() == [
        (c2, date(2023, 2, 1), date(2023, 3, 15), True, 2, "MF", "L12")
    ]
    assert f["placed_for_adoption"].rows() == [(c2, date(2023, 4, 1), None, None)]
    assert f["previous_permanence"].rows() == [
        (c1, "P1", "301", "zz/zz/2001"),
        (c2, "Z1", None, None),
    ]
    assert f["involvements"].rows() == [
        (
            h("involvement", "CH0001|SW1234567890|2022-04-01"),
            swe("SW1234567890"),
            c1,
            None,
            "CW",
            date(2022, 4, 1),
            date(2022, 9, 30),
            None,
            None,
        ),
        (
            h("involvement", "CH0001|XX42|2022-09-30"),
            swe("XX42"),
            c1,
            None,
            "CW",
            date(2022, 9, 30),
            None,
            None,
            "LEFTRL",
        ),
    ]
    assert extract.teams is not None and extract.teams.height == 0
    assert_no_raw(extract, RAW)


def test_the_same_episode_in_two_returns_has_the_same_id(tmp_path: Path) -> None:
    iso = [
        {"CHILD": "CH0001", "DECOM": "2022-04-01", "DEC": "2022-06-10"},
        {"CHILD": "CH0001", "DECOM": "2022-06-10"},
    ]
    first = read(folder(tmp_path, "2023"), year=2023)
    second = read(folder(tmp_path, "2024", episodes=table("episodes", *iso)), year=2024)
    ids = [e.frames["cla_episodes"].get_column("cla_episode_id").to_list() for e in (first, second)]
    assert ids[0][:2] == ids[1]
    assert (first.scope, second.scope) == ("2023", "2024")


def test_dates_may_be_iso_or_day_month_year(tmp_path: Path) -> None:
    reviews = table(
        "reviews",
        {"CHILD": "CH0001", "REVIEW": "01/05/2022"},
        {"CHILD": "CH0001", "REVIEW": "2022-05-02"},
        {"CHILD": "CH0001", "REVIEW": "2022-05-03T10:00:00"},
        {"CHILD": "CH0001", "REVIEW": "4/5/2022"},
    )
    extract = read(folder(tmp_path, reviews=reviews))
    assert_clean(extract)
    assert extract.frames["cla_reviews"].get_column("review_date").to_list() == [
        date(2022, 5, d) for d in (1, 2, 3, 4)
    ]


def test_windows_1252_and_byte_order_mark_files(tmp_path: Path) -> None:
    root = folder(tmp_path)
    header = table("header", *ROWS["header"], {"CHILD": "CHÉ1", "SEX": "2"})
    write(root, "header.csv", header, encoding="cp1252")
    episode = {"CHILD": "CHÉ1", "DECOM": "01/01/2023"}
    write(root, "episodes.csv", "\ufeff" + with_rows("episodes", episode).replace("\n", "\r\n"))
    extract = read(root)
    assert_clean(extract)
    assert extract.frames["children"].get_column("child_id")[3] == h("person", "CHÉ1")
    assert extract.frames["cla_episodes"].get_column("child_id")[3] == h("person", "CHÉ1")


def test_the_social_worker_table_under_its_dfe_name(tmp_path: Path) -> None:
    root = folder(tmp_path, sw_episodes=None)
    write(root, "Social_Worker.CSV", table("sw_episodes", *ROWS["sw_episodes"]))
    extract = read(root)
    assert_clean(extract)
    assert extract.frames["involvements"].height == 2


# --- authorities and years ---------------------------------------------------------------------

KEYS = ("LA", "YEAR")


def pooled(tmp_path: Path) -> Path:
    """Two authorities, three returns, in files with LA and YEAR columns."""
    root = tmp_path / "pooled"
    root.mkdir()
    header = [
        {"LA": "301", "YEAR": "2023", "CHILD": "CH1", "SEX": "1", "DOB": "01/01/2010"},
        {"LA": "301", "YEAR": "2024", "CHILD": "CH1", "SEX": "1", "DOB": "01/01/2010"},
        {"LA": "302", "YEAR": "2024", "CHILD": "CH1", "SEX": "2", "DOB": "01/01/2011"},
    ]
    episodes = [
        {"LA": "301", "YEAR": "2023", "CHILD": "CH1", "DECOM": "01/04/2022", "DEC": "01/04/2023"},
        {"LA": "301", "YEAR": "2024", "CHILD": "CH1", "DECOM": "01/04/2022", "DEC": "01/04/2023"},
        {"LA": "301", "YEAR": "2024", "CHILD": "CH1", "DECOM": "01/04/2023"},
        {"LA": "302", "YEAR": "2024", "CHILD": "CH1", "DECOM": "31/02/2024"},
        {"LA": "302", "YEAR": "2024", "CHILD": "CH8", "DECOM": "01/03/2024"},
    ]
    reviews = [{"LA": "301", "YEAR": "2024", "CHILD": "CH1", "REVIEW": "01/05/2023"}]
    write(root, "header.csv", table("header", *header, extra=KEYS))
    write(root, "episodes.csv", table("episodes", *episodes, extra=KEYS))
    write(root, "reviews.csv", table("reviews", *reviews, extra=KEYS))
    return root


def many(path: Path, *, la_code: str | None = None, year: int | None = None) -> list[Extract]:
    return read_ssda903_many(
        path, la_code=la_code, pseudonymiser=P, max_file_bytes=10_000_000, year=year
    )


def test_pooled_files_split_by_authority_and_year(tmp_path: Path) -> None:
    root = pooled(tmp_path)
    write(root, "notes.txt", "hello")
    extracts = many(root)
    assert [(e.la_code, e.scope, e.as_of) for e in extracts] == [
        ("301", "2023", date(2023, 3, 31)),
        ("301", "2024", date(2024, 3, 31)),
        ("302", "2024", date(2024, 3, 31)),
    ]
    for e in extracts:
        assert_shapes(e)
        assert len(e.files) == 3
    assert [e.row_counts()["cla_episodes"] for e in extracts] == [1, 2, 2]
    assert [e.row_counts()["cla_reviews"] for e in extracts] == [0, 1, 0]
    # The same child id in two authorities is two children: ids are hashed per authority.
    assert extracts[0].frames["children"].item(0, "child_id") == h("person", "CH1", "301")
    assert extracts[2].frames["children"].item(0, "child_id") == h("person", "CH1", "302")
    # The same episode in two years' returns keeps its id.
    ids = [e.frames["cla_episodes"].item(0, "cla_episode_id") for e in extracts[:2]]
    assert ids[0] == ids[1] == h("cla_episode", "CH1|2022-04-01", "301")
    # Row findings go to their own return's extract; findings about the folder to all.
    assert [[(f.rule, f.file, f.row) for f in e.findings] for e in extracts] == [
        [("file.unknown", "notes.txt", None)],
        [("file.unknown", "notes.txt", None)],
        [
            ("file.unknown", "notes.txt", None),
            ("type.date", "episodes.csv", 5),
            ("reference.unknown", "episodes.csv", 6),
        ],
    ]


def test_one_extract_refuses_a_pooled_folder(tmp_path: Path) -> None:
    extract = read(pooled(tmp_path), la_code=None, year=None)
    (finding,) = found(extract, "la.multiple")
    assert finding.severity == "error" and "3 returns" in finding.message
    assert "301 2023, 301 2024, 302 2024" in finding.message
    assert_shapes(extract)
    assert sum(extract.row_counts().values()) == 0


def test_a_given_authority_or_year_must_agree_with_the_files(tmp_path: Path) -> None:
    extracts = many(pooled(tmp_path), la_code="301", year=2024)
    mismatches = [[(f.rule, f.file, f.row, f.value) for f in e.findings.errors] for e in extracts]
    assert mismatches[0] == [
        ("year.mismatch", "header.csv", 2, "2023"),
        ("year.mismatch", "episodes.csv", 2, "2023"),
    ]
    assert mismatches[1] == []
    assert [m[:2] for m in mismatches[2][:2]] == [
        ("la.mismatch", "header.csv"),
        ("la.mismatch", "episodes.csv"),
    ]


def test_a_single_pooled_return_reads_as_one_extract(tmp_path: Path) -> None:
    keys = {"LA": "302", "YEAR": "2024"}
    changes = {t: table(t, *({**r, **keys} for r in rows), extra=KEYS) for t, rows in ROWS.items()}
    extract = read(folder(tmp_path, **changes), la_code=None, year=None)
    assert_clean(extract)
    assert (extract.la_code, extract.scope) == ("302", "2024")
    assert extract.frames["children"].item(0, "child_id") == h("person", "CH0001", "302")


def test_blank_or_bad_keys_and_a_table_without_them(tmp_path: Path) -> None:
    root = pooled(tmp_path)
    header = [
        {"LA": "301", "YEAR": "2023", "CHILD": "CH1"},
        {"LA": "", "YEAR": "2023", "CHILD": "CH2"},
        {"LA": "301", "YEAR": "23/24", "CHILD": "CH3"},
        {"LA": "301", "YEAR": "1999", "CHILD": "CH4"},
    ]
    write(root, "header.csv", table("header", *header, extra=KEYS))
    write(root, "reviews.csv", table("reviews", {"CHILD": "CH1", "REVIEW": "01/05/2023"}))
    extracts = many(root, la_code="301")
    expected = [
        ("error", "required", "header.csv", 3, "la", None),
        ("error", "type.number", "header.csv", 4, "year", "23/24"),
        ("error", "range", "header.csv", 5, "year", "1999"),
        ("error", "column.missing", "reviews.csv", 1, "la", None),
        ("error", "column.missing", "reviews.csv", 1, "year", None),
    ]
    for e in extracts:
        assert set(expected) <= set(got(e))
    # The reviews without YEAR cannot be placed in a return: they are in none.
    assert sum(e.row_counts()["cla_reviews"] for e in extracts) == 0


def test_the_year_may_be_unknown(tmp_path: Path) -> None:
    extract = read(folder(tmp_path), year=None)
    assert [(f.severity, f.rule) for f in extract.findings] == [("warning", "year.missing")]
    assert (extract.scope, extract.as_of) == ("", None)


def test_the_authority_is_required_without_an_la_column(tmp_path: Path) -> None:
    extract = read(folder(tmp_path), la_code=None)
    assert [(f.severity, f.rule) for f in extract.findings] == [("error", "la.missing")]


# --- rules -------------------------------------------------------------------------------------


def test_required_columns_and_values(tmp_path: Path) -> None:
    episodes = table("episodes", *ROWS["episodes"]).replace("DECOM", "START").replace("RNE", "X")
    reviews = with_rows("reviews", {"CHILD": "CH0002", "REVIEW": " "})
    extract = read(folder(tmp_path, episodes=episodes, reviews=reviews))
    assert sorted(got(extract)) == [
        ("error", "column.missing", "episodes.csv", 1, "decom", None),
        ("error", "required", "reviews.csv", 4, "review", None),
        ("warning", "column.missing", "episodes.csv", 1, "rne", None),
        ("warning", "column.unknown", "episodes.csv", 1, "start", None),
        ("warning", "column.unknown", "episodes.csv", 1, "x", None),
    ]


def test_values_that_are_not_their_type(tmp_path: Path) -> None:
    extract = read(
        folder(
            tmp_path,
            episodes=with_rows("episodes", {"CHILD": "CH0002", "DECOM": "31/02/2023"}),
            header=with_rows("header", {"CHILD": "CH0004", "DOB": "1/13/2010"}),
            oc2=with_rows("oc2", {"CHILD": "CH0003", "SDQ_SCORE": "41"}, {"SDQ_SCORE": "x"}),
            ad1=with_rows("ad1", {"CHILD": "CH0001", "NB_ADOPTR": "3"}),
        )
    )
    assert sorted(f for f in got(extract) if f[0] == "error") == [
        ("error", "range", "ad1.csv", 3, "nb_adoptr", "3"),
        ("error", "range", "oc2.csv", 4, "sdq_score", "41"),
        ("error", "required", "oc2.csv", 5, "child", None),
        ("error", "type.date", "episodes.csv", 5, "decom", "31/02/2023"),
        ("error", "type.date", "header.csv", 5, "dob", "9/99/9999"),  # a birth date: shape only
        ("error", "type.number", "oc2.csv", 5, "sdq_score", "x"),
    ]


def test_firm_code_lists_are_errors(tmp_path: Path) -> None:
    extract = read(
        folder(
            tmp_path,
            header=with_rows("header", {"CHILD": "CH0004", "SEX": "3"}),
            missing=with_rows(
                "missing", {"CHILD": "CH0002", "MISSING": "X", "MIS_START": "1/1/2023"}
            ),
            oc2=with_rows("oc2", {"CHILD": "CH0003", "CONVICTED": "2", "TEETH_CHECK": "Y"}),
            ad1=with_rows("ad1", {"CHILD": "CH0001", "FOSTER_CARE": "yes"}),
        )
    )
    assert sorted(got(extract)) == [
        ("error", "code.unknown", "ad1.csv", 3, "foster_care", "yes"),
        ("error", "code.unknown", "header.csv", 5, "sex", "3"),
        ("error", "code.unknown", "missing.csv", 4, "missing", "X"),
        ("error", "code.unknown", "oc2.csv", 4, "convicted", "2"),
        ("error", "code.unknown", "oc2.csv", 4, "teeth_check", "Y"),
    ]


def test_other_code_lists_are_warnings_and_values_are_kept(tmp_path: Path) -> None:
    extract = read(
        folder(
            tmp_path,
            header=with_rows("header", {"CHILD": "CH0004", "ETHNIC": "White"}),
            episodes=with_rows(
                "episodes",
                {"CHILD": "CH0003", "DECOM": "01/01/2023", "PLACE": "zz9", "LS": "C2"},
            ),
            sw_episodes=with_rows(
                "sw_episodes",
                {"CHILD": "CH0002", "SW_ID": "SW1", "SW_DECOM": "01/01/2023"}
                | {"SW_REASON": "SWLAZY"},
            ),
        )
    )
    assert not extract.findings.has_errors()
    assert sorted((f.file, f.row, f.column, f.value) for f in found(extract, "code.unknown")) == [
        ("episodes.csv", 5, "place", "zz9"),
        ("header.csv", 5, "ethnic", "White"),
        ("sw_episodes.csv", 4, "sw_reason", "SWLAZY"),
    ]
    assert extract.frames["cla_episodes"].item(3, "placement_type") == "ZZ9"
    assert extract.frames["children"].item(3, "ethnicity") == "WHITE"


def test_ends_before_starts(tmp_path: Path) -> None:
    extract = read(
        folder(
            tmp_path,
            episodes=with_rows(
                "episodes", {"CHILD": "CH0003", "DECOM": "01/02/2023", "DEC": "31/01/2023"}
            ),
            missing=with_rows(
                "missing", {"CHILD": "CH0002", "MIS_START": "2023-01-02", "MIS_END": "2023-01-01"}
            ),
            sw_episodes=with_rows(
                "sw_episodes",
                {"CHILD": "CH0002", "SW_ID": "SW9", "SW_DECOM": "01/02/2023"}
                | {"SW_DEC": "01/01/2023"},
            ),
            placed_for_adoption=with_rows(
                "placed_for_adoption",
                {"CHILD": "CH0003", "DATE_PLACED": "01/02/2023", "DATE_PLACED_CEASED": "1/1/2023"},
            ),
        )
    )
    assert sorted(got(extract)) == [
        ("error", "date.order", "episodes.csv", 5, "dec", "2023-01-31 is before 2023-02-01"),
        ("error", "date.order", "missing.csv", 4, "mis_end", "2023-01-01 is before 2023-01-02"),
        (
            "error",
            "date.order",
            "placed_for_adoption.csv",
            3,
            "date_placed_ceased",
            "2023-01-01 is before 2023-02-01",
        ),
        ("error", "date.order", "sw_episodes.csv", 4, "sw_dec", "2023-01-01 is before 2023-02-01"),
    ]


def test_overlapping_episodes(tmp_path: Path) -> None:
    header = with_rows("header", {"CHILD": "CH0004"}, {"CHILD": "CH0005"})
    episodes = table(
        "episodes",
        # One after another, each starting on the previous DEC: fine.
        {"CHILD": "CH0001", "DECOM": "01/01/2023", "DEC": "10/01/2023"},
        {"CHILD": "CH0001", "DECOM": "10/01/2023", "DEC": "20/01/2023"},
        {"CHILD": "CH0001", "DECOM": "20/01/2023"},
        # Starts before the previous one ended (rule 501).
        {"CHILD": "CH0002", "DECOM": "01/01/2023", "DEC": "10/01/2023"},
        {"CHILD": "CH0002", "DECOM": "09/01/2023", "DEC": "20/01/2023"},
        # Starts after an episode with no DEC (rule 142), listed out of order.
        {"CHILD": "CH0004", "DECOM": "01/03/2023"},
        {"CHILD": "CH0004", "DECOM": "01/01/2023"},
        # The same start twice, in two date forms: duplicate.key, not also an overlap.
        {"CHILD": "CH0005", "DECOM": "01/01/2023", "DEC": "05/01/2023"},
        {"CHILD": "CH0005", "DECOM": "2023-01-01", "DEC": "05/01/2023"},
    )
    extract = read(folder(tmp_path, header=header, episodes=episodes))
    assert got(extract) == [
        ("error", "duplicate.key", "episodes.csv", 10, "decom", "AA9999 / 9999-99-99"),
        (
            "error",
            "overlap",
            "episodes.csv",
            6,
            "decom",
            "starts before the episode on row 5 ended",
        ),
        (
            "error",
            "overlap",
            "episodes.csv",
            7,
            "decom",
            "starts before the episode on row 8 ended",
        ),
    ]


def test_children_not_in_the_header(tmp_path: Path) -> None:
    extract = read(
        folder(
            tmp_path,
            episodes=with_rows("episodes", {"CHILD": "CH0404", "DECOM": "01/01/2023"}),
            reviews=with_rows("reviews", {"CHILD": "CH0405", "REVIEW": "01/01/2023"}),
            oc3=with_rows("oc3", {"CHILD": "CH0406"}),
        )
    )
    assert sorted(got(extract)) == [
        ("error", "reference.unknown", "episodes.csv", 5, "child", "AA9999"),
        ("warning", "reference.unknown", "oc3.csv", 3, "child", "AA9999"),
        ("warning", "reference.unknown", "reviews.csv", 4, "child", "AA9999"),
    ]
    assert_no_raw(extract, ["CH0404", "CH0405", "CH0406"])


def test_a_child_twice_in_the_header(tmp_path: Path) -> None:
    extract = read(folder(tmp_path, header=with_rows("header", {"CHILD": "CH0002"})))
    assert got(extract) == [("error", "duplicate.key", "header.csv", 5, "child", "AA9999")]


def test_long_partial_permanence_dates_are_cut(tmp_path: Path) -> None:
    perm = with_rows("previous_permanence", {"CHILD": "CH0003", "DATE_PERM": "01/01/2001 ok"})
    extract = read(folder(tmp_path, previous_permanence=perm))
    assert [(f.severity, f.rule, f.row, f.column) for f in extract.findings] == [
        ("warning", "length", 4, "date_perm")
    ]
    assert extract.frames["previous_permanence"].item(2, "permanence_date") == "01/01/2001"


# --- the folder --------------------------------------------------------------------------------


def test_required_expected_and_optional_tables(tmp_path: Path) -> None:
    absent = folder(tmp_path, header=None, episodes=None, reviews=None, oc2=None, sw_episodes=None)
    extract = read(absent)
    assert [(f.severity, f.rule, f.message.split(".csv")[0]) for f in extract.findings] == [
        ("error", "table.missing", "header"),
        ("error", "table.missing", "episodes"),
        ("warning", "table.missing", "reviews"),
    ]
    assert_shapes(extract)
    # Without a header there is nothing to check the other tables' children against.
    assert extract.frames["uasc"].height == 1


def test_folder_contents(tmp_path: Path) -> None:
    root = folder(tmp_path)
    write(root, "notes.txt", "hello")
    write(root, ".DS_Store", "x")
    write(root, "social_worker.csv", table("sw_episodes", *ROWS["sw_episodes"]))
    (root / "old").mkdir()
    extract = read(root)
    assert sorted((f.severity, f.rule, f.file) for f in extract.findings) == [
        ("error", "file.duplicate", "sw_episodes.csv"),
        ("warning", "file.unknown", "notes.txt"),
        ("warning", "file.unknown", "old"),
    ]


def test_not_a_folder(tmp_path: Path) -> None:
    assert [f.rule for f in read(tmp_path / "nowhere").findings] == ["file.missing"]
    single = write(tmp_path, "episodes.csv", table("episodes"))
    assert [f.rule for f in read(single).findings] == ["file.missing"]
    archive = tmp_path / "903.zip"
    with zipfile.ZipFile(archive, "w") as z:
        z.writestr("header.csv", table("header"))
    extract = read(archive)
    assert [f.rule for f in extract.findings] == ["file.zip"]
    assert_shapes(extract)
    assert [f.rule for e in many(archive) for f in e.findings] == ["file.zip"]


def test_a_file_too_large_or_not_text(tmp_path: Path) -> None:
    root = folder(tmp_path)
    write(root, "oc3.csv", b"CHILD\x00\x01")
    limit = (root / "episodes.csv").stat().st_size - 1
    extract = read_ssda903(root, la_code=LA, pseudonymiser=P, max_file_bytes=limit, year=2023)
    rules = Counter((f.rule, f.file) for f in extract.findings)
    assert rules[("file.encoding", "oc3.csv")] == 1
    assert rules[("file.too_large", "episodes.csv")] == 1
    assert extract.findings.has_errors()
    assert_shapes(extract)


# --- never raises ------------------------------------------------------------------------------

SMALL: dict[str, bytes] = {
    "header.csv": b"CHILD,SEX,DOB,ETHNIC,UPN\nC1,1,01/02/2010,WBRI,A1\nC2,M,2011-03-04,NOBT,\n",
    "episodes.csv": (
        b"CHILD,DECOM,RNE,LS,CIN,PLACE,PLACE_PROVIDER,DEC,REC,REASON_PLACE_CHANGE,HOME_POST\n"
        b"C1,01/04/2022,S,C2,N1,U4,PR1,10/06/2022,X1,CARPL,AB1 2CD\n"
        b'C1,10/06/2022,P,C2,N1,K2,PR4,,,,"AB1, 2CD"\n'
        b"C2,2023-01-15,S,V2,N4,U6,PR2,2023-02-01,E11,,\n"
    ),
    "reviews.csv": b"CHILD,DOB,REVIEW,REVIEW_CODE\nC1,01/02/2010,01/05/2022,PN1\n",
    "missing.csv": b"CHILD,DOB,MISSING,MIS_START,MIS_END\nC1,01/02/2010,M,02/05/2022,03/05/2022\n",
    "oc2.csv": b"CHILD,SDQ_SCORE,CONVICTED,HEALTH_CHECK\nC1,12,0,1\n",
    "sw_episodes.csv": (
        b"\xef\xbb\xbfCHILD,DOB,SW_ID,SW_DECOM,SW_DEC,SW_REASON\r\n"
        b"C1,01/02/2010,SW1,01/04/2022,30/09/2022,\r\nC1,01/02/2010,SW2,30/09/2022,,LEFTRL\r\n"
    ),
}


@st.composite
def mutated_folder(draw: st.DrawFn) -> dict[str, bytes]:
    """The small folder with one file mutated by byte flips, insertions, cuts and line edits."""
    name = draw(st.sampled_from(sorted(SMALL)))
    data = bytearray(SMALL[name])
    for _ in range(draw(st.integers(1, 4))):
        if not data:
            break
        kind = draw(st.sampled_from(["flip", "insert", "truncate", "delete_line", "repeat_line"]))
        at = draw(st.integers(0, len(data) - 1))
        if kind == "flip":
            data[at] = draw(st.integers(0, 255))
        elif kind == "insert":
            data[at:at] = draw(
                st.binary(min_size=1, max_size=4)
                | st.sampled_from([b",", b'"', b"\n", b"\r", b"/", b"-", b"LA,", b"YEAR,"])
            )
        elif kind == "truncate":
            del data[at:]
        else:
            lines = bytes(data).split(b"\n")
            i = draw(st.integers(0, len(lines) - 1))
            if kind == "delete_line":
                del lines[i]
            else:
                lines.insert(i, lines[i])
            data = bytearray(b"\n".join(lines))
    return {**SMALL, name: bytes(data)}


def check(extract: Extract) -> None:
    assert isinstance(extract, Extract) and extract.kind == "ssda903"
    assert_shapes(extract)
    assert {f.rule for f in extract.findings} <= ALL_RULES
    for frame in extract.frames.values():
        for column in ("child_id", "worker_id"):
            if column in frame.columns:
                assert frame.get_column(column).str.len_chars().drop_nulls().eq(16).all()


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutated_folder(), st.sampled_from([None, 2023]))
def test_a_mutated_folder_never_raises(files: dict[str, bytes], year: int | None) -> None:
    with tempfile.TemporaryDirectory() as name:
        root = Path(name)
        for file, data in files.items():
            (root / file).write_bytes(data)
        check(read(root, year=year))
        for extract in many(root, la_code=LA, year=year):
            check(extract)


def test_the_new_rules_are_described() -> None:
    assert {r.id for r in ssda903.RULES} == {"la.multiple", "year.missing", "year.mismatch"}
    assert all(RULES[r.id] is r for r in ssda903.RULES)  # merged into the catalogue
    for rule in ssda903.RULES:
        assert rule.summary and rule.source and rule.severities
