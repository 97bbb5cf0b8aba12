"""Which SSD tables and fields ``caseloads`` reads, and what each becomes (design.md §3-4).

Field names are those of the Standard Safeguarding Dataset (data/ssd_fields.csv, flattened from
data-to-insight/ssd-data-model; definitions.md [S13]). Every other field the SSD defines for a
table is accepted and ignored without comment: names, addresses, free text (the ``*_json``
outcomes, personal advisers' names, court references), NHS numbers and UPNs are never read.

Per field: a value the stored table cannot do without (a NOT NULL column: the person, the record
id of a referral, the start date of an episode) is required, and its column must be in the header
(``column.missing``, error); the other fields should be in the header (the same rule as a warning:
a missing ``invo_involvement_end_date`` column would leave every allocation open).

Identifiers are hashed in these namespaces (identifiers.py): ``person`` for every person id,
``professional`` for ``prof_professional_id``, ``family`` for family ids (``fami_family_id``,
``prep_plo_family_id``), and one namespace per kind of case record: ``involvement``, ``contact``,
``referral`` (``cine_referral_id`` and every ``*_referral_id``), ``assessment``, ``s47``, ``icpc``,
``cin_plan``, ``cp_plan``, ``cla_episode``, ``care_leaver``, ``pre_proceedings``. Worker columns
hold a ``prof_professional_id``; the SSD reader resolves them to the professional's worker id.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from functools import cache
from importlib import resources

from caseloads.ingest.codes import MAX_FTE
from caseloads.ingest.schema import Field, FieldType, Schema

PERSON = "child_id"
WORKER = "worker_id"


@cache
def spec_fields() -> dict[str, frozenset[str]]:
    """Every SSD table and its field names (lower case), from the bundled field list."""
    text = resources.files("caseloads").joinpath("data", "ssd_fields.csv").read_text("utf-8")
    out: dict[str, set[str]] = {}
    for row in csv.DictReader(io.StringIO(text)):
        out.setdefault(row["table"].strip().lower(), set()).add(row["field"].strip().lower())
    return {table: frozenset(names) for table, names in out.items()}


@dataclass(frozen=True, slots=True)
class SsdTable:
    """One SSD table read by ``caseloads``.

    ``target``: the stored table (None for ``ssd_department``, which becomes ``Extract.teams``).
    ``key``: the record id, unique within the table (``duplicate.key``). ``dates``: (start, end)
    pairs that must be in order. ``person_error``: an unknown person is an error (else a
    warning). ``core``: absent = warning; ``required``: absent = error.
    """

    name: str
    target: str | None
    fields: tuple[Field, ...]
    key: str | None = None
    dates: tuple[tuple[str, str], ...] = ()
    person_error: bool = False
    core: bool = False
    required: bool = False
    schema: Schema = field(init=False)

    def __post_init__(self) -> None:
        known = spec_fields().get(self.name, frozenset())
        object.__setattr__(self, "schema", Schema(self.fields, known))

    @property
    def has_worker(self) -> bool:
        return any(f.target == WORKER for f in self.fields)

    @property
    def has_person(self) -> bool:
        return any(f.target == PERSON for f in self.fields)


def _f(
    source: str,
    target: str,
    kind: FieldType = "str",
    *,
    required: bool = False,
    ns: str | None = None,
    private: bool = False,
    minimum: float | None = None,
    maximum: float | None = None,
) -> Field:
    return Field(
        source,
        target,
        kind,
        required=required,
        header="required" if required else "expected",
        namespace=ns,
        private=private,
        minimum=minimum,
        maximum=maximum,
    )


def _person(source: str) -> Field:
    return _f(source, PERSON, "id", required=True, ns="person")


def _worker(source: str, *, required: bool = False) -> Field:
    return _f(source, WORKER, "id", required=required)


def _id(source: str, target: str, ns: str, *, required: bool = False) -> Field:
    return _f(source, target, "id", required=required, ns=ns)


def _date(source: str, target: str, *, required: bool = False) -> Field:
    return _f(source, target, "date", required=required)


def _flag(source: str, target: str) -> Field:
    return _f(source, target, "bool")


TABLES: tuple[SsdTable, ...] = (
    SsdTable(
        "ssd_person",
        "children",
        (
            _person("pers_person_id"),
            _f("pers_dob", "_dob", "date", private=True),
            Field("pers_expected_dob", "_expected_dob", "date", header="optional", private=True),
            _f("pers_sex", "sex"),
            _f("pers_ethnicity", "ethnicity"),
        ),
        key=PERSON,
        required=True,
    ),
    SsdTable(
        "ssd_professionals",
        "professionals",
        (
            _id("prof_professional_id", "professional_id", "professional", required=True),
            _f("prof_staff_id", "_staff_id"),
            _id("prof_social_worker_registration_no", "swe_hash", "swe"),
            _f("prof_professional_job_title", "job_title"),
            _f("prof_professional_department", "team_id"),
            _f("prof_full_time_equivalency", "fte", "float", minimum=0, maximum=MAX_FTE),
            _flag("prof_agency_worker_flag", "agency"),
            _f("prof_professional_caseload", "caseload_30sep", "int", minimum=0),
        ),
        key="professional_id",
        core=True,
    ),
    SsdTable(
        "ssd_department",
        None,
        (
            _f("dept_team_id", "team_id", required=True),
            _f("dept_team_name", "name"),
            _f("dept_team_parent_id", "parent_id"),
        ),
        key="team_id",
    ),
    SsdTable(
        "ssd_family",
        "families",
        (_id("fami_family_id", "family_id", "family", required=True), _person("fami_person_id")),
    ),
    SsdTable(
        "ssd_involvements",
        "involvements",
        (
            _id("invo_involvements_id", "involvement_id", "involvement"),
            _worker("invo_professional_id", required=True),
            _person("invo_person_id"),
            _f("invo_professional_role_id", "role"),
            _f("invo_professional_team", "team_id"),
            _date("invo_involvement_start_date", "start_date", required=True),
            _date("invo_involvement_end_date", "end_date"),
            _id("invo_referral_id", "referral_id", "referral"),
            _f("invo_worker_change_reason", "change_reason"),
        ),
        key="involvement_id",
        dates=(("start_date", "end_date"),),
        person_error=True,
        core=True,
    ),
    SsdTable(
        "ssd_contacts",
        "contacts",
        (
            _id("cont_contact_id", "contact_id", "contact"),
            _person("cont_person_id"),
            _date("cont_contact_date", "contact_date", required=True),
            _f("cont_contact_source_code", "source_code"),
        ),
        key="contact_id",
    ),
    SsdTable(
        "ssd_cin_episodes",
        "referrals",
        (
            _id("cine_referral_id", "referral_id", "referral", required=True),
            _person("cine_person_id"),
            _date("cine_referral_date", "referral_date", required=True),
            _f("cine_referral_source_code", "source_code"),
            _f("cine_cin_primary_need_code", "primary_need_code"),
            _flag("cine_referral_nfa", "nfa"),
            _date("cine_close_date", "close_date"),
            _f("cine_close_reason", "close_reason"),
            _f("cine_referral_team", "team_id"),
            _worker("cine_referral_worker_id"),
        ),
        key="referral_id",
        dates=(("referral_date", "close_date"),),
    ),
    SsdTable(
        "ssd_cin_assessments",
        "assessments",
        (
            _id("cina_assessment_id", "assessment_id", "assessment"),
            _person("cina_person_id"),
            _id("cina_referral_id", "referral_id", "referral"),
            _date("cina_assessment_start_date", "start_date", required=True),
            _date("cina_assessment_auth_date", "auth_date"),
            _flag("cina_assessment_child_seen", "child_seen"),
            _flag("cina_assessment_outcome_nfa", "nfa"),
            _f("cina_assessment_team", "team_id"),
            _worker("cina_assessment_worker_id"),
        ),
        key="assessment_id",
        dates=(("start_date", "auth_date"),),
    ),
    SsdTable(
        "ssd_s47_enquiry",
        "s47_enquiries",
        (
            _id("s47e_s47_enquiry_id", "s47_id", "s47"),
            _person("s47e_person_id"),
            _id("s47e_referral_id", "referral_id", "referral"),
            _date("s47e_s47_start_date", "start_date", required=True),
            _date("s47e_s47_end_date", "end_date"),
            _flag("s47e_s47_nfa", "nfa"),
            _f("s47e_s47_completed_by_team", "team_id"),
            _worker("s47e_s47_completed_by_worker_id"),
        ),
        key="s47_id",
        dates=(("start_date", "end_date"),),
    ),
    SsdTable(
        "ssd_initial_cp_conference",
        "icpcs",
        (
            _id("icpc_icpc_id", "icpc_id", "icpc"),
            _id("icpc_s47_enquiry_id", "s47_id", "s47"),
            _person("icpc_person_id"),
            _id("icpc_referral_id", "referral_id", "referral"),
            _id("icpc_cp_plan_id", "cp_plan_id", "cp_plan"),
            _date("icpc_icpc_date", "icpc_date"),
            _date("icpc_icpc_target_date", "target_date"),
            _flag("icpc_icpc_transfer_in", "transfer_in"),
            _flag("icpc_icpc_outcome_cp_flag", "outcome_cp"),
            _f("icpc_icpc_team", "team_id"),
            _worker("icpc_icpc_worker_id"),
        ),
        key="icpc_id",
    ),
    SsdTable(
        "ssd_cin_plans",
        "cin_plans",
        (
            _id("cinp_cin_plan_id", "cin_plan_id", "cin_plan"),
            _id("cinp_referral_id", "referral_id", "referral"),
            _person("cinp_person_id"),
            _date("cinp_cin_plan_start_date", "start_date", required=True),
            _date("cinp_cin_plan_end_date", "end_date"),
            _f("cinp_cin_plan_team", "team_id"),
            _worker("cinp_cin_plan_worker_id"),
        ),
        key="cin_plan_id",
        dates=(("start_date", "end_date"),),
    ),
    SsdTable(
        "ssd_cp_plans",
        "cp_plans",
        (
            _id("cppl_cp_plan_id", "cp_plan_id", "cp_plan"),
            _id("cppl_referral_id", "referral_id", "referral"),
            _id("cppl_icpc_id", "icpc_id", "icpc"),
            _person("cppl_person_id"),
            _date("cppl_cp_plan_start_date", "start_date", required=True),
            _date("cppl_cp_plan_end_date", "end_date"),
            _f("cppl_cp_plan_initial_category", "initial_category"),
            _f("cppl_cp_plan_latest_category", "latest_category"),
            _flag("cppl_cp_plan_ola", "ola"),
        ),
        key="cp_plan_id",
        dates=(("start_date", "end_date"),),
    ),
    SsdTable(
        "ssd_cla_episodes",
        "cla_episodes",
        (
            _id("clae_cla_episode_id", "cla_episode_id", "cla_episode"),
            _person("clae_person_id"),
            _id("clae_referral_id", "referral_id", "referral"),
            _date("clae_cla_episode_start_date", "start_date", required=True),
            _f("clae_cla_episode_start_reason", "start_reason"),
            _date("clae_cla_episode_ceased_date", "ceased_date"),
            _f("clae_cla_episode_ceased_reason", "ceased_reason"),
            _f("clae_cla_primary_need_code", "primary_need_code"),
            _date("clae_entered_care_date", "entered_care_date"),
        ),
        key="cla_episode_id",
        dates=(("start_date", "ceased_date"),),
    ),
    SsdTable(
        "ssd_care_leavers",
        "care_leavers",
        (
            _id("clea_table_id", "care_leaver_id", "care_leaver"),
            _person("clea_person_id"),
            _f("clea_care_leaver_eligibility", "eligibility"),
            _f("clea_care_leaver_in_touch", "in_touch"),
            _date("clea_care_leaver_latest_contact", "latest_contact_date"),
            _f("clea_care_leaver_accommodation", "accommodation"),
            _f("clea_care_leaver_accom_suitable", "accommodation_suitable"),
            _f("clea_care_leaver_activity", "activity"),
            _date("clea_pathway_plan_review_date", "pathway_plan_review_date"),
            _f("clea_care_leaver_allocated_team", "team_id"),
            _worker("clea_care_leaver_worker_id"),
        ),
        key="care_leaver_id",
    ),
    SsdTable(
        "ssd_pre_proceedings",
        "pre_proceedings",
        (
            _id("prep_table_id", "record_id", "pre_proceedings"),
            _person("prep_person_id"),
            _id("prep_plo_family_id", "family_id", "family"),
            _date("prep_pre_pro_decision_date", "decision_date"),
            _date("prep_initial_pre_pro_meeting_date", "initial_meeting_date"),
            _f("prep_pre_pro_outcome", "outcome"),
            _date("prep_agree_stepdown_issue_date", "stepdown_issue_date"),
            _date("prep_pre_pro_letter_date", "pre_proceedings_letter_date"),
            _date("prep_care_pro_letter_date", "care_proceedings_letter_date"),
        ),
        key="record_id",
    ),
)

BY_NAME: dict[str, SsdTable] = {t.name: t for t in TABLES}
