"""``GET``/``POST /login`` (the sign-in form: fields ``username`` and ``password``) and
``POST /logout``.

Rules (design.md §8, issue 6): a failed sign-in says only that the username or password is wrong
(never which); after 5 failures in 15 minutes for a username or from a client address the form
answers 429 with ``Retry-After`` (:mod:`caseloads.services.users`). A successful sign-in starts a
new session (a fresh CSRF token) and goes to ``next`` when it is a path on this site. Signing out
ends every session of the account (its session generation is bumped) and is audited.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import jinja2
from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from starlette.concurrency import run_in_threadpool

from caseloads.services import users
from caseloads.web.security.auth import (
    SESSION_GENERATION,
    SESSION_STARTED,
    SESSION_USER,
    csrf_token,
    safe_next,
    state_of,
)
from caseloads.web.security.middleware import SESSION_CSRF, client_of, new_csrf_token

HERE = Path(__file__).parent
#: The web pages' templates (their ``base.html`` layout), when present.
PAGES_TEMPLATES = HERE.parent / "templates"
TEMPLATES = Jinja2Templates(
    env=jinja2.Environment(
        loader=jinja2.ChoiceLoader(
            [
                jinja2.FileSystemLoader(str(HERE / "templates")),
                jinja2.FileSystemLoader(str(PAGES_TEMPLATES)),
            ]
        ),
        autoescape=True,
    )
)
WRONG = "Enter a correct username and password"


def _layout() -> str:
    """The pages' GOV.UK layout when installed, else a plain one of our own."""
    try:
        TEMPLATES.env.get_template("base.html")
    except jinja2.TemplateNotFound:
        return "security/layout.html"
    return "base.html"


def _form(
    request: Request, *, status: int = 200, error: str | None = None, **extra: Any
) -> HTMLResponse:
    next_path = safe_next(extra.pop("next", None) or request.query_params.get("next") or "/")
    context = {
        "layout": _layout(),
        "title": "Sign in",
        "principal": None,
        "csrf_token": csrf_token(request),
        "next": next_path,
        "error": error,
        "username": extra.pop("username", ""),
        "path": "/login",
    }
    return TEMPLATES.TemplateResponse(request, "security/login.html", context, status_code=status)


def router() -> APIRouter:
    routes = APIRouter(include_in_schema=False)

    @routes.get("/login", response_class=HTMLResponse)
    async def login_form(request: Request) -> Response:
        return _form(request)

    @routes.post("/login", response_class=HTMLResponse)
    async def login(request: Request) -> Response:
        form = await request.form()
        username = str(form.get("username") or "")
        password = str(form.get("password") or "")
        next_path = safe_next(str(form.get("next") or "/"))
        if not username.strip() or not password:
            return _form(request, status=400, error=WRONG, username=username, next=next_path)
        db = state_of(request).db
        try:
            signed = await run_in_threadpool(
                users.sign_in, db, username, password, client=client_of(request.scope)
            )
        except users.SignInThrottled as exc:
            response = _form(
                request,
                status=429,
                error=f"Too many failed attempts to sign in. Try again in "
                f"{max(1, (exc.retry_after + 59) // 60)} minutes.",
                username=username,
                next=next_path,
            )
            response.headers["Retry-After"] = str(exc.retry_after)
            return response
        if signed is None:
            return _form(request, status=401, error=WRONG, username=username, next=next_path)
        session: dict[str, Any] = request.scope["session"]
        session.clear()
        session.update(
            {
                SESSION_USER: signed.principal.username,
                SESSION_GENERATION: signed.generation,
                SESSION_STARTED: int(time.time()),
                SESSION_CSRF: new_csrf_token(),
            }
        )
        return RedirectResponse(next_path, status_code=303)

    @routes.post("/logout")
    async def logout(request: Request) -> Response:
        session: dict[str, Any] = request.scope["session"]
        username = session.get(SESSION_USER)
        if isinstance(username, str):
            state = state_of(request)
            db = state.db
            await run_in_threadpool(users.end_sessions, db, username)
            state.principals.forget_user(username)
            await run_in_threadpool(
                users.record_audit, db, username, users.SIGN_OUT, {}, client_of(request.scope)
            )
        session.clear()
        return RedirectResponse("/login", status_code=303)

    return routes
