"""Importing through the service: one transaction, replacement on re-import, refusal of bad files,
and the batch log. Runs on SQLite and PostgreSQL."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from tests.dbtools import unsummarised_and_unanalysed

from caseloads.config import Settings
from caseloads.errors import CaseloadsError, ExtractError
from caseloads.services.database import Database, open_database
from caseloads.services.imports import import_extract
from caseloads.services.setup import initialise
from caseloads.services.status import database_status
from caseloads.store import writer
from caseloads.store.tables import assignments, batches, teams, workers

STAFF_HEADER = (
    "worker_ref,swe_number,post_id,team,role,org_role,contract,fte,start_date,end_date,"
    "leaving_reason,qualified_date,asye_start\n"
)
STAFF_ROWS = [
    "W001,SW0000000001,POST1,Assessment Team 1,social_worker,5,permanent,1,2021-01-04,,,2015-07-01,\n",
    "W002,SW0000000002,POST2,Assessment Team 1,social_worker,5,permanent,0.8,2020-03-02,2023-05-31,1,"
    "2012-07-01,\n",
    "W003,SW0000000003,,Children in Care Team 1,social_worker,5,agency,1,2022-09-01,,,2010-07-01,\n",
]


def write_staff(path: Path, rows: list[str]) -> Path:
    path.write_text(STAFF_HEADER + "".join(rows), encoding="utf-8")
    return path


@pytest.fixture
def db(settings: Settings) -> Any:
    initialise(settings)
    database = open_database(settings)
    yield database
    database.dispose()


def snapshot(db: Database) -> dict[str, Any]:
    return database_status(db)["authorities"]


def test_import_staff_writes_workers_assignments_and_teams(db: Database, tmp_path: Path) -> None:
    result = import_extract(
        db, "staff", write_staff(tmp_path / "staff.csv", STAFF_ROWS), la_code="826"
    )
    assert result.status == "imported"
    assert result.row_counts == {"workers": 3, "assignments": 3}
    with db.engine.connect() as conn:
        stored = conn.execute(select(assignments).order_by(assignments.c.start_date)).all()
        team_rows = conn.execute(select(teams.c.team_id, teams.c.team_type)).all()
        ids = conn.execute(select(workers.c.worker_id)).scalars().all()
    assert len(stored) == 3
    assert {r.la_code for r in stored} == {"826"}
    assert {r.batch_id for r in stored} == {result.batch_id}
    assert sorted(team_rows) == [
        ("Assessment Team 1", "assessment"),
        ("Children in Care Team 1", "cla"),
    ]
    # Staff references never reach the database.
    assert not {"W001", "W002", "W003"} & set(ids)
    assert all(len(i) == 16 for i in ids)


def test_after_an_import_postgresql_can_find_its_rows_by_batch(
    db: Database, tmp_path: Path
) -> None:
    """The upkeep after the commit (store/maintenance.py): the new rows' block ranges are
    summarised; tables this small are left to autovacuum to analyse."""
    import_extract(db, "staff", write_staff(tmp_path / "staff.csv", STAFF_ROWS), la_code="826")
    if db.engine.dialect.name != "postgresql":
        return
    assert unsummarised_and_unanalysed(db.engine, ["workers", "assignments"]) == {
        "workers": (0, True),
        "assignments": (0, True),
    }


def test_same_files_again_change_nothing(db: Database, tmp_path: Path) -> None:
    path = write_staff(tmp_path / "staff.csv", STAFF_ROWS)
    first = import_extract(db, "staff", path, la_code="826")
    before = snapshot(db)
    again = import_extract(db, "staff", path, la_code="826")
    assert again.status == "unchanged" and again.batch_id == first.batch_id
    assert snapshot(db) == before


def test_newer_extract_replaces_and_the_log_keeps_what_was_replaced(
    db: Database, tmp_path: Path
) -> None:
    first = import_extract(db, "staff", write_staff(tmp_path / "a.csv", STAFF_ROWS), la_code="826")
    second = import_extract(
        db, "staff", write_staff(tmp_path / "b.csv", STAFF_ROWS[:2]), la_code="826"
    )
    assert second.replaced == {
        "batches": [first.batch_id],
        "rows": {"workers": 3, "assignments": 3},
    }
    tables = snapshot(db)["826"]["tables"]
    assert tables["assignments"] == 2 and tables["workers"] == 2
    with db.engine.connect() as conn:
        log = {r.batch_id: r for r in conn.execute(select(batches))}
    assert log[first.batch_id].status == "superseded"
    assert log[first.batch_id].superseded_by == second.batch_id
    assert log[second.batch_id].status == "active"
    assert log[second.batch_id].replaced["rows"] == {"workers": 3, "assignments": 3}


def test_replacement_is_per_authority(db: Database, tmp_path: Path) -> None:
    import_extract(db, "staff", write_staff(tmp_path / "a.csv", STAFF_ROWS), la_code="826")
    import_extract(db, "staff", write_staff(tmp_path / "b.csv", STAFF_ROWS[:1]), la_code="340")
    counts = {la: info["tables"]["assignments"] for la, info in snapshot(db).items()}
    assert counts == {"340": 1, "826": 3}


def test_broken_file_is_refused_and_nothing_is_written(db: Database, tmp_path: Path) -> None:
    import_extract(db, "staff", write_staff(tmp_path / "good.csv", STAFF_ROWS), la_code="826")
    before = snapshot(db)
    bad_row = "W009,SW0000000009,,MASH,social_worker,5,permanent,2.5,2021-01-04,,,,\n"
    with pytest.raises(ExtractError) as refused:
        import_extract(
            db, "staff", write_staff(tmp_path / "bad.csv", [*STAFF_ROWS, bad_row]), la_code="826"
        )
    errors = [f for f in refused.value.findings if f.severity == "error"]
    assert errors, "the refusal carries its findings"
    assert errors[0].file == "bad.csv" and errors[0].row == 5 and errors[0].column == "fte"
    assert errors[0].value == "2.5"
    assert snapshot(db) == before


def test_failure_while_writing_rolls_everything_back(
    db: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import_extract(db, "staff", write_staff(tmp_path / "a.csv", STAFF_ROWS), la_code="826")
    before = snapshot(db)
    real_insert = writer.insert_frame
    calls = {"n": 0}

    def failing_insert(*args: Any, **kwargs: Any) -> int:
        calls["n"] += 1
        if calls["n"] == 2:  # after the workers are written, before the assignments
            raise RuntimeError("disk full")
        return real_insert(*args, **kwargs)

    monkeypatch.setattr(writer, "insert_frame", failing_insert)
    with pytest.raises(RuntimeError):
        import_extract(db, "staff", write_staff(tmp_path / "b.csv", STAFF_ROWS[:1]), la_code="826")
    assert snapshot(db) == before


def test_la_code_is_required_and_checked(db: Database, tmp_path: Path) -> None:
    path = write_staff(tmp_path / "staff.csv", STAFF_ROWS)
    with pytest.raises(CaseloadsError, match=r"staff extract .*staff\.csv needs --la CODE"):
        import_extract(db, "staff", path)
    with pytest.raises(CaseloadsError, match="three digits"):
        import_extract(db, "staff", path, la_code="Kent")


def test_unknown_kind_and_missing_path(db: Database, tmp_path: Path) -> None:
    with pytest.raises(CaseloadsError, match="unknown kind"):
        import_extract(db, "payroll", tmp_path, la_code="826")
    with pytest.raises(ExtractError, match="does not exist"):
        import_extract(db, "staff", tmp_path / "nope.csv", la_code="826")
