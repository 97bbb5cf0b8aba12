"""Team types, team names, and which team type is responsible for each stage of a child's case.

Allocation pools are numbered: one per practice team type, plus family help practitioners (who
hold some children in need without being social workers) and independent reviewing officers.
"""

from __future__ import annotations

from dataclasses import dataclass

# Allocation pools (and practice team types).
FRONT_DOOR = 0
ASSESSMENT = 1
CIN_CP = 2
DISABLED = 3
COURT = 4
CLA = 5
LEAVING_CARE = 6
FAMILY_HELP = 7
IRO = 8
MANAGEMENT = 9

#: The design.md team type of each practice pool and of the management team.
TEAM_TYPE = {
    FRONT_DOOR: "front_door",
    ASSESSMENT: "assessment",
    CIN_CP: "cin_cp",
    DISABLED: "disabled_children",
    COURT: "court",
    CLA: "cla",
    LEAVING_CARE: "leaving_care",
    MANAGEMENT: "management",
}
TYPE_CODE = {name: code for code, name in TEAM_TYPE.items()}
PRACTICE_TYPES = (FRONT_DOOR, ASSESSMENT, CIN_CP, DISABLED, COURT, CLA, LEAVING_CARE)

#: Who takes a stage when the council has no team of the first-choice type (small councils merge
#: their specialist teams into the assessment, CIN/CP and children in care teams).
RESPONSIBILITY: dict[int, tuple[int, ...]] = {
    FRONT_DOOR: (FRONT_DOOR, ASSESSMENT, CIN_CP),
    ASSESSMENT: (ASSESSMENT, FRONT_DOOR, CIN_CP),
    CIN_CP: (CIN_CP, ASSESSMENT),
    DISABLED: (DISABLED, CIN_CP),
    COURT: (COURT, CIN_CP),
    CLA: (CLA, CIN_CP),
    LEAVING_CARE: (LEAVING_CARE, CLA, CIN_CP),
    FAMILY_HELP: (FAMILY_HELP,),
    IRO: (IRO,),
}

MANAGEMENT_NAME = "Children's Social Care Management"


def team_name(team_type: int, number: int, count: int) -> str:
    """The team's name: it makes the type obvious (``domain.teams.infer_team_type`` reads it)."""
    suffix = f" {number}" if count > 1 else ""
    if team_type == FRONT_DOOR:
        return f"MASH{suffix}"
    if team_type == ASSESSMENT:
        return f"Assessment Team{suffix}"
    if team_type == CIN_CP:
        return f"CIN and CP Team{suffix}"
    if team_type == DISABLED:
        return f"Disabled Children's Team{suffix}"
    if team_type == COURT:
        return f"Court and Proceedings Team{suffix}"
    if team_type == CLA:
        return f"Children in Care Team{suffix}"
    if team_type == LEAVING_CARE:
        return f"Leaving Care Team{suffix}"
    if team_type == MANAGEMENT:
        return MANAGEMENT_NAME
    raise ValueError(f"no team type {team_type}")


@dataclass(frozen=True)
class Team:
    """One team: ``index`` is its position (``team_id`` is ``T`` + two digits of index + 1)."""

    index: int
    team_type: int
    name: str

    @property
    def team_id(self) -> str:
        return f"T{self.index + 1:02d}"

    @property
    def type_name(self) -> str:
        return TEAM_TYPE[self.team_type]


def build_teams(layout: tuple[tuple[str, int], ...]) -> list[Team]:
    """The council's teams: the practice teams of ``layout`` (type name, count) in order, then the
    management team."""
    teams: list[Team] = []
    for type_name, count in layout:
        code = TYPE_CODE[type_name]
        if code not in PRACTICE_TYPES:
            raise ValueError(f"{type_name!r} is not a practice team type")
        for number in range(1, count + 1):
            teams.append(Team(len(teams), code, team_name(code, number, count)))
    teams.append(Team(len(teams), MANAGEMENT, MANAGEMENT_NAME))
    return teams


def resolve_pools(present: set[int] | frozenset[int]) -> dict[int, int]:
    """For each pool, the pool that actually takes its children given the practice team types
    ``present`` (family help and IRO pools map to themselves)."""
    out: dict[int, int] = {}
    for pool, choices in RESPONSIBILITY.items():
        if pool in (FAMILY_HELP, IRO):
            out[pool] = pool
            continue
        out[pool] = next((c for c in choices if c in present), CIN_CP)
    return out
