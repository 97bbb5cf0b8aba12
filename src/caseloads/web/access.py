"""The one place the pages and the API meet the security package.

``caseloads.web.security`` (owned by the security work: sign-in, sessions, CSRF, headers, audit)
provides ``install(app, settings)``, the ``current_principal`` dependency, ``require_roles``,
``csrf_token(request)`` and ``audit(principal, action, detail)``; small-number suppression is
``caseloads.domain.disclosure.suppress_rows``. This module re-exports them, and adds the scope
rules every route applies to the principal it is given:

- an authority the principal may not see answers 403;
- worker-level data: managers only for their own teams (another team answers 403), viewers never;
- viewers get aggregates passed through ``suppress_rows``.

While the security package is not installed, ``current_principal`` refuses every request with
503 (no page is ever shown without sign-in); tests replace it through
``app.dependency_overrides[access.current_principal]``.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol, cast

from fastapi import FastAPI, HTTPException, Request

from caseloads.config import Settings
from caseloads.domain import access as policy

#: Roles, as the security package names them.
ADMIN, ANALYST, MANAGER, VIEWER = "admin", "analyst", "manager", "viewer"


class PrincipalLike(Protocol):
    """What the routes read of a principal."""

    @property
    def username(self) -> str: ...
    @property
    def role(self) -> str: ...
    @property
    def la_codes(self) -> Sequence[str]: ...
    @property
    def team_ids(self) -> Sequence[str]: ...


@dataclass(frozen=True)
class Principal:
    """A stand-in with the agreed shape, used by tests and when the security package is absent."""

    username: str
    role: str
    la_codes: tuple[str, ...] = ()
    team_ids: tuple[str, ...] = ()


def _security() -> Any | None:
    """The security package, or None while it is absent or incomplete."""
    try:
        module = importlib.import_module("caseloads.web.security")
    except ModuleNotFoundError as exc:
        if exc.name and exc.name.startswith("caseloads.web.security"):
            return None
        raise
    needed = ("install", "current_principal", "csrf_token", "audit")
    return module if all(hasattr(module, name) for name in needed) else None


_SECURITY = _security()
SECURITY_INSTALLED = _SECURITY is not None


def _not_installed() -> PrincipalLike:
    raise HTTPException(
        status_code=503,
        detail="sign-in is not installed in this build (caseloads.web.security is missing)",
    )


#: The FastAPI dependency giving the signed-in principal (the security package's own).
current_principal: Callable[..., Any] = (
    _SECURITY.current_principal if _SECURITY is not None else _not_installed
)


def install(app: FastAPI, settings: Settings) -> None:
    """Sessions, CSRF, security headers, /login and /logout (when the package is present)."""
    if _SECURITY is not None:
        _SECURITY.install(app, settings)


def csrf_token(request: Request) -> str:
    """The token every form carries in its hidden ``csrf_token`` field."""
    if _SECURITY is None:
        return ""
    return str(_SECURITY.csrf_token(request))


def audit(principal: PrincipalLike, action: str, detail: Mapping[str, Any] | str) -> None:
    """Record an export or a view of worker-level data in the audit log."""
    if _SECURITY is not None:
        _SECURITY.audit(principal, action, detail)


def suppress(rows: list[dict[str, Any]], count_columns: Sequence[str]) -> list[dict[str, Any]]:
    """Rows with small counts suppressed (DfE convention), for viewers."""
    try:
        disclosure = importlib.import_module("caseloads.domain.disclosure")
    except ModuleNotFoundError:
        raise HTTPException(
            status_code=503, detail="small-number suppression is not available in this build"
        ) from None
    return cast(list[dict[str, Any]], disclosure.suppress_rows(rows, list(count_columns)))


# --- scope rules (the policy itself is caseloads.domain.access) ----------------------------------


def _policy(principal: PrincipalLike) -> policy.Principal:
    return policy.Principal(
        username=principal.username,
        role=principal.role,
        la_codes=tuple(principal.la_codes),
        team_ids=tuple(principal.team_ids),
    )


def sees_all_authorities(principal: PrincipalLike) -> bool:
    """An admin with no authority listed is an admin of every authority."""
    return principal.role == ADMIN and not principal.la_codes


def check_authority(principal: PrincipalLike, la: str | None) -> str | None:
    """The authority to ask the services for: ``la`` if the principal may see it (else 403);
    with no ``la``, the principal's only authority, or None (the services' default) when the
    principal covers several (the rows are then filtered by :func:`visible_rows`)."""
    if la is not None and la.strip():
        la = la.strip()
        if not policy.may_see_aggregates(_policy(principal), la):
            raise HTTPException(status_code=403, detail=f"you may not see authority {la}")
        return la
    if sees_all_authorities(principal):
        return None
    if not principal.la_codes:
        raise HTTPException(status_code=403, detail="your account has no authority")
    return principal.la_codes[0] if len(principal.la_codes) == 1 else None


def visible_rows(principal: PrincipalLike, rows: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """Rows of the authorities the principal may see (rows without ``la_code`` are kept)."""
    who = _policy(principal)
    return [
        r
        for r in rows
        if r.get("la_code") is None or policy.may_see_aggregates(who, str(r["la_code"]))
    ]


def require_worker_level(principal: PrincipalLike) -> None:
    """Worker-level data is for admins, analysts and managers (theirs), never viewers."""
    if principal.role not in (ADMIN, ANALYST, MANAGER):
        raise HTTPException(status_code=403, detail="worker-level data is not open to your role")


def worker_rows(
    principal: PrincipalLike, rows: list[dict[str, Any]], *, team_asked: bool
) -> list[dict[str, Any]]:
    """Worker-level ``rows`` the principal may see (:func:`policy.may_see_workers` per row).
    Asking for one team whose workers the principal may not see answers 403; asking for no
    team, a manager gets their own teams' rows only."""
    require_worker_level(principal)
    who = _policy(principal)
    shown = [
        r
        for r in rows
        if policy.may_see_workers(
            who, str(r.get("la_code")), None if r.get("team_id") is None else str(r["team_id"])
        )
    ]
    if team_asked and len(shown) < len(rows):
        raise HTTPException(status_code=403, detail="that team's workers are not open to you")
    return shown


