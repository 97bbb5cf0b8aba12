"""Opening the configured database and its pseudonymisation key for a command."""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError

from caseloads.config import Settings, display_url
from caseloads.errors import ConfigError, DatabaseError
from caseloads.ingest.pseudonymise import Pseudonymiser, new_key
from caseloads.store import repositories, schema
from caseloads.store.engine import make_engine

KEY_FINGERPRINT = "pseudonym_key_fingerprint"


@dataclass
class Database:
    """The database a command works on, with the settings it was opened with."""

    settings: Settings
    engine: Engine

    @property
    def url(self) -> str:
        return display_url(self.settings.database_url)

    @cached_property
    def pseudonymiser(self) -> Pseudonymiser:
        """The key, checked against the fingerprint stored by ``init``."""
        key = read_key(self.settings.resolved_key_file())
        pseudonymiser = Pseudonymiser(key)
        with self.engine.connect() as conn:
            stored = repositories.get_meta(conn, KEY_FINGERPRINT)
        if stored is not None and stored != pseudonymiser.fingerprint():
            raise ConfigError(
                f"the key file {self.settings.resolved_key_file()} is not the one this database "
                "was initialised with; using it would break the links between extracts. Point "
                "CASELOADS_KEY_FILE (or --key-file) at the right key."
            )
        return pseudonymiser

    def require_current_schema(self) -> str:
        """The schema revision, or a clear error if the database was never initialised or is
        behind this version of caseloads."""
        try:
            with self.engine.connect() as conn:
                revision = schema.current_revision(conn)
        except SQLAlchemyError as exc:
            raise DatabaseError(
                f"cannot reach the database {self.url}: {describe_db_error(exc)}"
            ) from exc
        head = schema.head_revision()
        if revision is None:
            raise DatabaseError(
                f"the database {self.url} has no caseloads schema: run `caseloads init`"
            )
        if revision != head:
            raise DatabaseError(
                f"the database {self.url} is at schema revision {revision}, this version needs "
                f"{head}: run `caseloads init` to upgrade it"
            )
        return revision

    def dispose(self) -> None:
        self.engine.dispose()


def open_database(settings: Settings) -> Database:
    try:
        engine = make_engine(settings.database_url)
    except (SQLAlchemyError, ValueError) as exc:
        raise ConfigError(f"cannot use the database URL {settings.database_url!r}: {exc}") from exc
    return Database(settings, engine)


def read_key(path: Path) -> bytes:
    try:
        text = path.read_text(encoding="ascii").strip()
    except FileNotFoundError:
        raise ConfigError(
            f"no pseudonymisation key at {path}: run `caseloads init` first (it creates the key), "
            "or set CASELOADS_KEY_FILE to the key this database was initialised with"
        ) from None
    except OSError as exc:
        raise ConfigError(f"cannot read the key file {path}: {exc.strerror}") from exc
    try:
        key = bytes.fromhex(text)
    except ValueError:
        raise ConfigError(
            f"the key file {path} is not a caseloads key (hex digits expected)"
        ) from None
    if len(key) < 16:
        raise ConfigError(f"the key file {path} is too short to be a caseloads key")
    return key


def create_key(path: Path) -> bytes:
    """Write a new random key, readable by its owner only."""
    key = new_key()
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="ascii") as fh:
        fh.write(key.hex() + "\n")
    return key


def describe_db_error(exc: SQLAlchemyError) -> str:
    original = getattr(exc, "orig", None)
    text = str(original if original is not None else exc).strip().splitlines()
    return text[0] if text else type(exc).__name__
