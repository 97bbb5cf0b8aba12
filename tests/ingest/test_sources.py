"""File-level refusals: missing, too large, zip, encodings (sources.py)."""

from __future__ import annotations

import zipfile
from pathlib import Path

from tests.ingest.helpers import P, assert_shapes, csv, found, write

from caseloads.ingest.absences import read_absences
from caseloads.ingest.establishment import read_establishment
from caseloads.ingest.extract import Extract
from caseloads.ingest.findings import Findings
from caseloads.ingest.sources import decode_text, load_file
from caseloads.ingest.ssd import read_ssd

GOOD = csv(
    "worker_ref,start_date,end_date,working_days_lost,reason",
    "W1,2024-01-02,2024-01-05,4,SIC",
)


def read(path: Path, max_file_bytes: int = 1_000_000, la_code: str | None = "301") -> Extract:
    return read_absences(path, la_code=la_code, pseudonymiser=P, max_file_bytes=max_file_bytes)


def test_missing_file_is_a_finding(tmp_path: Path) -> None:
    extract = read(tmp_path / "nope.csv")
    assert [f.rule for f in extract.findings] == ["file.missing"]
    assert extract.findings.has_errors()
    assert_shapes(extract)
    assert extract.frames["absences"].height == 0


def test_a_folder_where_a_file_is_expected(tmp_path: Path) -> None:
    extract = read(tmp_path)
    assert found(extract, "file.missing")[0].message == "this is a folder, not a file"


def test_size_limit_refuses_before_reading(tmp_path: Path) -> None:
    path = write(tmp_path, "absences.csv", GOOD)
    extract = read(path, max_file_bytes=10)
    (finding,) = found(extract, "file.too_large", "error")
    assert "more than the limit of 10" in finding.message
    assert extract.files == []
    assert read(path, max_file_bytes=len(GOOD)).findings.has_errors() is False


def test_a_zip_is_refused_with_advice(tmp_path: Path) -> None:
    path = tmp_path / "absences.csv"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("absences.csv", GOOD)
    (finding,) = found(read(path), "file.zip", "error")
    assert "this is a zip archive" in finding.message
    assert "unzip it and import the folder/file" in finding.message


def test_a_zip_given_as_the_ssd_folder_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "ssd.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("ssd_person.csv", "pers_person_id\n1\n")
    extract = read_ssd(path, la_code="301", pseudonymiser=P, max_file_bytes=1_000_000)
    assert [f.rule for f in extract.findings] == ["file.zip"]
    assert_shapes(extract)


def test_utf8_with_bom_is_read(tmp_path: Path) -> None:
    path = write(tmp_path, "absences.csv", b"\xef\xbb\xbf" + GOOD.encode())
    extract = read(path)
    assert list(extract.findings) == []
    assert extract.frames["absences"].height == 1


def test_windows_1252_is_read(tmp_path: Path) -> None:
    loaded = load_file(
        write(tmp_path, "x.csv", "a,b\ncaf\u00e9,\u2019quoted\u2019\n", encoding="cp1252"),
        max_file_bytes=1000,
        findings=Findings(),
    )
    assert loaded is not None
    text = decode_text(loaded, Findings())
    assert text is not None
    assert text.encoding == "cp1252"
    assert text.text == "a,b\ncaf\u00e9,\u2019quoted\u2019\n"
    assert text.utf8 == text.text.encode()


def test_utf16_binary_and_undecodable_files_are_refused(tmp_path: Path) -> None:
    cases = {
        "utf16.csv": GOOD.encode("utf-16"),
        "binary.csv": b"\xd0\xcf\x11\xe0\x00\x00binary",
        "bad.csv": b"worker_ref\n\x81\x8d\n",
    }
    for name, data in cases.items():
        extract = read(write(tmp_path, name, data))
        assert [f.rule for f in extract.findings] == ["file.encoding"], name


def test_missing_authority_is_an_error(tmp_path: Path) -> None:
    extract = read(write(tmp_path, "absences.csv", GOOD), la_code=None)
    assert [f.rule for f in extract.findings] == ["la.missing"]


def test_a_windows_1252_extract_reads_end_to_end(tmp_path: Path) -> None:
    text = (
        "post_id,team,role,grade,fte,funding,start_date,end_date\n"
        "P1,\u00c9quipe Nord \u2013 Assessment,social_worker,,1,permanent,2024-04-01,\n"
    )
    path = write(tmp_path, "posts.csv", text, encoding="cp1252")
    extract = read_establishment(path, la_code="301", pseudonymiser=P, max_file_bytes=10_000)
    assert list(extract.findings) == []
    assert extract.frames["posts"].item(0, "team_id") == "\u00c9quipe Nord \u2013 Assessment"
