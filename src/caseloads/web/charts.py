"""Vega-Lite specifications for the dashboard's charts. The browser draws them with the
vendored vega, vega-lite and vega-embed (static/app.js); each chart sits beside a table with the
same figures, which is what a screen reader, a keyboard user or a browser without JavaScript
reads."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

SCHEMA = "https://vega.github.io/schema/vega-lite/v6.json"
#: GOV.UK palette colours, distinguishable for the common colour-vision deficiencies.
PALETTE = ["#1d70b8", "#d4351c", "#00703c", "#f47738", "#4c2c92", "#28a197", "#912b88", "#505a5f"]


def _values(rows: Sequence[Mapping[str, Any]], fields: Sequence[str]) -> list[dict[str, Any]]:
    return [{f: r.get(f) for f in fields} for r in rows]


def line(
    rows: Sequence[Mapping[str, Any]],
    *,
    x: str,
    y: Sequence[str],
    title: str,
    y_title: str,
    x_title: str = "",
    series: str | None = None,
    time_unit: str = "yearmonthdate",
) -> dict[str, Any]:
    """A line per column of ``y`` (folded into one legend), or per value of ``series``."""
    fields = [x, *y] + ([series] if series else [])
    spec: dict[str, Any] = {
        "$schema": SCHEMA,
        "title": title,
        "width": "container",
        "height": 260,
        "data": {"values": _values(rows, fields)},
        "mark": {"type": "line", "point": True},
        "encoding": {
            "x": {"field": x, "type": "temporal", "timeUnit": time_unit, "title": x_title or None},
            "y": {"type": "quantitative", "title": y_title},
        },
        "config": {"range": {"category": PALETTE}, "font": "arial"},
    }
    if series:
        spec["encoding"]["y"]["field"] = y[0]
        spec["encoding"]["color"] = {"field": series, "type": "nominal", "title": None}
    elif len(y) == 1:
        spec["encoding"]["y"]["field"] = y[0]
    else:
        spec["transform"] = [{"fold": list(y), "as": ["measure", "value"]}]
        spec["encoding"]["y"]["field"] = "value"
        spec["encoding"]["color"] = {"field": "measure", "type": "nominal", "title": None}
    return spec


def bars(
    rows: Sequence[Mapping[str, Any]],
    *,
    x: str,
    y: str,
    title: str,
    y_title: str,
    horizontal: bool = False,
) -> dict[str, Any]:
    """One bar per row (categories in the rows' order)."""
    category = {"field": x, "type": "nominal", "title": None, "sort": None}
    value = {"field": y, "type": "quantitative", "title": y_title}
    return {
        "$schema": SCHEMA,
        "title": title,
        "width": "container",
        "height": 260 if not horizontal else {"step": 22},
        "data": {"values": _values(rows, [x, y])},
        "mark": "bar",
        "encoding": {"y": category, "x": value} if horizontal else {"x": category, "y": value},
        "config": {"range": {"category": PALETTE}, "font": "arial"},
    }