def require_roles_of(principal: PrincipalLike, *roles: str) -> None:
    """403 unless the principal has one of ``roles``."""
    if principal.role not in roles:
        raise HTTPException(status_code=403, detail="this is not open to your role")


def may_upload(principal: PrincipalLike) -> bool:
    return principal.role in (ADMIN, ANALYST)


def is_viewer(principal: PrincipalLike) -> bool:
    return principal.role == VIEWER


#: Whole-number columns that are not counts of people or cases.
NOT_COUNTS = frozenset(
    {
        "year",
        "population",
        "population_year",
        "sn_rank",
        "sn_ranked",
        "sn_count",
        "sn_with_value",
        "sn_tied",
        "code",
        "days",
        "batch_id",
    }
)


def count_columns(rows: Sequence[Mapping[str, Any]]) -> list[str]:
    """The columns holding counts: every whole-number column but years, populations and ranks."""
    names = dict.fromkeys(k for r in rows for k in r)
    return [
        n
        for n in names
        if n not in NOT_COUNTS
        and any(isinstance(r.get(n), int) and not isinstance(r.get(n), bool) for r in rows)
    ]


def aggregates_for(
    principal: PrincipalLike,
    rows: list[dict[str, Any]],
    counts: Sequence[str] | None = None,
) -> list[dict[str, Any]]:
    """Aggregate rows as the principal may see them: the authorities they may see, and for
    viewers the counts (``counts``, else every count column) suppressed."""
    rows = visible_rows(principal, rows)
    if is_viewer(principal) and rows:
        present = list(counts) if counts is not None else count_columns(rows)
        return suppress([dict(r) for r in rows], present) if present else rows
    return rows
