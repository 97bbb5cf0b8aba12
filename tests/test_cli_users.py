"""``caseloads users`` and ``caseloads audit`` end to end, on SQLite and PostgreSQL."""

from __future__ import annotations

import csv
import io
import json

from sqlalchemy import insert
from typer.testing import CliRunner

from caseloads.cli import app
from caseloads.config import Settings
from caseloads.services import users
from caseloads.services.database import open_database
from caseloads.services.setup import initialise
from caseloads.store.tables import teams

runner = CliRunner()
PASSWORD = "correct horse battery"


def cli(settings: Settings, *args: str, stdin: str | None = None) -> tuple[int, str, str]:
    result = runner.invoke(
        app,
        [
            "--database",
            settings.database_url,
            "--key-file",
            str(settings.resolved_key_file()),
            *args,
        ],
        input=stdin,
    )
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, result.stdout, result.stderr


def test_users_add_token_list_and_audit(settings: Settings) -> None:
    initialise(settings)
    db = open_database(settings)
    with db.engine.begin() as conn:
        conn.execute(
            insert(teams),
            [
                {
                    "la_code": "826",
                    "team_id": "T1",
                    "name": "Assessment North",
                    "parent_id": None,
                    "team_type": "assessment",
                    "batch_id": 1,
                }
            ],
        )
    code, out, _ = cli(
        settings,
        "users",
        "add",
        "max",
        "--role",
        "manager",
        "--la",
        "826",
        "--team",
        "Assessment North",
        "--password-stdin",
        stdin=PASSWORD + "\n",
    )
    assert code == 0 and "Added max (manager; 826, 1 team(s))" in out
    code, out, _ = cli(settings, "users", "token", "max")
    assert code == 0
    token = out.strip().splitlines()[-1]
    assert token.startswith("cl_") and len(token) > 40
    assert users.principal_for_token(db, token) is not None
    code, out, _ = cli(settings, "users", "list", "--format", "json")
    [row] = json.loads(out)
    assert row["username"] == "max" and row["teams"] == "Assessment North" and row["tokens"] == 1

    assert users.sign_in(db, "max", "wrong password!", client="10.1.1.1") is None
    assert users.sign_in(db, "max", PASSWORD, client="10.1.1.1") is not None
    code, out, _ = cli(settings, "audit", "--user", "max", "--format", "json")
    assert [e["action"] for e in json.loads(out)] == ["sign_in_failed", "sign_in"]
    code, out, _ = cli(settings, "audit", "--since", "2000-01-01", "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(out)))
    assert rows[0]["detail"] == "reason=wrong_password" and rows[0]["client"] == "10.1.1.1"
    code, out, _ = cli(settings, "audit")
    assert code == 0 and "sign_in_failed" in out

    code, out, _ = cli(settings, "users", "revoke-tokens", "max")
    assert code == 0 and users.principal_for_token(db, token) is None
    code, _, _ = cli(
        settings, "users", "password", "max", "--password-stdin", stdin="another long one\n"
    )
    assert code == 0 and users.sign_in(db, "max", "another long one", client=None) is not None
    db.dispose()


def test_clear_errors(settings: Settings) -> None:
    code, _, err = cli(settings, "users", "list")
    assert code == 1 and "caseloads init" in err
    initialise(settings)
    code, _, err = cli(settings, "users", "add", "ann", "--role", "viewer", "--la", "826")
    assert code == 1 and "--password-stdin" in err
    code, _, err = cli(
        settings, "users", "add", "ann", "--role", "boss", "--password-stdin", stdin=PASSWORD
    )
    assert code == 1 and "--role must be one of" in err
    code, _, err = cli(
        settings,
        "users",
        "add",
        "ann",
        "--role",
        "manager",
        "--la",
        "826",
        "--team",
        "Nowhere",
        "--password-stdin",
        stdin=PASSWORD,
    )
    assert code == 1 and "no team called 'Nowhere'" in err
    code, _, err = cli(settings, "users", "token", "nobody")
    assert code == 1 and "no user called 'nobody'" in err
    code, _, err = cli(settings, "audit", "--since", "yesterday")
    assert code == 1 and "not a date" in err
