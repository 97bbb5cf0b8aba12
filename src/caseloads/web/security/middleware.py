"""CSRF protection, security headers and the request context of the audit log (ASGI
middleware; design.md §8).

**CSRF.** Every request with an unsafe method (anything but GET, HEAD, OPTIONS, TRACE) must carry
the session's CSRF token, as the form field ``csrf_token`` (forms) or the header ``X-CSRF-Token``
(htmx, scripts), unless it authenticates with ``Authorization: Bearer`` (a cross-site page cannot
set that header, and a bearer call uses no cookie). The sign-in form is protected too (its token
belongs to the anonymous session opened when the form is shown). A request without a matching
token is refused with 403 before any route runs. The token is per session, random (256 bits) and
compared in constant time; the body of a form is read once here and replayed to the route
(spooled to a temporary file past 1 MiB, so an upload is not held in memory).

**Headers** on every response: ``Content-Security-Policy`` (:data:`CONTENT_SECURITY_POLICY`:
scripts, styles and everything else from this site only, no inline script or style, no framing),
``X-Content-Type-Options: nosniff``, ``Referrer-Policy: same-origin``, ``X-Frame-Options: DENY``,
``Permissions-Policy`` (no camera, microphone or location), ``Cross-Origin-Opener-Policy``;
``Strict-Transport-Security`` over HTTPS; and ``Cache-Control: no-store`` on answers to signed-in
requests that set no caching of their own (no personal data left in shared caches).
"""

from __future__ import annotations

import contextvars
import json
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from tempfile import SpooledTemporaryFile
from typing import Any

from starlette.datastructures import Headers, MutableHeaders
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from caseloads.services.database import Database
from caseloads.web.security.principals import PrincipalCache

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'self'; "
    "form-action 'self'; frame-ancestors 'none'"
)
SECURITY_HEADERS: Mapping[str, str] = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
    "Cross-Origin-Opener-Policy": "same-origin",
}
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"
SESSION_CSRF = "csrf"


@dataclass(frozen=True)
class SecurityState:
    """What the security package keeps for an app: its database, and the principals read from
    it recently (:mod:`.principals`)."""

    db: Database
    principals: PrincipalCache = field(default_factory=PrincipalCache)


@dataclass(frozen=True)
class RequestContext:
    state: SecurityState
    client: str | None


#: The security state and client address of the request being served (read by ``audit``).
current_request: contextvars.ContextVar[RequestContext | None] = contextvars.ContextVar(
    "caseloads_security_request", default=None
)


def new_csrf_token() -> str:
    return secrets.token_urlsafe(32)


def has_bearer(headers: Headers) -> bool:
    scheme, _, token = headers.get("authorization", "").partition(" ")
    return scheme.lower() == "bearer" and bool(token.strip())


def wants_json(scope: Scope) -> bool:
    """API calls and clients asking for JSON get JSON errors; browsers get a page."""
    if str(scope.get("path", "")).startswith("/api/"):
        return True
    accept = Headers(scope=scope).get("accept", "")
    return accept.split(",")[0].strip().startswith("application/json")


class CSRFMiddleware:
    """Refuses unsafe requests without the session's CSRF token (module docstring)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] in SAFE_METHODS:
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        if has_bearer(headers):
            await self.app(scope, receive, send)
            return
        expected = scope.get("session", {}).get(SESSION_CSRF)
        supplied = headers.get(CSRF_HEADER)
        replay: Receive = receive
        spool: SpooledTemporaryFile[bytes] | None = None
        content_type = headers.get("content-type", "").split(";")[0].strip().lower()
        if supplied is None and content_type in (
            "application/x-www-form-urlencoded",
            "multipart/form-data",
        ):
            spool = SpooledTemporaryFile(max_size=1 << 20)  # noqa: SIM115 - closed below
            supplied, replay = await _token_from_form(scope, receive, spool)
        try:
            if not (
                isinstance(expected, str)
                and isinstance(supplied, str)
                and secrets.compare_digest(expected.encode(), supplied.encode())
            ):
                await _refuse(scope, send)
                return
            await self.app(scope, replay, send)
        finally:
            if spool is not None:
                spool.close()


async def _token_from_form(
    scope: Scope, receive: Receive, spool: SpooledTemporaryFile[bytes]
) -> tuple[str | None, Receive]:
    """Read the form's ``csrf_token`` field, keeping the body to hand on to the route."""

    async def recording() -> Message:
        message = await receive()
        if message["type"] == "http.request":
            spool.write(message.get("body", b""))
        return message

    request = Request(scope, recording)
    try:
        form = await request.form()
    except Exception:  # a malformed body: no token, refused below
        return None, receive
    value = form.get(CSRF_FIELD)
    await form.close()
    spool.seek(0)
    done = False

    async def replay() -> Message:
        nonlocal done
        if done:
            return await receive()
        chunk = spool.read(1 << 16)
        if len(chunk) < 1 << 16:
            done = True
        return {"type": "http.request", "body": chunk, "more_body": not done}

    return (value if isinstance(value, str) else None), replay


async def _refuse(scope: Scope, send: Send) -> None:
    detail = (
        "The form could not be accepted: it was not sent from this site's page, or your session "
        "has expired. Go back, reload the page and try again."
    )
    if wants_json(scope):
        body = json.dumps(
            {"type": "about:blank", "title": "Forbidden", "status": 403, "detail": detail}
        ).encode()
        content_type = b"application/problem+json"
    else:
        body = (
            '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Forbidden – '
            'Caseloads</title><link rel="stylesheet" href="/static/vendor/govuk-frontend/'
            'govuk-frontend.min.css"></head><body class="govuk-template__body"><main '
            'class="govuk-main-wrapper govuk-width-container"><h1 class="govuk-heading-l">'
            f'Forbidden</h1><p class="govuk-body">{detail}</p><p class="govuk-body"><a '
            'class="govuk-link" href="/">Go to the overview</a></p></main></body></html>'
        ).encode()
        content_type = b"text/html; charset=utf-8"
    await send(
        {
            "type": "http.response.start",
            "status": 403,
            "headers": [
                (b"content-type", content_type),
                (b"content-length", str(len(body)).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


class SecurityHeadersMiddleware:
    """Adds the security headers, and sets the request context for the audit log."""

    def __init__(self, app: ASGIApp, state: SecurityState) -> None:
        self.app = app
        self.state = state

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        client = scope.get("client")
        token = current_request.set(RequestContext(self.state, client[0] if client else None))
        request_headers = Headers(scope=scope)
        signed_in = "authorization" in request_headers or "cookie" in request_headers
        static = str(scope.get("path", "")).startswith("/static/")
        https = scope.get("scheme") == "https"

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in SECURITY_HEADERS.items():
                    if name not in headers:
                        headers[name] = value
                if https:
                    headers["Strict-Transport-Security"] = "max-age=31536000"
                if signed_in and not static and "cache-control" not in headers:
                    headers["Cache-Control"] = "no-store"
            await send(message)

        try:
            await self.app(scope, receive, send_with_headers)
        finally:
            current_request.reset(token)


def client_of(scope: Mapping[str, Any]) -> str | None:
    client = scope.get("client")
    return str(client[0]) if client else None
