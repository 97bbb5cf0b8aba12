"""The SSD extract: a folder of SSD tables (ssd.py, ssd_tables.py)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from tests.ingest.helpers import P, assert_clean, assert_no_raw, assert_shapes, csv, found, write

from caseloads.ingest.extract import Extract
from caseloads.ingest.pseudonymise import local_namespace, swe_namespace
from caseloads.ingest.ssd import read_ssd

LA = "301"

TABLES: dict[str, str] = {
    "ssd_person": csv(
        "pers_person_id,pers_forename,pers_surname,pers_sex,pers_ethnicity,pers_dob,pers_common_child_id",
        "C001,Amelia,Quill,F,WBRI,2015-03-15,A123456789012",
        "C002,Bobby,Quill,M,NOBT,2016-07-01 00:00:00.000,",
        "C003,,,U,,,",
    ),
    "ssd_family": csv("fami_table_id,fami_family_id,fami_person_id", "1,F01,C001", "2,F01,C002"),
    "ssd_professionals": csv(
        "prof_professional_id,prof_staff_id,prof_professional_name,"
        "prof_social_worker_registration_no,prof_professional_job_title,"
        "prof_professional_caseload,prof_professional_department,prof_full_time_equivalency,"
        "prof_agency_worker_flag",
        "PR1,ST1,Jo Bloggs,SW1234567890,Senior Social Worker (CP),14,Team A,1,N",
        "PR2,,Al Smith,,Social Worker,6,Team B,0.6,Y",
    ),
    "ssd_department": csv(
        "dept_team_id,dept_team_name,dept_team_parent_id,dept_team_parent_name",
        "T1,Team A,D1,Safeguarding",
        "D1,Safeguarding,,",
    ),
    "ssd_involvements": csv(
        "invo_involvements_id,invo_professional_id,invo_professional_role_id,"
        "invo_professional_team,invo_involvement_start_date,invo_involvement_end_date,"
        "invo_worker_change_reason,invo_person_id,invo_referral_id",
        "I1,PR1,CW,Team A,2023-01-01,2023-06-30,LEFTRL,C001,R1",
        "I2,PR2,CW,Team B,2023-07-01,,,C001,R1",
        "I3,PR1,CW,T1,2023-02-01,,,C002,R2",
    ),
    "ssd_contacts": csv(
        "cont_contact_id,cont_person_id,cont_contact_date,cont_contact_source_code,"
        "cont_contact_source_desc,cont_contact_outcome_json",
        'K1,C001,2022-12-20,1A,Police,"{""OUTCOME_COMMENTS"": ""Mum says hello""}"',
    ),
    "ssd_cin_episodes": csv(
        "cine_referral_id,cine_person_id,cine_referral_date,cine_cin_primary_need_code,"
        "cine_referral_source_code,cine_referral_source_desc,cine_referral_outcome_json,"
        "cine_referral_nfa,cine_close_reason,cine_close_date,cine_referral_team,"
        "cine_referral_worker_id",
        "R1,C001,2023-01-01,N1,1A,Police,{},N,RC8,2024-01-31,Team A,PR1",
        "R2,C002,2023-02-01,N2,2B,School,{},Y,,,Team A,PR2",
    ),
    "ssd_cin_assessments": csv(
        "cina_assessment_id,cina_person_id,cina_referral_id,cina_assessment_start_date,"
        "cina_assessment_child_seen,cina_assessment_auth_date,cina_assessment_outcome_json,"
        "cina_assessment_outcome_nfa,cina_assessment_team,cina_assessment_worker_id",
        "A1,C001,R1,2023-01-02,Y,2023-02-10,{},N,Team A,PR1",
    ),
    "ssd_s47_enquiry": csv(
        "s47e_s47_enquiry_id,s47e_referral_id,s47e_person_id,s47e_s47_start_date,"
        "s47e_s47_end_date,s47e_s47_nfa,s47e_s47_outcome_json,s47e_s47_completed_by_team,"
        "s47e_s47_completed_by_worker_id",
        "S1,R1,C001,2023-01-05,2023-01-20,N,{},Team A,PR1",
    ),
    "ssd_initial_cp_conference": csv(
        "icpc_icpc_id,icpc_icpc_meeting_id,icpc_s47_enquiry_id,icpc_person_id,icpc_cp_plan_id,"
        "icpc_referral_id,icpc_icpc_transfer_in,icpc_icpc_target_date,icpc_icpc_date,"
        "icpc_icpc_outcome_cp_flag,icpc_icpc_outcome_json,icpc_icpc_team,icpc_icpc_worker_id",
        "IC1,M1,S1,C001,CP1,R1,N,2023-01-26,2023-01-25,Y,{},Team A,PR1",
    ),
    "ssd_cin_plans": csv(
        "cinp_cin_plan_id,cinp_referral_id,cinp_person_id,cinp_cin_plan_start_date,"
        "cinp_cin_plan_end_date,cinp_cin_plan_team,cinp_cin_plan_worker_id",
        "CIN1,R2,C002,2023-03-01,,Team B,PR2",
    ),
    "ssd_cp_plans": csv(
        "cppl_cp_plan_id,cppl_referral_id,cppl_icpc_id,cppl_person_id,cppl_cp_plan_start_date,"
        "cppl_cp_plan_end_date,cppl_cp_plan_ola,cppl_cp_plan_initial_category,"
        "cppl_cp_plan_latest_category",
        "CP1,R1,IC1,C001,2023-01-25,2023-09-30,N,Neglect,Emotional abuse",
    ),
    "ssd_cla_episodes": csv(
        "clae_cla_episode_id,clae_person_id,clae_cla_placement_id,clae_cla_episode_start_date,"
        "clae_cla_episode_start_reason,clae_cla_primary_need_code,clae_cla_episode_ceased_date,"
        "clae_cla_episode_ceased_reason,clae_cla_id,clae_referral_id,clae_entered_care_date,"
        "clae_cla_last_iro_contact_date",
        "E1,C001,PL1,2023-10-01,S,N1,,,CLA1,R1,2023-10-01,2023-11-01",
    ),
    "ssd_care_leavers": csv(
        "clea_table_id,clea_person_id,clea_care_leaver_eligibility,clea_care_leaver_in_touch,"
        "clea_care_leaver_latest_contact,clea_care_leaver_accommodation,"
        "clea_care_leaver_accom_suitable,clea_care_leaver_activity,"
        "clea_pathway_plan_review_date,clea_care_leaver_personal_advisor,"
        "clea_care_leaver_allocated_team,clea_care_leaver_worker_id",
        "L1,C003,Former Relevant,YES,2024-01-10,U,1,F2,2023-12-01,Pat Adviser,Team B,PR2",
    ),
    "ssd_pre_proceedings": csv(
        "prep_table_id,prep_person_id,prep_plo_family_id,prep_pre_pro_decision_date,"
        "prep_initial_pre_pro_meeting_date,prep_pre_pro_outcome,prep_agree_stepdown_issue_date,"
        "prep_pre_pro_letter_date,prep_care_pro_letter_date,prep_court_reference",
        "PP1,C001,F01,2023-04-01,2023-04-15,Decision to step down,2023-08-01,2023-04-02,,"
        "ZW23C00042",
    ),
}
RAW = [
    "C001",
    "C002",
    "C003",
    "F01",
    "PR1",
    "PR2",
    "ST1",
    "I1",
    "I2",
    "K1",
    "R1",
    "R2",
    "A1",
    "S1",
    "IC1",
    "CP1",
    "CIN1",
    "E1",
    "L1",
    "PP1",
    "SW1234567890",
    "1234567890",
    "Amelia",
    "Quill",
    "Bloggs",
    "Smith",
    "Mum says",
    "Pat Adviser",
    "ZW23C00042",
    "A123456789012",
    "2015-03-15",
]


def folder(tmp_path: Path, **changes: str | None) -> Path:
    """Write the SSD tables, with some replaced (text) or left out (None)."""
    root = tmp_path / "ssd"
    root.mkdir(exist_ok=True)
    for name, text in {**TABLES, **changes}.items():
        if text is not None:
            write(root, f"{name}.csv", text)
    return root


def read(path: Path) -> Extract:
    return read_ssd(path, la_code=LA, pseudonymiser=P, max_file_bytes=1_000_000)


def ns(kind: str) -> str:
    return local_namespace(LA, kind)


def test_a_good_folder(tmp_path: Path) -> None:
    extract = read(folder(tmp_path))
    assert_clean(extract)
    assert_shapes(extract)
    assert len(extract.files) == len(TABLES)
    assert extract.row_counts() == {
        "children": 3,
        "families": 2,
        "professionals": 2,
        "involvements": 3,
        "contacts": 1,
        "referrals": 2,
        "assessments": 1,
        "s47_enquiries": 1,
        "icpcs": 1,
        "cin_plans": 1,
        "cp_plans": 1,
        "cla_episodes": 1,
        "care_leavers": 1,
        "pre_proceedings": 1,
    }
    child = {c: P.one(ns("person"), c) for c in ("C001", "C002", "C003")}
    # PR2 has no staff id: its worker id is hashed from its professional id, prefixed so that it
    # cannot collide with an HR worker_ref of the same text.
    worker1, worker2 = P.one(ns("worker"), "ST1"), P.one(ns("worker"), "prof:PR2")
    assert extract.frames["children"].rows() == [
        (child["C001"], "2015-03", "F", "WBRI"),
        (child["C002"], "2016-07", "M", "NOBT"),
        (child["C003"], None, "U", None),
    ]
    assert extract.frames["professionals"].rows() == [
        (
            P.one(ns("professional"), "PR1"),
            worker1,
            P.one(swe_namespace(), "SW1234567890"),
            "Senior Social Worker (CP)",
            "senior_social_worker_cp",
            "Team A",
            1.0,
            False,
            14,
        ),
        (
            P.one(ns("professional"), "PR2"),
            worker2,
            None,
            "Social Worker",
            "social_worker",
            "Team B",
            0.6,
            True,
            6,
        ),
    ]
    assert extract.frames["involvements"].rows()[0] == (
        P.one(ns("involvement"), "I1"),
        worker1,
        child["C001"],
        "Team A",
        "CW",
        date(2023, 1, 1),
        date(2023, 6, 30),
        P.one(ns("referral"), "R1"),
        "LEFTRL",
    )
    referral = extract.frames["referrals"].row(0, named=True)
    assert referral["referral_id"] == P.one(ns("referral"), "R1")
    assert referral["nfa"] is False and referral["close_date"] == date(2024, 1, 31)
    assert referral["worker_id"] == worker1 and referral["team_id"] == "Team A"
    icpc = extract.frames["icpcs"].row(0, named=True)
    assert icpc["s47_id"] == extract.frames["s47_enquiries"].item(0, "s47_id")
    assert icpc["cp_plan_id"] == extract.frames["cp_plans"].item(0, "cp_plan_id")
    assert icpc["outcome_cp"] is True and icpc["transfer_in"] is False
    assert (
        extract.frames["families"].get_column("family_id").to_list()
        == [P.one(ns("family"), "F01")] * 2
    )
    pre = extract.frames["pre_proceedings"].row(0, named=True)
    assert pre["family_id"] == P.one(ns("family"), "F01")
    assert pre["outcome"] == "Decision to step down"
    assert pre["pre_proceedings_letter_date"] == date(2023, 4, 2)
    assert pre["care_proceedings_letter_date"] is None
    leaver = extract.frames["care_leavers"].row(0, named=True)
    assert leaver["worker_id"] == worker2 and leaver["eligibility"] == "Former Relevant"
    assert extract.teams is not None
    assert extract.teams.rows() == [
        ("T1", "Team A", "D1"),
        ("D1", "Safeguarding", None),
        ("Team B", "Team B", None),
    ]
    assert_no_raw(extract, RAW)


def test_ssd_person_is_required_and_the_core_tables_expected(tmp_path: Path) -> None:
    extract = read(folder(tmp_path, ssd_person=None, ssd_involvements=None))
    missing = [(f.severity, f.message.split(".csv")[0]) for f in found(extract, "table.missing")]
    assert missing == [("error", "ssd_person"), ("warning", "ssd_involvements")]
    assert_shapes(extract)


def test_without_professionals_workers_are_hashed_from_professional_ids(tmp_path: Path) -> None:
    extract = read(folder(tmp_path, ssd_professionals=None))
    assert not extract.findings.has_errors()
    (warning,) = found(extract, "table.missing")
    assert warning.severity == "warning" and "hashed from the professional ids" in warning.message
    workers = extract.frames["involvements"].get_column("worker_id").to_list()
    assert workers == [P.one(ns("worker"), "prof:" + p) for p in ("PR1", "PR2", "PR1")]


def test_unknown_professional_and_person_in_involvements_are_errors(tmp_path: Path) -> None:
    rows = TABLES["ssd_involvements"] + "I4,PR7,CW,Team A,2023-01-01,,,C009,R1\n"
    episodes = TABLES["ssd_cin_episodes"].replace("Team A,PR2", "Team A,PR9")
    extract = read(folder(tmp_path, ssd_involvements=rows, ssd_cin_episodes=episodes))
    got = sorted((f.severity, f.rule, f.row, f.column, f.value) for f in extract.findings)
    assert got == [
        ("error", "reference.unknown", 5, "invo_person_id", "A999"),
        ("error", "reference.unknown", 5, "invo_professional_id", "AA9"),
        ("warning", "reference.unknown", 3, "cine_referral_worker_id", "AA9"),
    ]
    # An unknown professional's worker id is hashed from the professional id itself; the known
    # ones still resolve to their staff ids (PR1 -> ST1; PR2 has none, so prof:PR2).
    workers = extract.frames["involvements"].get_column("worker_id").to_list()
    assert workers == [P.one(ns("worker"), ref) for ref in ("ST1", "prof:PR2", "ST1", "prof:PR7")]
    referral_workers = extract.frames["referrals"].get_column("worker_id").to_list()
    assert P.one(ns("worker"), "prof:PR9") in referral_workers
    # The unknown person is hashed like the known ones (the look-up of ssd_person's people
    # gives the known digests; the unknown id is hashed on its own).
    children = extract.frames["involvements"].get_column("child_id").to_list()
    assert children == [P.one(ns("person"), c) for c in ("C001", "C001", "C002", "C009")]
    assert_no_raw(extract, ["PR7", "C009", "PR9"])


def test_unknown_people_elsewhere_are_warnings(tmp_path: Path) -> None:
    contacts = TABLES["ssd_contacts"] + "K2,C404,2023-01-01,1A,,\n"
    extract = read(folder(tmp_path, ssd_contacts=contacts))
    (finding,) = [f for f in extract.findings if f.file == "ssd_contacts.csv"]
    assert (finding.severity, finding.rule, finding.row) == ("warning", "reference.unknown", 3)


def test_row_rules(tmp_path: Path) -> None:
    extract = read(
        folder(
            tmp_path,
            ssd_person=TABLES["ssd_person"] + "C001,,,F,,,\n",
            ssd_cin_plans=TABLES["ssd_cin_plans"] + "CIN2,R2,C002,2023-03-01,2023-02-01,T,PR2\n",
            ssd_department=TABLES["ssd_department"] + "T1,Team A again,,\n",
        )
    )
    got = {(f.file, f.rule, f.row, f.column) for f in extract.findings.errors}
    assert got == {
        ("ssd_person.csv", "duplicate.key", 5, "pers_person_id"),
        ("ssd_cin_plans.csv", "date.order", 3, "cinp_cin_plan_end_date"),
        ("ssd_department.csv", "duplicate.key", 4, "dept_team_id"),
    }


def test_swe_shape_is_checked_in_professionals(tmp_path: Path) -> None:
    professionals = TABLES["ssd_professionals"].replace("SW1234567890", "HCPC 123")
    extract = read(folder(tmp_path, ssd_professionals=professionals))
    assert not extract.findings.has_errors()
    (finding,) = found(extract, "swe.shape", "warning")
    assert (finding.row, finding.column, finding.value) == (
        2,
        "prof_social_worker_registration_no",
        "AAAA999",
    )


def test_folder_contents(tmp_path: Path) -> None:
    root = folder(tmp_path)
    write(root, "ssd_address.csv", "addr_table_id,addr_address_json\n1,{}\n")
    write(root, "notes.txt", "hello")
    write(root, ".DS_Store", "x")
    (root / "old").mkdir()
    extract = read(root)
    got = sorted((f.severity, f.rule, f.file) for f in extract.findings)
    assert ("warning", "file.unused", "ssd_address.csv") in got
    assert ("warning", "file.unknown", "notes.txt") in got
    assert ("warning", "file.unknown", "old") in got
    assert not [f for f in extract.findings if f.file == ".DS_Store"]


def test_two_files_for_one_table(tmp_path: Path) -> None:
    root = folder(tmp_path)
    write(root, "SSD_Person.CSV", TABLES["ssd_person"])
    if len(list(root.iterdir())) == len(TABLES):  # a case-insensitive file system
        return
    assert [f.rule for f in read(root).findings.errors] == ["file.duplicate"]


def test_headers_are_matched_loosely_and_extra_columns_reported(tmp_path: Path) -> None:
    person = csv(
        " PERS_PERSON_ID ,Pers_Sex,favourite_colour", "C001,F,blue", "C002,M,red", "C003,U,"
    )
    extract = read(folder(tmp_path, ssd_person=person))
    got = sorted((f.severity, f.rule, f.column) for f in extract.findings)
    assert got == [
        ("warning", "column.missing", "pers_dob"),
        ("warning", "column.missing", "pers_ethnicity"),
        ("warning", "column.unknown", "favourite_colour"),
    ]
    assert extract.frames["children"].get_column("sex").to_list() == ["F", "M", "U"]


def test_a_missing_required_column_is_an_error(tmp_path: Path) -> None:
    involvements = TABLES["ssd_involvements"].replace("invo_involvement_start_date", "start")
    extract = read(folder(tmp_path, ssd_involvements=involvements))
    errors = [(f.rule, f.column) for f in extract.findings.errors]
    assert errors == [("column.missing", "invo_involvement_start_date")]


def test_missing_folder(tmp_path: Path) -> None:
    extract = read(tmp_path / "nowhere")
    assert [f.rule for f in extract.findings] == ["file.missing"]
    assert_shapes(extract)
