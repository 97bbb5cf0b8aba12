"""Rendering pages: the Jinja2 environment, the tables and charts a page shows, the as-of date
and the CSV download of any table on a page (``?download=<table id>``, cells neutralised by
:func:`caseloads.cli_support.rows_to_csv`).

The main content of a page (its ``content`` block: everything but the header with the
signed-in user and their sign-out form, and the footer) is kept once rendered
(:class:`caseloads.web.cache.FragmentCache`) under the key: template, path and query, the
principal's scope (role, authorities, teams) and the serial numbers of the service results the
handler used (:func:`caseloads.web.cache.trace_calls`). The handler itself always runs (its
access checks, 403s and audit entries happen on every request); only the rendering of the same
figures for the same scope is saved. A page whose content holds something of the session (the
Data page's upload form and its CSRF token) is not kept, nor one where a service call failed.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from fastapi import HTTPException, Request
from fastapi.responses import HTMLResponse, Response
from fastapi.templating import Jinja2Templates
from markupsafe import Markup

from caseloads.cli_support import rows_to_csv
from caseloads.errors import CaseloadsError
from caseloads.web import access
from caseloads.web.access import PrincipalLike
from caseloads.web.cache import FragmentCache, trace_calls

TEMPLATES = Jinja2Templates(directory=str(Path(__file__).parent / "templates"))

#: The pages in the service navigation: (path, label).
NAVIGATION = (
    ("/", "Overview"),
    ("/workforce", "Workforce"),
    ("/recruitment", "Recruitment"),
    ("/caseloads", "Caseloads"),
    ("/demand", "Demand"),
    ("/data", "Data"),
)


def cell(value: Any) -> str:
    """A figure as a table shows it: thousands separated, decimals to one place."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):
        return f"{value:,.1f}"
    return str(value)


def label(name: str) -> str:
    """A column name as a heading: ``turnover_rate_fte`` -> ``Turnover rate FTE``."""
    words = name.replace("_pct", " %").replace("_10k", " 10,000").split("_")
    text = " ".join(
        w.upper() if w in ("fte", "rag", "cin", "cp", "cla", "sn", "id") else w for w in words
    )
    return text[:1].upper() + text[1:]


TEMPLATES.env.filters["cell"] = cell
TEMPLATES.env.filters["label"] = label


@dataclass
class TableView:
    """A table on a page: its rows (all downloadable) and the columns shown."""

    id: str
    caption: str
    rows: list[dict[str, Any]]
    columns: Sequence[str] | None = None
    labels: Mapping[str, str] = field(default_factory=dict)
    links: Mapping[str, Callable[[Mapping[str, Any]], str]] = field(default_factory=dict)
    message: str | None = None
    note: str | None = None

    def shown_columns(self) -> list[str]:
        if self.columns is not None:
            return list(self.columns)
        return list(dict.fromkeys(k for r in self.rows for k in r))

    def heading(self, column: str) -> str:
        return self.labels.get(column) or label(column)

    def numeric(self, column: str) -> bool:
        return any(
            isinstance(r.get(column), int | float) and not isinstance(r.get(column), bool)
            for r in self.rows
        )

    def head(self) -> list[tuple[str, bool]]:
        """(heading, numeric) of each shown column."""
        return [(self.heading(c), self.numeric(c)) for c in self.shown_columns()]

    def body(self) -> list[list[tuple[str, str | None, bool]]]:
        """Each row's cells as (text, link or None, numeric), formatted once in Python (the
        template only places them)."""
        columns = self.shown_columns()
        numeric = [self.numeric(c) for c in columns]
        return [
            [
                (self.text(c, row.get(c)), self.link(c, row), n)
                for c, n in zip(columns, numeric, strict=True)
            ]
            for row in self.rows
        ]

    def text(self, column: str, value: Any) -> str:
        """A cell's text; years and identifiers without thousands separators."""
        if isinstance(value, int) and (column.endswith("year") or column.endswith("_id")):
            return str(value)
        return cell(value)

    def link(self, column: str, row: Mapping[str, Any]) -> str | None:
        make = self.links.get(column)
        return make(row) if make is not None else None


