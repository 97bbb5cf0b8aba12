"""Who may see what: the access policy of design.md §8 and issue 6, as pure functions.

Roles (design.md §8 "Security model"):

- ``admin``: everything of their authorities, plus user accounts and the audit log. An admin
  created without an authority is an admin of every authority in the database (its principal
  carries ``la_codes == ("*",)``, :data:`ALL_AUTHORITIES`).
- ``analyst``: all data of their authorities, worker-level rows included, and uploads of extracts.
- ``manager`` (team manager): aggregates of their authorities, and worker- and case-level rows of
  their own teams only; another team's worker list is refused.
- ``viewer`` (e.g. a member of a scrutiny committee): aggregates only, of their authorities, with
  small numbers suppressed (:mod:`caseloads.domain.disclosure`, practice.md §6).

Every question is "may this principal do this action on this scope (authority, team)?" and is
answered here, so that the web pages, the API and their tests share one definition. Nothing here
reads a database or a request: the caller states the scope.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum


class Role(StrEnum):
    """The four roles, from most to least privileged."""

    admin = "admin"
    analyst = "analyst"
    manager = "manager"
    viewer = "viewer"


ROLES: tuple[str, ...] = tuple(r.value for r in Role)

#: In ``Principal.la_codes``: every authority in the database.
ALL_AUTHORITIES = "*"


class Action(StrEnum):
    """What a principal may ask for."""

    view_aggregates = "view_aggregates"  # team- and authority-level figures
    view_workers = "view_workers"  # worker-level rows (a team's worker list, a worker's cases)
    export = "export"  # a CSV download or an API read of the figures the principal may see
    upload = "upload"  # import an extract (the same import code as the CLI)
    manage_users = "manage_users"
    view_audit = "view_audit"


@dataclass(frozen=True)
class Principal:
    """Someone signed in (by session or API token), with the scope of their account.

    ``la_codes`` are DfE three-digit authority numbers, or ``("*",)`` for every authority;
    ``team_ids`` the teams (of those authorities) a manager manages.
    """

    username: str
    role: str
    la_codes: tuple[str, ...] = ()
    team_ids: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if self.role not in ROLES:
            raise ValueError(f"unknown role {self.role!r}: one of {', '.join(ROLES)}")


def covers_authority(principal: Principal, la_code: str) -> bool:
    """Whether ``la_code`` is one of the principal's authorities (``*`` covers every one, as does
    an admin with none listed)."""
    if ALL_AUTHORITIES in principal.la_codes:
        return True
    if principal.role == Role.admin and not principal.la_codes:
        return True
    return la_code in principal.la_codes


def may_see_aggregates(principal: Principal, la_code: str) -> bool:
    """Team- and authority-level figures of an authority: every role, for their own authorities.
    A viewer's are shown with small numbers suppressed (:func:`needs_suppression`)."""
    return covers_authority(principal, la_code)


def may_see_workers(principal: Principal, la_code: str, team_id: str | None) -> bool:
    """Worker-level rows of team ``team_id`` of authority ``la_code`` (``None``: workers of every
    team, or of no team). Admins and analysts: any team of their authorities. Managers: only
    their own teams (so never ``None``). Viewers: never (issue 6: "a viewer sees aggregates
    only")."""
    if not covers_authority(principal, la_code):
        return False
    if principal.role in (Role.admin, Role.analyst):
        return True
    if principal.role == Role.manager:
        return team_id is not None and team_id in principal.team_ids
    return False


def visible_worker_teams(
    principal: Principal, la_code: str, team_ids: Iterable[str]
) -> tuple[str, ...]:
    """Those of ``team_ids`` whose workers the principal may see, in the order given."""
    return tuple(t for t in team_ids if may_see_workers(principal, la_code, t))


def needs_suppression(principal: Principal) -> bool:
    """Whether figures shown to the principal go through small-number suppression: viewers only
    (they see aggregates as a member of the public would; practice.md §6)."""
    return principal.role == Role.viewer


def may(
    principal: Principal,
    action: Action | str,
    la_code: str | None = None,
    team_id: str | None = None,
) -> bool:
    """The whole policy in one question: may ``principal`` do ``action`` on the scope?

    - ``view_aggregates``, ``export``: an authority of theirs (``la_code`` required).
    - ``view_workers``: as :func:`may_see_workers`.
    - ``upload``: analysts and admins, for an authority of theirs.
    - ``manage_users``, ``view_audit``: admins only (``la_code`` ignored: accounts and the audit
      log are not per authority).
    """
    action = Action(action)
    if action in (Action.manage_users, Action.view_audit):
        return principal.role == Role.admin
    if la_code is None:
        return False
    if action in (Action.view_aggregates, Action.export):
        return may_see_aggregates(principal, la_code)
    if action == Action.view_workers:
        return may_see_workers(principal, la_code, team_id)
    # upload
    return principal.role in (Role.admin, Role.analyst) and covers_authority(principal, la_code)
