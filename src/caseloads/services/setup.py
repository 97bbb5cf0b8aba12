"""``caseloads init``: create or upgrade the database, create the pseudonymisation key and load
the bundled DfE benchmark tables."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.exc import SQLAlchemyError

from caseloads.config import Settings
from caseloads.errors import ConfigError, DatabaseError
from caseloads.ingest.pseudonymise import Pseudonymiser
from caseloads.services.benchmark import load_bundled
from caseloads.services.database import (
    KEY_FINGERPRINT,
    Database,
    create_key,
    describe_db_error,
    open_database,
    read_key,
)
from caseloads.store import repositories, schema


@dataclass(frozen=True)
class InitReport:
    database: str
    revision_before: str | None
    revision: str
    key_file: Path
    key_created: bool


def initialise(settings: Settings) -> InitReport:
    """Create the schema (or upgrade it to this version's) and make sure a key exists that matches
    the database, and store the bundled DfE benchmark tables (:func:`load_bundled`). Safe to run
    again: it changes nothing that is already current."""
    db = open_database(settings)
    try:
        return _initialise(db, settings.resolved_key_file())
    finally:
        db.dispose()


def _initialise(db: Database, key_path: Path) -> InitReport:
    try:
        with db.engine.connect() as conn:
            stored = (
                repositories.get_meta(conn, KEY_FINGERPRINT)
                if schema.current_revision(conn) is not None
                else None
            )
    except SQLAlchemyError as exc:
        raise DatabaseError(
            f"cannot reach the database {db.url}: {describe_db_error(exc)}"
        ) from exc
    created = False
    if key_path.exists():
        key = read_key(key_path)
    elif stored is not None:
        raise ConfigError(
            f"the database {db.url} was initialised with a key that is not at {key_path}; "
            "set CASELOADS_KEY_FILE (or --key-file) to that key"
        )
    else:
        key = create_key(key_path)
        created = True
    fingerprint = Pseudonymiser(key).fingerprint()
    if stored is not None and stored != fingerprint:
        raise ConfigError(f"the key file {key_path} does not match the key of {db.url}")
    try:
        before, after = schema.upgrade(db.engine)
        with db.engine.begin() as conn:
            repositories.set_meta(conn, KEY_FINGERPRINT, fingerprint)
            load_bundled(conn)  # the DfE benchmark tables; nothing to do when already current
    except SQLAlchemyError as exc:
        raise DatabaseError(
            f"cannot create the schema in {db.url}: {describe_db_error(exc)}"
        ) from exc
    return InitReport(db.url, before, after, key_path, created)
