"""``caseloads establishment``, ``pipeline`` and ``reconcile`` on the command line: formats, exit
statuses and clear errors (the figures themselves are tested in tests/domain and tests/services)."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

from tests.services.test_establishment_services import ESTABLISHMENT, PIPELINE, STAFF
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
    assert "Traceback" not in result.output
    return result.exit_code, result.output


def loaded(settings: Settings, folder: Path, la: str = "826") -> None:
    assert cli(settings, "init")[0] == 0
    for kind, text in (("establishment", ESTABLISHMENT), ("staff", STAFF), ("pipeline", PIPELINE)):
        path = folder / f"{kind}.csv"
        path.write_text(text, encoding="utf-8")
        code, out = cli(settings, "import", kind, str(path), "--la", la, "--quiet")
        assert code == 0, out


def test_establishment_formats(settings: Settings, tmp_path: Path) -> None:
    loaded(settings, tmp_path)
    code, text = cli(settings, "establishment", "--format", "json")
    assert code == 0
    rows = json.loads(text)
    # Hand-worked in tests/services/test_establishment_services.py: the total on 2025-09-10.
    assert rows[-1] == {
        "la_code": "826",
        "as_of": "2025-09-10",
        "role": "Total",
        "establishment_fte": 4.5,
        "permanent_fte": 4.0,
        "vacancy_fte": 1.5,
        "agency_fte": 1.0,
        "agency_covering_vacancies_fte": 1.0,
        "uncovered_vacancy_fte": 0.5,
        "over_establishment_fte": 1.0,
        "casual_fte": 0.0,
    }
    code, text = cli(
        settings, "establishment", "--by", "team,role", "--as-of", "2025-06-30", "--format", "csv"
    )
    assert code == 0
    table = list(csv.DictReader(io.StringIO(text)))
    assert list(table[0])[:5] == ["la_code", "as_of", "team_id", "team", "role"]
    # The CIN social workers on 30 June 2025 (hand-worked in the services test): over 2.0.
    cin = next(r for r in table if r["team"] == "CIN Team")
    assert (cin["role"], cin["over_establishment_fte"]) == ("social_worker", "2.0")
    assert (table[-1]["team"], table[-1]["role"], table[-1]["establishment_fte"]) == (
        "Total",
        "Total",
        "4.5",
    )
    code, text = cli(settings, "establishment", "--by", "team")
    assert code == 0
    assert "Establishment of authority 826 on 2025-09-10" in text and "Total" in text


def test_pipeline_and_activity(settings: Settings, tmp_path: Path) -> None:
    loaded(settings, tmp_path)
    code, text = cli(settings, "pipeline", "--starting-by", "2025-09-30", "--format", "json")
    assert code == 0
    total = json.loads(text)[-1]
    # Only C2 (agency 0.6, starting 29 September) against 0.5 uncovered: surplus 0.1.
    assert (total["role"], total["pipeline_total_fte"], total["surplus_fte"]) == ("Total", 0.6, 0.1)
    code, text = cli(settings, "pipeline", "--activity", "--format", "json")
    assert code == 0
    assert [m["month"] for m in json.loads(text)] == ["2025-07", "2025-08", "2025-09"]
    code, text = cli(settings, "pipeline", "--starting-by", "2025-01-01")
    assert code == 1 and "--starting-by 2025-01-01 is before" in text


def test_user_errors_are_messages(settings: Settings, tmp_path: Path) -> None:
    code, text = cli(settings, "establishment", "--as-of", "31/03/2025")
    assert code == 1 and "--as-of '31/03/2025' is not a date (YYYY-MM-DD)" in text
    loaded(settings, tmp_path)
    loaded(settings, tmp_path, la="999")
    code, text = cli(settings, "pipeline")
    assert code == 1 and "say which with --la" in text
    code, text = cli(settings, "establishment", "--la", "999", "--format", "json")
    assert code == 0 and json.loads(text)[0]["la_code"] == "999"


def test_reconcile_exit_status(tmp_path: Path) -> None:
    settings = Settings(database_url=f"sqlite:///{tmp_path / 'unused.db'}", key_file=tmp_path / "k")
    header = "role,establishment,permanent,agency,vacant,over_under\n"
    good = tmp_path / "good.csv"
    good.write_text(
        header + "Social workers,10.0,8.0,1.0,1.0,0.0\nTotal,10.0,8.0,1.0,1.0,0.0\n",
        encoding="utf-8",
    )
    code, text = cli(settings, "reconcile", str(good))
    assert code == 0 and "all 2 rows add up, compared to 0.05 FTE" in text

    bad = tmp_path / "bad.csv"
    # 10 - 8 - 1 - 2 = -1, printed 0.0; the total's vacant 2.0 is right, its over_under is not.
    bad.write_text(
        header + "Social workers,10.0,8.0,1.0,2.0,0.0\nTotal,10.0,8.0,1.0,2.0,0.0\n",
        encoding="utf-8",
    )
    code, text = cli(settings, "reconcile", str(bad), "--format", "csv")
    assert code == 1
    failures = list(csv.DictReader(io.StringIO(text)))
    assert [(f["row"], f["check"], f["expected"]) for f in failures] == [
        ("2", "row_sum", "-1.0"),
        ("3", "row_sum", "-1.0"),
    ]
    code, text = cli(settings, "reconcile", str(bad))
    assert code == 1 and "2 check(s) failed in 2 row(s)" in text
    code, text = cli(settings, "reconcile", str(bad), "--tolerance", "1", "--format", "json")
    assert code == 0 and json.loads(text)["failures"] == []

    broken = tmp_path / "broken.csv"
    broken.write_text(header + "Social workers,ten,8,1,1,0\n", encoding="utf-8")
    code, text = cli(settings, "reconcile", str(broken))
    # The findings table (wrapped to the terminal) names the value; the message says what to do.
    assert code == 1 and "Refused: the table broken.csv cannot be checked" in text
    assert "type.number" in text.replace("\n", "").replace(" ", "").replace("│", "")
