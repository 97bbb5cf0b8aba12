"""The command line: options, output formats, exit statuses, and no tracebacks for user errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from caseloads.cli import app
from caseloads.config import Settings

runner = CliRunner()


def cli(settings: Settings, *args: str) -> tuple[int, str]:
    result = runner.invoke(
        app,
        [
            "--database",
            settings.database_url,
            "--key-file",
            str(settings.resolved_key_file()),
            *args,
        ],
    )
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, result.output


def test_init_then_status_json(settings: Settings) -> None:
    code, text = cli(settings, "init")
    assert code == 0 and "schema created" in text
    code, text = cli(settings, "init")
    assert code == 0 and "already current" in text
    code, text = cli(settings, "status", "--format", "json")
    assert code == 0
    report = json.loads(text)
    assert report["revision"] == report["head_revision"]
    assert report["authorities"] == {}
    assert set(report) >= {"database", "revision", "authorities"}


def test_status_hides_the_password() -> None:
    settings = Settings(database_url="postgresql://analyst:s3cret@127.0.0.1:1/x")
    code, text = cli(settings, "status")
    assert code == 1
    assert "s3cret" not in text and "***" in text
    assert "Traceback" not in text


def test_import_and_status_counts(settings: Settings, tmp_path: Path) -> None:
    cli(settings, "init")
    staff = tmp_path / "staff.csv"
    staff.write_text(
        "worker_ref,swe_number,post_id,team,role,org_role,contract,fte,start_date,end_date,"
        "leaving_reason,qualified_date,asye_start\n"
        "W1,SW0000000001,,MASH,social_worker,5,permanent,1,2021-01-04,,,2015-07-01,\n",
        encoding="utf-8",
    )
    code, text = cli(settings, "import", "staff", str(staff), "--la", "826", "--quiet")
    assert code == 0, text
    assert "Imported staff for authority 826" in text
    code, text = cli(settings, "status", "--format", "json")
    la = json.loads(text)["authorities"]["826"]
    assert la["tables"]["assignments"] == 1 and la["tables"]["workers"] == 1
    assert la["tables"]["teams"] == 1
    assert [b["kind"] for b in la["batches"]] == ["staff"]
    assert la["batches"][0]["files"] == ["staff.csv"]


@pytest.mark.parametrize("fmt", ["table", "json"])
def test_refused_import_exits_1_with_the_finding(
    settings: Settings, tmp_path: Path, fmt: str
) -> None:
    cli(settings, "init")
    staff = tmp_path / "broken.csv"
    staff.write_text("worker_ref,team\nW1,MASH\n", encoding="utf-8")
    code, text = cli(settings, "import", "staff", str(staff), "--la", "826", "--format", fmt)
    assert code == 1
    assert "broken.csv" in text and "Traceback" not in text
    assert "nothing was written" in text


def test_check_is_a_dry_run(settings: Settings, tmp_path: Path) -> None:
    cli(settings, "init")
    staff = tmp_path / "staff.csv"
    staff.write_text("worker_ref,team\nW1,MASH\n", encoding="utf-8")
    code, text = cli(settings, "check", "staff", str(staff), "--la", "826", "--format", "json")
    assert code == 1
    findings = json.loads(text)["findings"]
    assert any(f["rule"] == "column.missing" and f["column"] == "fte" for f in findings)
    code, text = cli(settings, "status", "--format", "json")
    assert json.loads(text)["authorities"] == {}


def test_import_before_init_says_what_to_do(settings: Settings, tmp_path: Path) -> None:
    staff = tmp_path / "staff.csv"
    staff.write_text("x\n", encoding="utf-8")
    code, text = cli(settings, "import", "staff", str(staff), "--la", "826")
    assert code == 1 and "caseloads init" in text


def test_every_command_has_help() -> None:
    for command in ("init", "import", "check", "status", "demo"):
        result = runner.invoke(app, [command, "--help"])
        assert result.exit_code == 0
        assert "Usage" in result.output and len(result.output) > 200
