from __future__ import annotations

import pytest

from caseloads.domain.teams import Team, infer_team_type, name_key, resolve_teams


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("MASH", "front_door"),
        ("Front Door and Duty", "front_door"),
        ("Assessment Team 2", "assessment"),
        ("Referral & Assessment", "assessment"),
        ("Child Protection Team 1", "cin_cp"),
        ("CIN and CP Team 3", "cin_cp"),
        ("Children in Care Team 1", "cla"),
        ("Looked After Children", "cla"),
        ("Leaving Care Team", "leaving_care"),
        ("16+ Service", "leaving_care"),
        ("Disabled Children's Team", "disabled_children"),
        ("Court and Proceedings Team", "court"),
        ("Fostering Service", "fostering"),
        ("Adoption Team", "adoption"),
        ("Children's Social Care Management", "management"),
        ("Classroom support", "other"),  # "cla" only as a whole word
    ],
)
def test_infer_team_type(name: str, expected: str) -> None:
    assert infer_team_type(name) == expected


def test_name_key_ignores_case_and_punctuation() -> None:
    assert name_key("Children's  Team-1") == name_key("childrens team 1") == "childrensteam1"


def test_references_match_ids_then_names_then_create() -> None:
    known = {"T01": Team("T01", "Assessment Team 1", None, "assessment")}
    res = resolve_teams(["T01", "assessment team 1", "New Team"], [], known)
    assert res.mapping == {"T01": "T01", "assessment team 1": "T01", "New Team": "New Team"}
    assert [t.team_id for t in res.new] == ["New Team"]
    assert res.renamed == {}


def test_defined_team_adopts_a_team_known_only_by_name() -> None:
    # A spreadsheet created "Leaving Care Team" keyed by its name; the SSD now defines it as T09.
    known = {
        "Leaving Care Team": Team("Leaving Care Team", "Leaving Care Team", None, "leaving_care")
    }
    res = resolve_teams(["T09", "Leaving Care Team"], [("T09", "Leaving Care Team", None)], known)
    assert res.renamed == {"Leaving Care Team": "T09"}
    assert res.mapping == {"T09": "T09", "Leaving Care Team": "T09"}
    assert [(t.team_id, t.team_type) for t in res.new] == [("T09", "leaving_care")]


def test_defined_team_with_known_id_is_not_new() -> None:
    known = {"T01": Team("T01", "MASH", None, "front_door")}
    res = resolve_teams(["T01"], [("T01", "MASH", None)], known)
    assert res.new == [] and res.mapping == {"T01": "T01"}


def test_a_team_only_named_by_a_spreadsheet_is_the_defined_team() -> None:
    # The SSD defined T01 "Assessment Team 1"; staff.csv names the team in words.
    known = {"T01": Team("T01", "Assessment Team 1", None, "assessment")}
    res = resolve_teams(
        ["Assessment Team 1"], [("Assessment Team 1", "Assessment Team 1", None)], known
    )
    assert res.mapping == {"Assessment Team 1": "T01"}
    assert res.new == [] and res.renamed == {}


def test_two_defined_teams_may_share_a_name() -> None:
    # Different ids, same words (e.g. "Duty" under two localities): both are kept; a reference by
    # name goes to the first.
    known = {"T01": Team("T01", "Duty", "N", "front_door")}
    res = resolve_teams(["T02", "Duty"], [("T02", "Duty", "S")], known)
    assert [t.team_id for t in res.new] == ["T02"]
    assert res.mapping == {"T02": "T02", "Duty": "T01"}