@dataclass
class ChartView:
    """A Vega-Lite chart and the table that carries the same figures (its text alternative)."""

    id: str
    title: str
    spec: dict[str, Any]
    table_id: str


def attempt(action: Callable[[], Any]) -> tuple[Any, str | None]:
    """The result of ``action``, or None and the user's message when it raises a
    :class:`CaseloadsError` (a section whose data is not loaded says so; the page still shows)."""
    try:
        return action(), None
    except CaseloadsError as exc:
        return None, str(exc)


def parse_day(text: str | None, name: str = "as_of") -> date | None:
    """A date from a form field; empty means none."""
    if text is None or not text.strip():
        return None
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise HTTPException(
            status_code=400, detail=f"{name} {text!r} is not a date (YYYY-MM-DD)"
        ) from None


class Page:
    """What every page handler needs: the request, the principal, the query, and rendering."""

    def __init__(self, request: Request, principal: PrincipalLike) -> None:
        self.request = request
        self.principal = principal
        self.tables: list[TableView] = []
        self.charts: list[ChartView] = []
        #: Serial numbers of the service results this request's handler used.
        self.trace = trace_calls()

    def query(self, **changes: Any) -> str:
        """This page's query string with ``changes`` (None removes a parameter)."""
        params = {k: v for k, v in self.request.query_params.items() if k != "download"}
        for key, value in changes.items():
            if value is None:
                params.pop(key, None)
            else:
                params[key] = str(value)
        return urlencode(params)

    def url(self, **changes: Any) -> str:
        text = self.query(**changes)
        return self.request.url.path + (f"?{text}" if text else "")

    def add(self, table: TableView, chart: ChartView | None = None) -> TableView:
        self.tables.append(table)
        if chart is not None:
            self.charts.append(chart)
        return table

    def respond(self, template: str, *, cache_html: bool = True, **context: Any) -> Response:
        """The page (or the CSV of ``?download=``). ``cache_html=False`` for a page whose
        content block holds anything of the session (module docstring)."""
        wanted = self.request.query_params.get("download")
        if wanted:
            return self.download(wanted)
        full = {
            "principal": self.principal,
            "navigation": NAVIGATION,
            "path": self.request.url.path,
            "page": self,
            "tables": {t.id: t for t in self.tables},
            "charts": {c.id: c for c in self.charts},
            "csrf_token": access.csrf_token(self.request),
            "hidden": {
                k: v for k, v in self.request.query_params.items() if k not in ("as_of", "download")
            },
            **context,
        }
        fragments = getattr(self.request.app.state, "fragments", None)
        if cache_html and isinstance(fragments, FragmentCache) and None not in self.trace:
            key = self.content_key(template)
            html = fragments.get(key)
            if html is None:
                html = render_content(self.request, template, full)
                fragments.put(key, html)
            full["content_html"] = Markup(html)
        return TEMPLATES.TemplateResponse(self.request, template, full)

    def content_key(self, template: str) -> tuple[Any, ...]:
        """What the content block of ``template`` depends on (module docstring)."""
        who = self.principal
        return (
            template,
            self.request.url.path,
            tuple(self.request.query_params.multi_items()),
            (who.role, tuple(who.la_codes), tuple(who.team_ids)),
            tuple(self.trace),
        )

    def download(self, table_id: str) -> Response:
        for table in self.tables:
            if table.id == table_id:
                access.audit(
                    self.principal,
                    "export",
                    {"path": self.request.url.path, "table": table_id, "query": self.query()},
                )
                return Response(
                    rows_to_csv(table.rows),
                    media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="{table_id}.csv"'},
                )
        raise HTTPException(status_code=404, detail=f"this page has no table {table_id!r}")


def render_content(request: Request, template: str, context: Mapping[str, Any]) -> str:
    """The ``content`` block of a page template, alone."""
    page = TEMPLATES.get_template(template)
    block = page.blocks["content"]
    return "".join(block(page.new_context({"request": request, **context})))


def render_error(request: Request, status: int, title: str, detail: str) -> HTMLResponse:
    return TEMPLATES.TemplateResponse(
        request,
        "error.html",
        {"status": status, "title": title, "detail": detail, "navigation": NAVIGATION, "path": ""},
        status_code=status,
    )
