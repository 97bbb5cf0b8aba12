"""Settings, read once from the environment (prefix ``CASELOADS_``) and the command line.

- ``database_url``: SQLAlchemy URL. Default ``sqlite:///caseloads.db`` in the working
  directory; PostgreSQL as ``postgresql://user@host/db`` (the psycopg 3 driver is chosen for you).
- ``key_file``: the pseudonymisation key. Created by ``caseloads init``; kept outside the database
  so that a copy of the database alone cannot be linked back to person identifiers. Default: beside
  a SQLite database file (``caseloads.db`` -> ``caseloads.key``), else ``caseloads.key`` in the
  working directory.
- ``max_file_bytes``: the largest extract file accepted (default 1 GB).
"""

from __future__ import annotations

from pathlib import Path

from pydantic_settings import BaseSettings, SettingsConfigDict
from sqlalchemy.engine import make_url

DEFAULT_DATABASE_URL = "sqlite:///caseloads.db"


class Settings(BaseSettings):
    """Process settings; construct once per command and pass down."""

    model_config = SettingsConfigDict(env_prefix="CASELOADS_", extra="ignore", frozen=True)

    database_url: str = DEFAULT_DATABASE_URL
    key_file: Path | None = None
    max_file_bytes: int = 1_000_000_000

    def resolved_key_file(self) -> Path:
        """Where the pseudonymisation key lives for this database."""
        if self.key_file is not None:
            return self.key_file
        url = make_url(normalise_database_url(self.database_url))
        if url.get_backend_name() == "sqlite" and url.database not in (None, "", ":memory:"):
            return Path(str(url.database)).with_suffix(".key")
        return Path("caseloads.key")


def normalise_database_url(url: str) -> str:
    """Use the psycopg 3 driver for bare ``postgresql://`` URLs (SQLAlchemy would pick psycopg2)."""
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def display_url(url: str) -> str:
    """The URL with any password hidden, for printing."""
    return make_url(normalise_database_url(url)).render_as_string(hide_password=True)
