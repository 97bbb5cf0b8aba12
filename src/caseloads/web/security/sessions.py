"""Signed session cookies (itsdangerous), and the secret key that signs them.

The cookie holds a small JSON dict signed with HMAC (itsdangerous ``URLSafeTimedSerializer``): for
a signed-in user their username, the account's session generation (bumping it in the database
ends every session of the user: sign-out, password change, disabling) and the time of sign-in;
for everyone the CSRF token of the session. Nothing else, and never a password.

Cookie rules (design.md §8): ``HttpOnly`` (no script can read it), ``SameSite=Lax`` (not sent on
cross-site POSTs), ``Secure`` whenever the request came over HTTPS (behind a TLS proxy, run uvicorn
with ``--proxy-headers`` so the scheme is seen), ``Path=/``. It expires after 8 hours without a
request (the cookie is re-signed with a fresh timestamp on every response) and at the latest 12
hours after sign-in.

The secret key is generated on first start and kept in a file beside the pseudonymisation key
(``caseloads.key`` -> ``caseloads.session-key``), readable by its owner only (0600), so that a copy
of the database alone cannot forge a session and every worker process of one server shares it.
Deleting the file signs everybody out.
"""

from __future__ import annotations

import json
import os
import secrets
import time
from pathlib import Path
from typing import Any

from itsdangerous import BadSignature, URLSafeTimedSerializer
from starlette.datastructures import MutableHeaders
from starlette.requests import HTTPConnection
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from caseloads.config import Settings
from caseloads.errors import ConfigError

COOKIE = "caseloads_session"
IDLE_SECONDS = 8 * 3600
ABSOLUTE_SECONDS = 12 * 3600


def secret_key_path(settings: Settings) -> Path:
    """Where the session secret lives: beside the pseudonymisation key."""
    key = settings.resolved_key_file()
    return key.with_name(key.stem + ".session-key")


def load_or_create_secret(path: Path) -> bytes:
    """The session secret in ``path``, created (32 random bytes, mode 0600) if absent. Creation
    is atomic (written to a temporary file, then hard-linked into place), so that server worker
    processes starting together agree on one key."""
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w", encoding="ascii") as fh:
            fh.write(secrets.token_hex(32) + "\n")
        try:
            os.link(tmp, path)
        except FileExistsError:
            pass  # another process was first: use its key
        finally:
            tmp.unlink()
    try:
        text = path.read_text(encoding="ascii").strip()
        key = bytes.fromhex(text)
    except (OSError, ValueError) as exc:
        raise ConfigError(f"cannot read the session key {path}: {exc}") from exc
    if len(key) < 32:
        raise ConfigError(f"the session key {path} is too short; delete it to make a new one")
    return key


class SessionMiddleware:
    """``scope["session"]``: a dict read from the signed cookie and written back on the way out
    (Starlette's ``request.session`` reads it). Rules: module docstring."""

    def __init__(self, app: ASGIApp, secret: bytes) -> None:
        self.app = app
        self.serializer = URLSafeTimedSerializer(secret, salt="caseloads.session")

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        raw = HTTPConnection(scope).cookies.get(COOKIE)
        scope["session"] = self.read(raw) if raw else {}
        secure = scope.get("scheme") == "https"

        async def send_with_cookie(message: Message) -> None:
            if message["type"] == "http.response.start":
                session = scope["session"]
                headers = MutableHeaders(scope=message)
                if session:
                    value = self.serializer.dumps(session)
                    headers.append("Set-Cookie", cookie_header(value, IDLE_SECONDS, secure))
                elif raw:
                    headers.append("Set-Cookie", cookie_header("", 0, secure))
            await send(message)

        await self.app(scope, receive, send_with_cookie)

    def read(self, raw: str) -> dict[str, Any]:
        """The session in a cookie, or an empty one when it is forged, idle for too long or past
        its absolute lifetime."""
        try:
            data = self.serializer.loads(raw, max_age=IDLE_SECONDS)
        except (BadSignature, json.JSONDecodeError, UnicodeDecodeError):
            return {}
        if not isinstance(data, dict):
            return {}
        started = data.get("iat")
        if isinstance(started, int | float) and time.time() - started > ABSOLUTE_SECONDS:
            return {}
        return data


def cookie_header(value: str, max_age: int, secure: bool) -> str:
    parts = [f"{COOKIE}={value}", "Path=/", f"Max-Age={max_age}", "HttpOnly", "SameSite=Lax"]
    if max_age == 0:
        parts.append("Expires=Thu, 01 Jan 1970 00:00:00 GMT")
    if secure:
        parts.append("Secure")
    return "; ".join(parts)
