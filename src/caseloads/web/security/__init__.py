"""Sign-in and roles for the web application and the API (issue 6 deliverable 4; design.md §8).

``install(app, settings)`` adds, outermost first:

1. security headers (a CSP without inline script, nosniff, no framing, ...) and the request
   context of the audit log (:mod:`.middleware`);
2. signed session cookies: HttpOnly, SameSite=Lax, Secure over HTTPS, 8 hours idle, 12 hours at
   most (:mod:`.sessions`; the secret is a 0600 file beside the pseudonymisation key);
3. CSRF protection of every unsafe request not made with a bearer token (:mod:`.middleware`);

and the routes ``GET``/``POST /login`` and ``POST /logout`` (:mod:`.login`), rate-limited sign-in
with its state in the audit log (:mod:`caseloads.services.users`).

Routes use ``current_principal`` (session or ``Authorization: Bearer``), ``require_roles(...)``
and the scope rules of :mod:`caseloads.domain.access`; ``audit(principal, action, detail)``
records exports and views of worker-level pages.
"""

from __future__ import annotations

from fastapi import FastAPI

from caseloads.config import Settings
from caseloads.domain.access import Principal
from caseloads.services.database import Database, open_database
from caseloads.web.security import auth
from caseloads.web.security.auth import (
    CurrentPrincipal,
    audit,
    csrf_token,
    current_principal,
    require_roles,
    require_workers,
    safe_next,
)
from caseloads.web.security.login import router as login_router
from caseloads.web.security.middleware import (
    CONTENT_SECURITY_POLICY,
    CSRFMiddleware,
    SecurityHeadersMiddleware,
    SecurityState,
)
from caseloads.web.security.sessions import (
    SessionMiddleware,
    load_or_create_secret,
    secret_key_path,
)

__all__ = [
    "CONTENT_SECURITY_POLICY",
    "CurrentPrincipal",
    "Principal",
    "audit",
    "csrf_token",
    "current_principal",
    "install",
    "require_roles",
    "require_workers",
    "safe_next",
]


def install(app: FastAPI, settings: Settings) -> None:
    """Sessions, CSRF, security headers, ``/login`` and ``/logout`` on ``app``, over the database
    of ``settings`` (the app's own ``app.state.db`` when it has one). Call once, before the app
    starts."""
    db = getattr(app.state, "db", None)
    if not isinstance(db, Database):
        db = open_database(settings)
    state = SecurityState(db)
    app.state.security = state
    auth._installed.append(state)
    secret = load_or_create_secret(secret_key_path(settings))
    # add_middleware puts each new one outside the ones before it.
    app.add_middleware(CSRFMiddleware)
    app.add_middleware(SessionMiddleware, secret=secret)
    app.add_middleware(SecurityHeadersMiddleware, state=state)
    app.include_router(login_router())
