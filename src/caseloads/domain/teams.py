"""Teams: their types, and matching the team references that extracts use to one team per name.

Team types are those of design.md §3. Case-management extracts name teams by id (the SSD's
``dept_team_id``); HR and finance spreadsheets name them in words. A reference is matched to a known
team by id first, then by name (case, spacing and punctuation ignored); anything else is a new team
whose id is the reference itself.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

TEAM_TYPES = (
    "front_door",
    "assessment",
    "cin_cp",
    "cla",
    "leaving_care",
    "disabled_children",
    "court",
    "fostering",
    "adoption",
    "management",
    "other",
)

# Ordered: the first pattern that matches a team's name gives its type. Short abbreviations must
# match as whole words ("cla" is not "class").
_TYPE_PATTERNS: tuple[tuple[str, str], ...] = (
    (
        "front_door",
        r"\bmash\b|front door|\bduty\b|first response|\bcontact\b|multi.agency safeguarding",
    ),
    ("leaving_care", r"leaving care|care leaver|after ?care|\b16\s*\+|\bpersonal advis"),
    ("disabled_children", r"disab|\bcwd\b|\bsend\b"),
    ("court", r"\bcourt\b|proceedings|\bplo\b|\blegal\b"),
    ("fostering", r"fostering"),
    ("adoption", r"adoption"),
    ("assessment", r"assessment|\br\s*&\s*a\b|\bintake\b"),
    ("cla", r"children in care|looked after|\bcla\b|\blac\b|permanence|children we care for"),
    (
        "cin_cp",
        r"child protection|children in need|\bcin\b|\bcp\b|safeguarding|family support"
        r"|locality|long.term|\bfamily\b",
    ),
    ("management", r"management|head of service|leadership|directorate|senior managers?"),
)


def infer_team_type(name: str) -> str:
    """The team type suggested by a team's name (``other`` if nothing matches)."""
    lowered = name.lower()
    for team_type, pattern in _TYPE_PATTERNS:
        if re.search(pattern, lowered):
            return team_type
    return "other"


def name_key(name: str) -> str:
    """A team name reduced for matching: lower case, letters and digits only."""
    return re.sub(r"[^a-z0-9]+", "", name.lower())


@dataclass(frozen=True, slots=True)
class Team:
    team_id: str
    name: str
    parent_id: str | None
    team_type: str


@dataclass(frozen=True, slots=True)
class TeamResolution:
    """How an extract's team references map to teams.

    ``mapping``: reference -> team id. ``new``: teams to create. ``renamed``: existing teams whose
    id was the bare name (created from a spreadsheet) and that an extract now defines with a proper
    id: old id -> new id, so stored rows can be re-pointed.
    """

    mapping: dict[str, str]
    new: list[Team]
    renamed: dict[str, str]


def resolve_teams(
    references: Iterable[str],
    defined: Iterable[tuple[str, str, str | None]],
    known: Mapping[str, Team],
) -> TeamResolution:
    """Match ``references`` against the ``known`` teams (by id) and the teams an extract ``defined``
    (id, name, parent id). Defined teams take their own ids; a known team keyed by its bare name
    that a defined team names is re-keyed to the defined id."""
    by_id: dict[str, Team] = dict(known)
    by_name: dict[str, str] = {}
    for team in known.values():
        by_name.setdefault(name_key(team.name), team.team_id)
    new: dict[str, Team] = {}
    renamed: dict[str, str] = {}
    for team_id, name, parent_id in defined:
        if team_id in by_id:
            continue
        existing = by_name.get(name_key(name))
        if existing is not None and team_id == name:
            continue  # only named, not defined: the reference resolves to the existing team
        if existing is not None and existing == by_id[existing].name:
            # A team known only by its bare name is now defined with a proper id: adopt it.
            renamed[existing] = team_id
            old = by_id.pop(existing)
            by_id[team_id] = Team(team_id, name, parent_id, old.team_type)
            by_name[name_key(name)] = team_id
        else:
            by_id[team_id] = Team(team_id, name, parent_id, infer_team_type(name))
            by_name.setdefault(name_key(name), team_id)
        new[team_id] = by_id[team_id]
    mapping: dict[str, str] = {}
    for ref in sorted(set(references)):
        if ref in by_id:
            mapping[ref] = ref
        elif name_key(ref) in by_name:
            mapping[ref] = by_name[name_key(ref)]
        else:
            team = Team(ref, ref, None, infer_team_type(ref))
            by_id[ref] = team
            by_name[name_key(ref)] = ref
            new[ref] = team
            mapping[ref] = ref
    return TeamResolution(mapping, list(new.values()), renamed)
