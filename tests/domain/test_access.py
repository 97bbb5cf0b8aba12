"""The access policy (design.md §8, issue 6), checked for every role, action and scope."""

from __future__ import annotations

import itertools

import pytest

from caseloads.domain.access import (
    ALL_AUTHORITIES,
    ROLES,
    Action,
    Principal,
    covers_authority,
    may,
    may_see_aggregates,
    may_see_workers,
    needs_suppression,
    visible_worker_teams,
)

OWN_LA, OTHER_LA = "826", "999"
OWN_TEAM, OTHER_TEAM = "T1", "T2"


def principal(role: str) -> Principal:
    teams = (OWN_TEAM,) if role == "manager" else ()
    return Principal(f"{role}-user", role, (OWN_LA,), teams)


#: The whole policy as a table: (role, action, la, team) -> allowed. Built from issue 6's words:
#: managers see only their teams' workers; viewers aggregates only; analysts and admins all of
#: their authorities; uploads for analysts and admins; accounts and audit for admins.
def expected(role: str, action: Action, la: str | None, team: str | None) -> bool:
    if action in (Action.manage_users, Action.view_audit):
        return role == "admin"
    if la != OWN_LA:
        return False
    if action in (Action.view_aggregates, Action.export):
        return True
    if action == Action.upload:
        return role in ("admin", "analyst")
    assert action == Action.view_workers
    if role in ("admin", "analyst"):
        return True
    if role == "manager":
        return team == OWN_TEAM
    return False


@pytest.mark.parametrize(
    ("role", "action", "la", "team"),
    list(
        itertools.product(
            ROLES, list(Action), [OWN_LA, OTHER_LA, None], [OWN_TEAM, OTHER_TEAM, None]
        )
    ),
)
def test_every_role_action_and_scope(
    role: str, action: Action, la: str | None, team: str | None
) -> None:
    assert may(principal(role), action, la, team) is expected(role, action, la, team)


def test_manager_is_refused_another_teams_workers() -> None:
    manager = Principal("m", "manager", ("826",), ("T1", "T3"))
    assert may_see_workers(manager, "826", "T1")
    assert not may_see_workers(manager, "826", "T2")
    assert not may_see_workers(manager, "826", None)  # "all workers" is not their teams
    assert visible_worker_teams(manager, "826", ["T3", "T2", "T1"]) == ("T3", "T1")


def test_viewer_sees_aggregates_only_and_suppressed() -> None:
    viewer = principal("viewer")
    assert may_see_aggregates(viewer, OWN_LA)
    assert not may_see_workers(viewer, OWN_LA, OWN_TEAM)
    assert needs_suppression(viewer)
    assert not any(needs_suppression(principal(r)) for r in ROLES if r != "viewer")


def test_admin_without_authorities_covers_every_authority() -> None:
    admin = Principal("root", "admin")
    assert covers_authority(admin, "123") and may_see_workers(admin, "123", None)
    star = Principal("root", "admin", (ALL_AUTHORITIES,))
    assert covers_authority(star, "123") and may(star, Action.upload, "123")
    # ... but other roles without an authority see nothing.
    assert not covers_authority(Principal("a", "analyst"), "123")


def test_unknown_role_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown role"):
        Principal("x", "superuser")
    with pytest.raises(ValueError):
        may(principal("admin"), "delete_everything", OWN_LA)
