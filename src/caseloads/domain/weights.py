"""Caseload weighting schemes and the caseload settings councils differ on (issue 5, deliverable 3).

A scheme is one effective-dated document: points per child by status, uplifts, the sibling factor,
capacity points per role, reductions, RAG bands, and the settings (allocated involvement roles,
role mapping, manager roles, safe caseload standards per team type, the kind of case each
standard counts, team status margins, the length of care proceedings). England has no national
cap or weighting (definitions.md §3, practice.md §1), so every value is a setting; the defaults
and their sources are in ``caseloads/data/caseload_scheme.yaml``.

A council's scheme may give only some keys: :func:`parse_scheme` lays them over a base scheme
(the shipped default). The scheme in force on a date is the one with the latest
``effective_from`` on or before it (:func:`scheme_in_force`). Pure: no file is read here.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

#: Child statuses in order of precedence (deliverable 2): the first that applies wins.
STATUSES: tuple[str, ...] = (
    "cla",
    "cp",
    "cin",
    "care_leaver",
    "assessment",
    "referral",
    "other",
)
UPLIFTS: tuple[str, ...] = ("court_proceedings",)
TEAM_STATUS_KEYS: tuple[str, ...] = ("under_pressure", "can_release")

_KEYS = (
    "name",
    "effective_from",
    "points",
    "uplifts",
    "sibling_factor",
    "capacity_points",
    "reductions",
    "rag",
    "allocated_roles",
    "role_mapping",
    "manager_roles",
    "standards",
    "standard_case",
    "team_status",
    "court_proceedings_weeks",
)


class SchemeProblem(ValueError):
    """A scheme key with an unusable value: ``key`` (dotted path) and ``value`` name it."""

    def __init__(self, key: str, value: object, message: str) -> None:
        super().__init__(f"{key}: {value!r}: {message}")
        self.key = key
        self.value = value
        self.reason = message


@dataclass(frozen=True, slots=True)
class Scheme:
    """A validated weighting scheme with its settings (see the module docstring)."""

    name: str
    effective_from: date
    points: Mapping[str, float]
    uplifts: Mapping[str, float]
    sibling_factor: float
    capacity_points: Mapping[str, float]
    asye_percent: float
    asye_months: int
    rag_green: float
    rag_amber: float
    allocated_roles: tuple[str, ...]
    role_mapping: Mapping[str, str]
    manager_roles: tuple[str, ...]
    standards: Mapping[str, float]
    standard_case: Mapping[str, str]
    under_pressure_pct: float
    can_release_pct: float
    court_proceedings_weeks: int

    def to_dict(self) -> dict[str, Any]:
        """The scheme as the YAML form it was read from (JSON-safe; dates as ISO text)."""
        return {
            "name": self.name,
            "effective_from": self.effective_from.isoformat(),
            "points": dict(self.points),
            "uplifts": dict(self.uplifts),
            "sibling_factor": self.sibling_factor,
            "capacity_points": dict(self.capacity_points),
            "reductions": {"asye": {"percent": self.asye_percent, "months": self.asye_months}},
            "rag": {"green": self.rag_green, "amber": self.rag_amber},
            "allocated_roles": list(self.allocated_roles),
            "role_mapping": dict(self.role_mapping),
            "manager_roles": list(self.manager_roles),
            "standards": dict(self.standards),
            "standard_case": dict(self.standard_case),
            "team_status": {
                "under_pressure": self.under_pressure_pct,
                "can_release": self.can_release_pct,
            },
            "court_proceedings_weeks": self.court_proceedings_weeks,
        }

    def status_points(self, status: str, *, court: bool = False) -> float:
        """A child's points: its status's points, plus the court uplift when flagged."""
        return self.points[status] + (self.uplifts["court_proceedings"] if court else 0.0)

    def capacity_of(self, role: str | None) -> float:
        """Capacity points per 1.0 FTE of ``role`` (0 for a role the scheme does not list)."""
        return 0.0 if role is None else self.capacity_points.get(role, 0.0)


def normalise_role(title: str | None) -> str | None:
    """A job title as a role: lower case, runs of other characters as ``_`` (``Senior
    Practitioner`` -> ``senior_practitioner``), as the SSD reader stores it."""
    if title is None:
        return None
    out = "".join(ch if ch.isalnum() else " " for ch in title.lower()).split()
    return "_".join(out) or None


def _number(key: str, value: object, *, low: float = 0.0, high: float | None = None) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise SchemeProblem(key, value, "must be a number")
    number = float(value)
    if number < low or (high is not None and number > high):
        limit = f"between {low:g} and {high:g}" if high is not None else f"at least {low:g}"
        raise SchemeProblem(key, value, f"must be {limit}")
    return number


def _mapping(key: str, value: object) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise SchemeProblem(key, value, "must be a mapping of names to values")
    return value


def _strings(key: str, value: object) -> tuple[str, ...]:
    if not isinstance(value, Sequence) or isinstance(value, str):
        raise SchemeProblem(key, value, "must be a list of names")
    items = []
    for i, item in enumerate(value):
        if not isinstance(item, str) or not item.strip():
            raise SchemeProblem(f"{key}[{i}]", item, "must be a non-empty name")
        items.append(item.strip())
    return tuple(items)


def _numbers(
    key: str,
    value: object,
    base: Mapping[str, float],
    *,
    allowed: Sequence[str] | None = None,
    high: float | None = None,
) -> dict[str, float]:
    merged = dict(base)
    for name, number in _mapping(key, value).items():
        if allowed is not None and name not in allowed:
            raise SchemeProblem(f"{key}.{name}", number, f"unknown; choose from {list(allowed)}")
        merged[str(name)] = _number(f"{key}.{name}", number, high=high)
    return merged


def _date(key: str, value: object) -> date:
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            pass
    raise SchemeProblem(key, value, "must be a date, YYYY-MM-DD")


def parse_scheme(data: object, base: Scheme | None = None) -> Scheme:
    """A scheme from its YAML form (a mapping), keys absent taken from ``base``. Without a base
    every key is required. Raises :class:`SchemeProblem` naming the key and value."""
    doc = _mapping("(document)", data)
    for key in doc:
        if key not in _KEYS:
            raise SchemeProblem(str(key), doc[key], f"unknown key; the keys are {list(_KEYS)}")
    if base is None:
        missing = [k for k in _KEYS if k not in doc]
        if missing:
            raise SchemeProblem(missing[0], None, "is required")
    b = base.to_dict() if base is not None else {}

    def get(key: str) -> Any:
        return doc[key] if key in doc else b[key]

    name = get("name")
    if not isinstance(name, str) or not name.strip():
        raise SchemeProblem("name", name, "must be a non-empty name")
    if "effective_from" not in doc:
        raise SchemeProblem(
            "effective_from", None, "is required (the date the scheme applies from)"
        )
    effective_from = _date("effective_from", doc["effective_from"])

    points = _numbers("points", doc.get("points", {}), b.get("points", {}), allowed=STATUSES)
    if base is None:
        for status in STATUSES:
            if status not in points:
                raise SchemeProblem(f"points.{status}", None, "is required")
    uplifts = _numbers("uplifts", doc.get("uplifts", {}), b.get("uplifts", {}), allowed=UPLIFTS)
    uplifts.setdefault("court_proceedings", 0.0)
    sibling = _number("sibling_factor", get("sibling_factor"), high=1.0)
    capacity = {
        _role("capacity_points", str(k)): v
        for k, v in _numbers(
            "capacity_points", doc.get("capacity_points", {}), b.get("capacity_points", {})
        ).items()
    }

    reductions = _mapping("reductions", get("reductions"))
    for key in reductions:
        if key != "asye":
            raise SchemeProblem(
                f"reductions.{key}",
                reductions[key],
                "unknown; only asye is set here (phased return, union duties and other "
                "reductions are entered per worker: `caseloads import reductions FILE`)",
            )
    asye = _mapping("reductions.asye", reductions.get("asye", b.get("reductions", {}).get("asye")))
    base_asye = b.get("reductions", {}).get("asye", {})
    asye_percent = _number(
        "reductions.asye.percent", asye.get("percent", base_asye.get("percent")), high=100.0
    )
    months = asye.get("months", base_asye.get("months"))
    if isinstance(months, bool) or not isinstance(months, int) or months < 0:
        raise SchemeProblem("reductions.asye.months", months, "must be a whole number of months")

    rag = {**b.get("rag", {}), **_mapping("rag", doc.get("rag", {}))}
    green = _number("rag.green", rag.get("green"))
    amber = _number("rag.amber", rag.get("amber"))
    if amber < green:
        raise SchemeProblem("rag.amber", amber, f"must be at least rag.green ({green:g})")

    allocated = _strings("allocated_roles", get("allocated_roles"))
    if not allocated:
        raise SchemeProblem("allocated_roles", [], "must name at least one involvement role")
    mapping_doc = _mapping("role_mapping", get("role_mapping"))
    role_mapping = {
        _role("role_mapping", str(k)): _role(f"role_mapping.{k}", v) for k, v in mapping_doc.items()
    }
    managers = tuple(
        _role("manager_roles", r) for r in _strings("manager_roles", get("manager_roles"))
    )

    standards = _numbers("standards", doc.get("standards", {}), b.get("standards", {}))
    for team_type, value in standards.items():
        if value <= 0:
            raise SchemeProblem(f"standards.{team_type}", value, "must be more than 0")
    standard_case = {**b.get("standard_case", {})}
    for team_type, status in _mapping("standard_case", doc.get("standard_case", {})).items():
        if status not in STATUSES:
            raise SchemeProblem(
                f"standard_case.{team_type}", status, f"must be a status: {list(STATUSES)}"
            )
        standard_case[str(team_type)] = str(status)
    for team_type in standards:
        status = standard_case.get(team_type, "cin")
        if points[status] <= 0:
            raise SchemeProblem(
                f"standard_case.{team_type}", status, "its points must be more than 0"
            )
    margins = {**b.get("team_status", {}), **_mapping("team_status", doc.get("team_status", {}))}
    for key in margins:
        if key not in TEAM_STATUS_KEYS:
            raise SchemeProblem(f"team_status.{key}", margins[key], f"unknown; {TEAM_STATUS_KEYS}")
    pressure = _number("team_status.under_pressure", margins.get("under_pressure"))
    release = _number("team_status.can_release", margins.get("can_release"), high=100.0)
    weeks = get("court_proceedings_weeks")
    if isinstance(weeks, bool) or not isinstance(weeks, int) or weeks < 0:
        raise SchemeProblem("court_proceedings_weeks", weeks, "must be a whole number of weeks")
    return Scheme(
        name=name.strip(),
        effective_from=effective_from,
        points=points,
        uplifts=uplifts,
        sibling_factor=sibling,
        capacity_points=capacity,
        asye_percent=asye_percent,
        asye_months=months,
        rag_green=green,
        rag_amber=amber,
        allocated_roles=allocated,
        role_mapping=role_mapping,
        manager_roles=managers,
        standards=standards,
        standard_case={t: standard_case.get(t, "cin") for t in standards},
        under_pressure_pct=pressure,
        can_release_pct=release,
        court_proceedings_weeks=weeks,
    )


def _role(key: str, value: object) -> str:
    if not isinstance(value, str):
        raise SchemeProblem(key, value, "must be a role name")
    role = normalise_role(value)
    if role is None:
        raise SchemeProblem(key, value, "must be a role name")
    return role


def scheme_in_force(schemes: Sequence[Scheme], on: date) -> Scheme | None:
    """The scheme with the latest ``effective_from`` on or before ``on`` (the last given wins a
    tie), or ``None`` if none has started."""
    best: Scheme | None = None
    for scheme in schemes:
        if scheme.effective_from <= on and (
            best is None or scheme.effective_from >= best.effective_from
        ):
            best = scheme
    return best
