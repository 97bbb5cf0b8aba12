"""``caseloads benchmark`` on the command line: the three formats, the rank note, and errors as
a message with exit status 1."""

from __future__ import annotations

import csv
import io
import json

from typer.testing import CliRunner

from caseloads.cli import app
from caseloads.config import Settings
from caseloads.services.benchmark import COLUMNS

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


def flat(text: str) -> str:
    """The output with rich's line wrapping undone (tests run at any terminal width)."""
    return " ".join(text.split())


def test_json_csv_and_table(settings: Settings) -> None:
    assert cli(settings, "init")[0] == 0
    code, text = cli(settings, "benchmark", "--la", "301", "--year", "2025", "--format", "json")
    assert code == 0
    rows = json.loads(text)
    assert len(rows) == 25 and list(rows[0]) == list(COLUMNS)
    turnover = next(r for r in rows if r["measure"] == "turnover_rate_fte")
    # csww_indicators_2017_to_2025.csv line 147: 2025, 301 Barking and Dagenham, 14.8
    assert (turnover["value"], turnover["sn_rank"], turnover["sn_ranked"]) == (14.8, 3, 11)

    code, text = cli(settings, "benchmark", "--la", "213", "--format", "csv")
    assert code == 0
    table = list(csv.DictReader(io.StringIO(text)))
    caseload = next(r for r in table if r["measure"] == "caseload_fte")
    assert (caseload["value"], caseload["symbol"], caseload["sn_with_value"]) == ("", "x", "9")

    code, text = cli(settings, "benchmark", "--la", "318")
    assert code == 0
    assert "318 Richmond upon Thames (London)" in flat(text)
    assert "* joint return 314 / 318: the figure stands for each partner" in flat(text)
    assert "1 = highest value" in flat(text)


def test_errors_are_messages(settings: Settings) -> None:
    code, text = cli(settings, "benchmark", "--la", "301")
    assert code == 1 and "caseloads init" in flat(text)  # no schema yet
    cli(settings, "init")
    code, text = cli(settings, "benchmark", "--la", "999")
    assert code == 1 and "no local authority '999'" in flat(text) and "Traceback" not in text
    code, text = cli(settings, "benchmark", "--la", "301", "--year", "2031")
    assert code == 1 and "no DfE benchmarks for 2031" in flat(text)
