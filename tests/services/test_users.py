"""User accounts, sign-in, the rate limit, API tokens and the audit log, on SQLite and PostgreSQL
(services.users; issue 6 deliverable 4)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import insert, select

from caseloads.config import Settings
from caseloads.domain.access import Principal
from caseloads.errors import NotFoundError
from caseloads.services import users
from caseloads.services.database import Database, open_database
from caseloads.services.setup import initialise
from caseloads.store.tables import api_tokens, teams
from caseloads.store.tables import users as users_table

PASSWORD = "correct horse battery"
T0 = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)


@pytest.fixture
def db(settings: Settings) -> Iterator[Database]:
    initialise(settings)
    database = open_database(settings)
    with database.engine.begin() as conn:
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
                },
                {
                    "la_code": "826",
                    "team_id": "T2",
                    "name": "Child Protection",
                    "parent_id": None,
                    "team_type": "cp",
                    "batch_id": 1,
                },
                {
                    "la_code": "999",
                    "team_id": "X1",
                    "name": "Child Protection",
                    "parent_id": None,
                    "team_type": "cp",
                    "batch_id": 1,
                },
            ],
        )
    yield database
    database.dispose()


def test_add_user_resolves_teams_and_hashes_the_password(db: Database) -> None:
    p = users.add_user(
        db, " Maria ", "manager", PASSWORD, la_codes=["826"], team_names=["assessment north"]
    )
    assert p == Principal("maria", "manager", ("826",), ("T1",))
    with db.engine.connect() as conn:
        stored = conn.execute(select(users_table.c.password_hash)).scalar_one()
    assert stored.startswith("$argon2id$") and PASSWORD not in stored
    rows = users.list_users(db)
    assert rows[0]["username"] == "maria" and rows[0]["teams"] == "Assessment North"
    admin = users.add_user(db, "root", "admin", PASSWORD)
    assert admin.la_codes == ("*",)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"username": "bad name"}, "not a valid username"),
        ({"role": "owner"}, "unknown role"),
        ({"password": "short"}, "at least 12"),
        ({"la_codes": []}, "needs at least one authority"),
        ({"team_names": []}, "needs at least one team"),
        ({"team_names": ["Nowhere"]}, "no team called 'Nowhere'.*Assessment North"),
        ({"role": "analyst"}, "only managers have teams"),
        ({"la_codes": ["826", "999"], "team_names": ["Child Protection"]}, "several teams"),
    ],
)
def test_add_user_refuses_with_clear_errors(
    db: Database, kwargs: dict[str, object], message: str
) -> None:
    args: dict[str, object] = {
        "username": "maria",
        "role": "manager",
        "password": PASSWORD,
        "la_codes": ["826"],
        "team_names": ["Child Protection"],
    }
    args.update(kwargs)
    with pytest.raises((users.AccountError, NotFoundError), match=message):
        users.add_user(db, **args)  # type: ignore[arg-type]


def test_duplicate_user_is_refused(db: Database) -> None:
    users.add_user(db, "ann", "viewer", PASSWORD, la_codes=["826"])
    with pytest.raises(users.AccountError, match="already exists"):
        users.add_user(db, "ANN", "viewer", PASSWORD, la_codes=["826"])


def test_sign_in_and_audit(db: Database) -> None:
    users.add_user(db, "ann", "analyst", PASSWORD, la_codes=["826"])
    assert users.sign_in(db, "ann", "wrong password!", client="10.0.0.1", now=T0) is None
    assert users.sign_in(db, "nobody", PASSWORD, client="10.0.0.1", now=T0) is None
    ok = users.sign_in(db, "Ann", PASSWORD, client="10.0.0.1", now=T0 + timedelta(seconds=1))
    assert ok is not None and ok.principal.username == "ann" and ok.generation == 0
    log = users.audit_log(db, since=date(2026, 11, 24))
    assert [(e["username"], e["action"], e["detail"]) for e in log] == [
        ("ann", "sign_in_failed", {"reason": "wrong_password"}),
        ("nobody", "sign_in_failed", {"reason": "unknown_user"}),
        ("ann", "sign_in", {"method": "password"}),
    ]
    assert all(e["client"] == "10.0.0.1" for e in log)
    assert users.audit_log(db, username="nobody")[0]["action"] == "sign_in_failed"
    assert users.audit_log(db, since=date(2026, 11, 25)) == []


def test_sign_in_rate_limit_per_user_and_per_client(db: Database) -> None:
    users.add_user(db, "ann", "viewer", PASSWORD, la_codes=["826"])
    for k in range(5):
        assert (
            users.sign_in(
                db, "ann", "wrong password!", client=f"10.0.0.{k}", now=T0 + timedelta(minutes=k)
            )
            is None
        )
    # The sixth attempt is refused even with the right password, until the first failure is 15
    # minutes old.
    with pytest.raises(users.SignInThrottled) as refused:
        users.sign_in(db, "ann", PASSWORD, client="10.9.9.9", now=T0 + timedelta(minutes=5))
    assert refused.value.retry_after == 600
    assert (
        users.sign_in(db, "ann", PASSWORD, client="10.9.9.9", now=T0 + timedelta(minutes=15))
        is not None
    )
    # Per client address: five failures for different usernames from one address.
    for k in range(5):
        users.sign_in(
            db, f"guess{k}", "whatever", client="10.6.6.6", now=T0 + timedelta(minutes=20)
        )
    with pytest.raises(users.SignInThrottled):
        users.sign_in(db, "ann", PASSWORD, client="10.6.6.6", now=T0 + timedelta(minutes=21))
    assert (
        users.sign_in(db, "ann", PASSWORD, client="10.7.7.7", now=T0 + timedelta(minutes=21))
        is not None
    )


def test_retry_after_is_pure() -> None:
    fails = [T0 + timedelta(minutes=k) for k in range(5)]
    assert users.retry_after(fails[:4], [], T0 + timedelta(minutes=5)) is None
    assert users.retry_after(fails, [], T0 + timedelta(minutes=5)) == 600
    assert users.retry_after([], fails, T0 + timedelta(minutes=14, seconds=59)) == 1
    assert users.retry_after(fails, fails, T0 + timedelta(minutes=15)) is None


def test_disabled_account_and_ended_sessions(db: Database) -> None:
    users.add_user(db, "ann", "viewer", PASSWORD, la_codes=["826"])
    signed = users.sign_in(db, "ann", PASSWORD, client=None)
    assert signed is not None
    assert users.principal_for_session(db, "ann", signed.generation) == signed.principal
    users.set_password(db, "ann", "another long password")
    assert users.principal_for_session(db, "ann", signed.generation) is None  # sessions ended
    assert users.sign_in(db, "ann", PASSWORD, client=None) is None
    users.set_disabled(db, "ann", True)
    assert users.sign_in(db, "ann", "another long password", client=None) is None
    assert users.audit_log(db)[-1]["detail"] == {"reason": "disabled"}
    with pytest.raises(NotFoundError, match="no user called 'bob'"):
        users.set_password(db, "bob", PASSWORD)


def test_tokens_are_stored_as_digests_and_can_be_revoked(db: Database) -> None:
    users.add_user(db, "ann", "analyst", PASSWORD, la_codes=["826"])
    token = users.create_token(db, "ann", now=T0)
    with db.engine.connect() as conn:
        stored = conn.execute(select(api_tokens.c.token_sha256, api_tokens.c.last_used_at)).one()
    assert stored.token_sha256 == users.token_digest(token) and token not in stored.token_sha256
    assert stored.last_used_at is None
    p = users.principal_for_token(db, token, now=T0)
    assert p == Principal("ann", "analyst", ("826",), ())
    with db.engine.connect() as conn:
        assert conn.execute(select(api_tokens.c.last_used_at)).scalar_one() is not None
    assert users.principal_for_token(db, token + "x") is None
    assert users.principal_for_token(db, "not-a-token") is None
    assert users.revoke_tokens(db, "ann") == 1
    assert users.principal_for_token(db, token) is None
    assert users.list_users(db)[0]["tokens"] == 0


def test_demo_admin_gets_a_new_random_password_each_time(db: Database) -> None:
    name, first = users.create_demo_admin(db, ["826"])
    assert name == "admin" and len(first) >= 20
    assert users.sign_in(db, "admin", first, client=None) is not None
    _, second = users.create_demo_admin(db, ["826"])
    assert second != first
    assert users.sign_in(db, "admin", first, client=None) is None
    signed = users.sign_in(db, "admin", second, client=None)
    assert signed is not None and signed.principal == Principal("admin", "admin", ("826",), ())
