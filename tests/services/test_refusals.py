"""Hostile and broken files are refused with a message naming the file and the place, and the
database is exactly as it was (``caseloads status`` shows nothing changed). The shared fixtures
import with the findings they deserve. Runs on SQLite and PostgreSQL."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from tests.conftest import FIXTURES

from caseloads.config import Settings
from caseloads.errors import ExtractError
from caseloads.services.database import Database, open_database
from caseloads.services.imports import import_path
from caseloads.services.setup import initialise
from caseloads.services.status import database_status

CSWW = (FIXTURES / "xml_samples" / "csww_2022_sample.xml").read_bytes()
STAFF = (
    "worker_ref,swe_number,post_id,team,role,org_role,contract,fte,start_date,end_date,"
    "leaving_reason,qualified_date,asye_start\n"
    "W1,SW0000000001,,MASH,social_worker,5,permanent,1,2021-01-04,,,2015-07-01,\n"
    "W2,SW0000000002,,MASH,social_worker,5,permanent,1,2021-01-04,,,2015-07-01,\n"
)


@pytest.fixture
def db(settings: Settings) -> Iterator[Database]:
    initialise(settings)
    database = open_database(settings)
    yield database
    database.dispose()


def status(db: Database) -> dict[str, Any]:
    return database_status(db)["authorities"]


def write(tmp: Path, name: str, data: bytes) -> Path:
    path = tmp / name
    path.write_bytes(data)
    return path


# Each case: kind, file name, the bytes (built from a good file), the rule expected, and the
# (row, column) the first error must name (None where the problem is the file as a whole).
BILLION_LAUGHS = (
    b'<?xml version="1.0"?>\n<!DOCTYPE lolz [<!ENTITY lol "lol">'
    b'<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>\n'
    + CSWW.replace(b"<Message>", b"<Message>&lol2;", 1)
)
EXTERNAL_ENTITY = (
    b'<?xml version="1.0"?>\n<!DOCTYPE m [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>\n'
    + CSWW.replace(b"<Message>", b"<Message>&xxe;", 1)
)


def zipped(data: bytes) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("staff.csv", data)
    return buffer.getvalue()


CASES: list[tuple[str, str, bytes, str, tuple[int, str] | None]] = [
    ("csww", "laughs.xml", BILLION_LAUGHS, "xml.forbidden", None),
    ("csww", "xxe.xml", EXTERNAL_ENTITY, "xml.forbidden", None),
    ("csww", "truncated.xml", CSWW[: len(CSWW) // 2], "xml.malformed", None),
    ("cin-census", "garbage.xml", b"<Message><Header>", "xml.malformed", None),
    ("staff", "no_fte.csv", STAFF.replace(",fte", ",ftee").encode(), "column.missing", None),
    ("staff", "ragged.csv", (STAFF + "W3,SW0000000003,,MASH\n").encode(), "file.ragged", (4, "")),
    ("staff", "utf16.csv", STAFF.encode("utf-16"), "file.encoding", None),
    ("staff", "staff.zip", zipped(STAFF.encode()), "file.zip", None),
    ("staff", "bad_fte.csv", STAFF.replace(",1,2021", ",9,2021", 1).encode(), "range", (2, "fte")),
]


@pytest.mark.parametrize(
    ("kind", "name", "data", "rule", "place"), CASES, ids=[c[1] for c in CASES]
)
def test_hostile_file_is_refused_and_nothing_changes(
    db: Database,
    tmp_path: Path,
    kind: str,
    name: str,
    data: bytes,
    rule: str,
    place: tuple[int, str] | None,
) -> None:
    import_path(db, "staff", write(tmp_path, "staff.csv", STAFF.encode()), la_code="826")
    before = status(db)
    path = write(tmp_path, name, data)
    with pytest.raises(ExtractError) as refused:
        import_path(db, kind, path, la_code=None if kind in ("csww", "cin-census") else "826")
    errors = [f for f in refused.value.findings if f.severity == "error"]
    assert errors[0].rule == rule, errors
    assert errors[0].file == name
    if place is not None:
        row, column = place
        assert errors[0].row == row
        if column:
            assert errors[0].column == column
    assert "nothing was written" in str(refused.value)
    assert status(db) == before


def test_a_file_over_the_size_limit_is_refused(settings: Settings, tmp_path: Path) -> None:
    initialise(settings)
    small = open_database(settings.model_copy(update={"max_file_bytes": 100}))
    try:
        with pytest.raises(ExtractError) as refused:
            import_path(small, "staff", write(tmp_path, "staff.csv", STAFF.encode()), la_code="826")
        assert refused.value.findings[0].rule == "file.too_large"
        assert status(small) == {}
    finally:
        small.dispose()


Check = Callable[[list[Any]], None]


def test_the_shared_cin_census_fixtures_import_with_the_findings_they_deserve(
    db: Database,
) -> None:
    xml = FIXTURES / "xml_samples"
    # LEA 975 (332 children, 402 referrals): imported, with warnings only.
    (lea975,) = import_path(db, "cin-census", xml / "cin_census_fake_lea975.xml")
    assert (lea975.la_code, lea975.scope) == ("975", "2022")
    assert lea975.row_counts["children"] == 332 and lea975.row_counts["referrals"] == 402
    assert {f.severity for f in lea975.findings} == {"warning"}
    # The 2022 sample: one child with odd dates: imported with date.episode warnings.
    (sample,) = import_path(db, "cin-census", xml / "cin_census_2022_sample.xml")
    assert {f.rule for f in sample.findings} == {"date.episode"}
    # The 2024 small return holds an assessment authorised before it started: refused.
    before = status(db)
    with pytest.raises(ExtractError) as refused:
        import_path(db, "cin-census", xml / "cin_census_2024_small.xml")
    assert [f.rule for f in refused.value.findings if f.severity == "error"] == ["date.order"]
    assert status(db) == before


def test_the_shared_ssda903_fixture_is_refused_for_its_overlapping_episodes(db: Database) -> None:
    with pytest.raises(ExtractError) as refused:
        import_path(db, "ssda903", FIXTURES / "ssda903", la_code="301", year=2018)
    errors = [f for f in refused.value.findings if f.severity == "error"]
    assert len(errors) == 82 and {f.rule for f in errors} == {"overlap"}
    assert errors[0].file == "episodes.csv" and errors[0].row == 313
    assert status(db) == {}


def test_reimporting_the_same_file_is_a_no_op(db: Database) -> None:
    path = FIXTURES / "xml_samples" / "csww_2022_sample.xml"
    (first,) = import_path(db, "csww", path)
    before = status(db)
    (again,) = import_path(db, "csww", path)
    assert again.status == "unchanged" and again.batch_id == first.batch_id
    assert status(db) == before
