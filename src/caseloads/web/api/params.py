"""Query parameters shared by the API routes (the CLI's options)."""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import Annotated

from fastapi import Query

La = Annotated[
    str | None,
    Query(description="DfE three-digit authority number (default: your authority)."),
]
AsOf = Annotated[date | None, Query(description="The date, YYYY-MM-DD.")]
Year = Annotated[int | None, Query(description="CSWW census year (the year ending 30 September).")]


class GroupBy(StrEnum):
    team = "team"
    role = "role"


class EstablishmentBy(StrEnum):
    role = "role"
    team = "team"
    team_role = "team,role"
