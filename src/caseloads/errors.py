"""The exceptions ``caseloads`` raises on purpose.

Every one derives from :class:`CaseloadsError`, which the command line catches and prints as a clear
message with a non-zero exit status (never a stack trace)::

    CaseloadsError
    ├── ConfigError          settings, key file or database URL unusable
    ├── DatabaseError        the database cannot be reached, or its schema is not current
    ├── ExtractError         an extract was refused (carries its findings); nothing was written
    ├── NotFoundError        something asked for (an authority, a batch) is not there
    └── RequestError         a question that cannot be answered as asked (dates out of order, no
                             authority chosen among several, no return loaded for that year); each
                             service has its own subclass, e.g. ``WorkforceRequestError``
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from caseloads.ingest.findings import Finding


class CaseloadsError(Exception):
    """Base class: a problem the user can act on, with a message that says what to do."""


class ConfigError(CaseloadsError):
    """A setting, the pseudonymisation key file or the database URL cannot be used."""


class DatabaseError(CaseloadsError):
    """The database cannot be reached, or its schema is missing or out of date."""


class NotFoundError(CaseloadsError):
    """Something the user asked for does not exist."""


class ExtractError(CaseloadsError):
    """An extract was refused. ``findings`` lists every error and warning found in it."""

    def __init__(self, message: str, findings: Sequence[Finding] = ()) -> None:
        super().__init__(message)
        self.findings = list(findings)


class RequestError(CaseloadsError):
    """A question that cannot be answered as asked: options out of range or in conflict, or the
    data it needs not loaded. The web answers it with 400 and the message."""
