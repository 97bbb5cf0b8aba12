"""What the page handlers share: the authority and date of a request, and small reshaping of
service rows for display (never new figures: only selection and totals of what the services
return)."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import date, timedelta
from typing import Any

from caseloads.web import access
from caseloads.web.access import PrincipalLike
from caseloads.web.render import attempt, parse_day

Rows = list[dict[str, Any]]


def authority(principal: PrincipalLike, la: str | None) -> str | None:
    return access.check_authority(principal, la or None)


def day(as_of: str | None) -> date | None:
    return parse_day(as_of)


def year_before(on: date) -> date:
    return on - timedelta(days=364)


def fetch(
    principal: PrincipalLike, action: Callable[[], Rows], counts: Sequence[str] | None = None
) -> tuple[Rows, str | None]:
    """Aggregate rows for the principal, or the message saying why there are none."""
    rows, message = attempt(action)
    if message is not None:
        return [], message
    return access.aggregates_for(principal, rows or [], counts), None


def first_date(rows: Sequence[Mapping[str, Any]], key: str = "as_of") -> date | None:
    for row in rows:
        value = row.get(key)
        if isinstance(value, str):
            try:
                return date.fromisoformat(value[:10])
            except ValueError:
                continue
    return None


def pick(rows: Sequence[Mapping[str, Any]], columns: Sequence[str]) -> Rows:
    return [{c: r.get(c) for c in columns} for r in rows]
