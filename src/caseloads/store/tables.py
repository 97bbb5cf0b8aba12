"""The stored data model (design.md §3), as SQLAlchemy Core tables.

Every data row carries ``la_code`` (the DfE three-digit authority number) so that one database can
hold one council, a region or all of England, and the ``batch_id`` of the import it came from, and
its ``row_no`` within that batch. Natural identifiers are not unique across batches of different
kinds (the same child may come from an SSD extract and a CIN census return), so a data row is
identified by ``(batch_id, row_no)``; no database-generated key is kept (see :func:`data_table`).

Identifiers of people (``child_id``, ``worker_id``, ``swe_hash``, ``candidate_id``) and the
case-management record ids that could lead back to them (``referral_id``, ``cp_plan_id`` …) are
keyed hashes made at the ingest boundary (:mod:`caseloads.ingest.pseudonymise`); no names,
addresses or free text are stored.

Dates are calendar dates; intervals are inclusive of both ends and an empty end means still open.
"""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    SmallInteger,
    String,
    Table,
    UniqueConstraint,
)
from sqlalchemy.schema import SchemaItem

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

metadata = MetaData(naming_convention=NAMING)

#: 64-bit keys and row numbers on PostgreSQL; SQLite needs exactly INTEGER for its rowid alias.
Id = BigInteger().with_variant(Integer(), "sqlite")
LaCode = String(8)
Ident = String(64)  # pseudonymous identifiers (16 hex characters today) and council codes
Code = String(64)  # coded values (some SSD outcome codes are whole phrases)


def _la() -> Column[str]:
    return Column("la_code", LaCode, nullable=False)


def _batch() -> Column[int]:
    # Deliberately no foreign key: the import service stamps every row with the batch it has just
    # created in the same transaction, and a per-row RI check halves bulk-load speed on PostgreSQL.
    return Column("batch_id", Integer, nullable=False)


def data_table(name: str, *items: SchemaItem) -> Table:
    """A table of imported rows: authority, batch, row number in the batch, then ``items``.

    ``row_no`` is the row's place (1, 2, ...) among the rows its batch wrote to this table, in the
    order of the source file, so that reads return rows in a stable order. It is written by the
    importer, not generated: a database-generated surrogate key (a sequence value and a B-tree
    primary key per row) cost a PostgreSQL COPY over a third of its CPU (1.7 million rows: 4.1
    CPU s with a ``bigserial`` primary key, 2.5 s without; benchmarks/README.md) and nothing
    reads or refers to single rows: every read is "the rows of these batches" and every
    replacement deletes by batch.

    It has one secondary index, on ``batch_id``. Batch ids only grow, so the index is appended to
    at its end, which keeps bulk loads fast (each further index costs about a quarter of SQLite's
    insert speed; see benchmarks/README.md)."""
    table = Table(
        name,
        metadata,
        _la(),
        _batch(),
        Column("row_no", Id, nullable=False),
        *items,
    )
    # PostgreSQL: a BRIN (block range) index, as a batch's rows are written together and batch
    # ids only grow; it costs a COPY far less than a B-tree (migration 0003).
    Index(f"ix_{name}_batch", table.c.batch_id, postgresql_using="brin")
    return table


# --- bookkeeping ------------------------------------------------------------------------------

meta = Table(
    "meta",
    metadata,
    Column("key", String(64), primary_key=True),
    Column("value", String(256), nullable=False),
)

batches = Table(
    "batches",
    metadata,
    Column("batch_id", Integer, primary_key=True, autoincrement=True),
    Column("la_code", LaCode, nullable=False),
    Column("kind", Code, nullable=False),
    # The part of the authority's data an extract is complete for: "" for a whole-authority extract,
    # the census year for a CSWW return.
    Column("scope", Code, nullable=False, server_default=""),
    Column("status", Code, nullable=False),  # active | superseded
    Column("superseded_by", Integer, nullable=True),
    Column("sha256", String(64), nullable=False),  # of the sorted file digests
    Column("files", JSON, nullable=False),  # [{"name", "sha256", "bytes"}]
    Column("imported_at", DateTime(timezone=True), nullable=False),
    Column("imported_by", String(128), nullable=False),
    Column("as_of", Date, nullable=True),  # the extract's reference date, where it has one
    Column("row_counts", JSON, nullable=False),  # {"table": rows}
    Column("findings_summary", JSON, nullable=False),  # {"error": n, "warning": n}
    Column("findings", JSON, nullable=False),  # the warnings kept, as dicts
    Column("replaced", JSON, nullable=False),  # {"batches": [ids], "rows": {"table": n}}
)
Index("ix_batches_la_kind", batches.c.la_code, batches.c.kind, batches.c.scope, batches.c.status)

teams = Table(
    "teams",
    metadata,
    Column("la_code", LaCode, primary_key=True),
    Column("team_id", Ident, primary_key=True),
    Column("name", String(200), nullable=False),
    Column("parent_id", Ident, nullable=True),
    Column("team_type", Code, nullable=False),
    Column("batch_id", Integer, nullable=False),  # the batch that introduced the team
)

# --- children and their episodes (SSD; later CIN census and SSDA903) ---------------------------

children = data_table(
    "children",
    Column("child_id", Ident, nullable=False),
    Column("birth_month", String(7)),  # YYYY-MM; never the day
    Column("sex", Code),
    Column("ethnicity", Code),
)

families = data_table(
    "families",
    Column("family_id", Ident, nullable=False),
    Column("child_id", Ident, nullable=False),
)

professionals = data_table(
    "professionals",
    Column("professional_id", Ident, nullable=False),
    Column("worker_id", Ident, nullable=False),
    Column("swe_hash", Ident),
    Column("job_title", String(100)),
    Column("role", Code),  # the job title, lower case, spaces as underscores
    Column("team_id", Ident),
    Column("fte", Float),
    Column("agency", Boolean),
    Column("caseload_30sep", Integer),  # the SSD snapshot count: a cross-check only
)

involvements = data_table(
    "involvements",
    Column("involvement_id", Ident),
    Column("worker_id", Ident, nullable=False),
    Column("child_id", Ident, nullable=False),
    Column("team_id", Ident),
    Column("role", String(100)),  # invo_professional_role_id, e.g. CW / Allocated Case Worker
    Column("start_date", Date, nullable=False),
    Column("end_date", Date),
    Column("referral_id", Ident),
    Column("change_reason", Code),
)

contacts = data_table(
    "contacts",
    Column("contact_id", Ident),
    Column("child_id", Ident, nullable=False),
    Column("contact_date", Date, nullable=False),
    Column("source_code", Code),
)

referrals = data_table(
    "referrals",
    Column("referral_id", Ident, nullable=False),
    Column("child_id", Ident, nullable=False),
    Column("referral_date", Date, nullable=False),
    Column("source_code", Code),
    Column("primary_need_code", Code),
    Column("nfa", Boolean),
    Column("close_date", Date),
    Column("close_reason", Code),
    Column("team_id", Ident),
    Column("worker_id", Ident),
)

assessments = data_table(
    "assessments",
    Column("assessment_id", Ident),
    Column("child_id", Ident, nullable=False),
    Column("referral_id", Ident),
    Column("start_date", Date, nullable=False),
    Column("auth_date", Date),
    Column("child_seen", Boolean),
    Column("nfa", Boolean),
    Column("team_id", Ident),
    Column("worker_id", Ident),
)

s47_enquiries = data_table(
    "s47_enquiries",
    Column("s47_id", Ident),
    Column("child_id", Ident, nullable=False),
    Column("referral_id", Ident),
    Column("start_date", Date, nullable=False),
    Column("end_date", Date),
    Column("nfa", Boolean),
    Column("icpc_not_required", Boolean),  # CIN census ICPCnotRequired
    Column("team_id", Ident),
    Column("worker_id", Ident),
)

icpcs = data_table(
    "icpcs",
    Column("icpc_id", Ident),
    Column("s47_id", Ident),
    Column("child_id", Ident, nullable=False),
    Column("referral_id", Ident),
    Column("cp_plan_id", Ident),
    Column("icpc_date", Date),
    Column("target_date", Date),
    Column("transfer_in", Boolean),
    Column("outcome_cp", Boolean),
    Column("team_id", Ident),
    Column("worker_id", Ident),
)

cin_plans = data_table(
    "cin_plans",
    Column("cin_plan_id", Ident),
    Column("child_id", Ident, nullable=False),
    Column("referral_id", Ident),
    Column("start_date", Date, nullable=False),
    Column("end_date", Date),
    Column("team_id", Ident),
    Column("worker_id", Ident),
)

cp_plans = data_table(
    "cp_plans",
    Column("cp_plan_id", Ident),
    Column("child_id", Ident, nullable=False),
    Column("referral_id", Ident),
    Column("icpc_id", Ident),
    Column("start_date", Date, nullable=False),
    Column("end_date", Date),
    Column("initial_category", Code),
    Column("latest_category", Code),
    Column("ola", Boolean),
    Column("previous_plans", SmallInteger),  # CIN census NumberOfPreviousCPP
)

cla_episodes = data_table(
    "cla_episodes",
    Column("cla_episode_id", Ident),
    Column("child_id", Ident, nullable=False),
    Column("referral_id", Ident),
    Column("start_date", Date, nullable=False),
    Column("start_reason", Code),
    Column("ceased_date", Date),
    Column("ceased_reason", Code),
    Column("primary_need_code", Code),
    Column("entered_care_date", Date),
    # SSDA903 episode items (a new 903 episode starts at each change of placement or legal status):
    Column("legal_status", Code),  # LS, e.g. C2 full care order, V2 s20
    Column("placement_type", Code),  # PLACE, e.g. U1-U6 foster, K2 children's home
    Column("placement_provider", Code),  # PLACE_PROVIDER, PR0-PR5
    Column("reason_place_change", Code),  # REASON_PLACE_CHANGE
)

care_leavers = data_table(
    "care_leavers",
    Column("care_leaver_id", Ident),
    Column("child_id", Ident, nullable=False),
    Column("eligibility", Code),
    Column("in_touch", Code),
    Column("latest_contact_date", Date),
    Column("accommodation", Code),
    Column("accommodation_suitable", Code),
    Column("activity", Code),
    Column("pathway_plan_review_date", Date),
    Column("team_id", Ident),
    Column("worker_id", Ident),
)

pre_proceedings = data_table(
    "pre_proceedings",
    Column("record_id", Ident),
    Column("child_id", Ident, nullable=False),
    Column("family_id", Ident),
    Column("decision_date", Date),
    Column("initial_meeting_date", Date),
    Column("outcome", Code),
    Column("stepdown_issue_date", Date),
    Column("pre_proceedings_letter_date", Date),
    Column("care_proceedings_letter_date", Date),
)

disabilities = data_table(
    "disabilities",
    Column("child_id", Ident, nullable=False),
    Column("disability", Code, nullable=False),  # CIN census codes: MOB, HAND, PC, INC, COMM ...
)

assessment_factors = data_table(
    "assessment_factors",
    Column("assessment_id", Ident, nullable=False),
    Column("child_id", Ident, nullable=False),
    Column("factor", Code, nullable=False),  # CIN census AssessmentFactors, e.g. 2A, 3A, 21
)

cp_reviews = data_table(
    "cp_reviews",
    Column("cp_plan_id", Ident, nullable=False),
    Column("child_id", Ident, nullable=False),
    Column("review_date", Date, nullable=False),
)

cla_reviews = data_table(
    "cla_reviews",
    Column("child_id", Ident, nullable=False),
    Column("review_date", Date, nullable=False),
    Column("participation_code", Code),  # SSDA903 REVIEW_CODE PN0-PN7
)

missing_episodes = data_table(
    "missing_episodes",
    Column("child_id", Ident, nullable=False),
    Column("missing_type", Code),  # SSDA903 MISSING: M missing, A away without authorisation
    Column("start_date", Date, nullable=False),
    Column("end_date", Date),
)

uasc = data_table(
    "uasc",
    Column("child_id", Ident, nullable=False),
    Column("ceased_date", Date),  # SSDA903 DUC: the date the child ceased to be a UASC
)

cla_outcomes = data_table(
    "cla_outcomes",  # SSDA903 OC2: outcomes of children looked after for 12 months or more
    Column("child_id", Ident, nullable=False),
    Column("sdq_score", SmallInteger),
    Column("sdq_reason", Code),
    Column("convicted", Boolean),
    Column("health_check", Boolean),
    Column("immunisations", Boolean),
    Column("teeth_check", Boolean),
    Column("health_assessment", Boolean),
    Column("substance_misuse", Boolean),
    Column("intervention_received", Boolean),
    Column("intervention_offered", Boolean),
)

adoptions = data_table(
    "adoptions",  # SSDA903 AD1
    Column("child_id", Ident, nullable=False),
    Column("decision_date", Date),  # DATE_INT: decision that the child should be placed
    Column("match_date", Date),  # DATE_MATCH
    Column("foster_care", Boolean),
    Column("number_of_adopters", SmallInteger),
    Column("sex_of_adopters", Code),
    Column("adopters_legal_status", Code),
)

placed_for_adoption = data_table(
    "placed_for_adoption",
    Column("child_id", Ident, nullable=False),
    Column("date_placed", Date),
    Column("date_placed_ceased", Date),
    Column("reason_placed_ceased", Code),
)

previous_permanence = data_table(
    "previous_permanence",
    Column("child_id", Ident, nullable=False),
    Column("previous_permanence", Code),  # PREV_PERM
    Column("la_permanence", Code),  # LA_PERM
    Column("permanence_date", String(10)),  # DATE_PERM as given: 903 allows partial dates
)

# --- workforce (staff extract, CSWW census, absences) ------------------------------------------

workers = data_table(
    "workers",
    Column("worker_id", Ident, nullable=False),
    Column("swe_hash", Ident),
    Column("qualified_date", Date),
    Column("asye_start", Date),
)

assignments = data_table(
    "assignments",
    Column("worker_id", Ident, nullable=False),
    Column("post_id", Ident),
    Column("team_id", Ident),
    Column("role", Code, nullable=False),
    Column("org_role", SmallInteger),  # CSWW OrgRole 1-6
    Column("contract", Code, nullable=False),  # permanent | fixed_term | agency | casual
    Column("fte", Float, nullable=False),
    Column("start_date", Date, nullable=False),
    Column("end_date", Date),
    Column("leaving_reason", SmallInteger),  # CSWW ReasonLeave 1-10
)

absences = data_table(
    "absences",
    Column("worker_id", Ident, nullable=False),
    Column("start_date", Date, nullable=False),
    Column("end_date", Date),
    Column("working_days_lost", Float, nullable=False),
    Column("reason", Code, nullable=False),  # CSWW ReasonAbsence: SIC, MAT, OTH, PUB, TRN, UNA, UNP
)

csww_workers = data_table(
    "csww_workers",
    Column("census_year", SmallInteger, nullable=False),
    Column("worker_id", Ident, nullable=False),  # keyed hash of the SWE number
    Column("swe_hash", Ident),
    # Keyed hash of SWE number, birth date, gender and ethnicity: the DfE's headcount
    # de-duplication key, kept without keeping the birth date itself.
    Column("person_key", Ident, nullable=False),
    Column("agency", Boolean, nullable=False),
    Column("fte", Float),
    Column("fte30", Float),
    Column("org_role", SmallInteger),
    Column("role_start_date", Date),
    Column("role_end_date", Date),
    Column("start_origin", SmallInteger),
    Column("reason_leave", SmallInteger),
    Column("leaver_destination", SmallInteger),
    Column("cases30", Integer),
    Column("working_days_lost", Float),
    Column("contract_weeks", Float),
    Column("absent_30sep", Boolean),
    Column("reason_absence", Code),  # repeats joined with ';'
    Column("qual_level", SmallInteger),
    Column("step_up_grad", Boolean),
    Column("frontline_grad", Boolean),
    Column("cfkss_status", SmallInteger),
    Column("birth_year", SmallInteger),
    Column("gender", SmallInteger),
    Column("ethnicity", Code),
)

csww_vacancies = data_table(
    "csww_vacancies",
    Column("census_year", SmallInteger, nullable=False),
    Column("vacancy_fte", Float),
    Column("agency_cover_fte", Float),
    Column("agency_cover_headcount", Integer),
)

# --- establishment and recruitment --------------------------------------------------------------

posts = data_table(
    "posts",
    Column("post_id", Ident, nullable=False),
    Column("team_id", Ident, nullable=False),
    Column("role", Code, nullable=False),
    Column("grade", Code),
    Column("fte", Float, nullable=False),
    Column("funding", Code, nullable=False),  # permanent | temporary
    Column("start_date", Date, nullable=False),
    Column("end_date", Date),
)

pipeline = data_table(
    "pipeline",
    Column("candidate_id", Ident, nullable=False),
    Column("team_id", Ident),
    Column("role", Code, nullable=False),
    Column("contract", Code, nullable=False),
    Column("fte", Float, nullable=False),
    Column("stage", Code, nullable=False),
    Column("stage_date", Date, nullable=False),
    Column("expected_start", Date),
)

# --- agency rules (DfE statutory guidance in force from 31 October 2024; definitions.md §2) ----

agency_placements = data_table(
    "agency_placements",  # one row per agency assignment, with the facts the four checks need
    Column("worker_id", Ident, nullable=False),  # keyed hash, the staff extract's namespace
    Column("agency", String(200), nullable=False),  # the supplying agency (an organisation)
    # One of the five core job types of the price caps: social_worker, senior_social_worker,
    # advanced_practitioner, team_manager, iro_cp_chair.
    Column("role", Code, nullable=False),
    Column("start_date", Date, nullable=False),
    Column("end_date", Date),
    Column("hourly_rate", Float),  # £ an hour, on the price cap's basis
    Column("qualified_date", Date),
    Column("months_post_qualifying_la_experience", SmallInteger),
    Column("last_substantive_employer_region", Code),  # a DfE region name, or outside England
    Column("last_substantive_end_date", Date),
    Column("references_received", SmallInteger),
    Column("cooling_off_exception", Code),  # redundancy | probation (the guidance's exceptions)
)

# Caps are agreed per region, but stored under the authority that imported them, like every other
# imported row: an authority's check uses only its own caps for its own region (services/agency.py).
price_caps = data_table(
    "price_caps",
    Column("region", Code, nullable=False),  # a DfE region name
    Column("role", Code, nullable=False),  # a core job type, as agency_placements.role
    Column("hourly_cap", Float, nullable=False),  # £ an hour
    Column("effective_from", Date, nullable=False),  # in force until a later cap's date
)

# --- caseload weighting and settings (issue 5; domain/weights.py, domain/caseload.py) ----------

# An effective-dated weighting scheme with the caseload settings councils differ on, as validated
# YAML (`caseloads weights load`). ``la_code`` "" applies to every authority; the scheme in force
# on a date is the latest ``effective_from`` on or before it, an authority's own before "".
weighting_schemes = Table(
    "weighting_schemes",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("la_code", LaCode, nullable=False),
    Column("effective_from", Date, nullable=False),
    Column("name", String(200), nullable=False),
    Column("scheme", JSON, nullable=False),  # the full scheme, defaults filled in
    Column("source_file", String(255), nullable=False),
    Column("sha256", String(64), nullable=False),
    Column("loaded_at", DateTime(timezone=True), nullable=False),
    Column("loaded_by", String(128), nullable=False),
    UniqueConstraint("la_code", "effective_from"),
)

# Per-worker capacity reductions with dates (phased return, union duties, ...), imported as the
# ``reductions`` kind; the ASYE reduction is derived from ``workers.asye_start`` instead.
workload_reductions = data_table(
    "workload_reductions",
    Column("worker_id", Ident, nullable=False),  # keyed hash, the staff extract's namespace
    Column("reason", Code, nullable=False),  # phased_return | union_duties | other ...
    Column("percent", Float, nullable=False),  # of capacity, 0-100
    Column("start_date", Date, nullable=False),
    Column("end_date", Date),
)

# --- users, API tokens and the audit log (issue 6; design.md §8) -------------------------------

# Accounts of the web application and the API. Passwords are argon2id hashes (PHC strings, with
# their own salt and parameters); ``session_generation`` is stamped into each session cookie and
# bumped to end every session of the user (sign-out, password change, disabling).
users = Table(
    "users",
    metadata,
    Column("user_id", Id, primary_key=True, autoincrement=True),
    Column("username", String(128), nullable=False, unique=True),
    Column("password_hash", String(255), nullable=False),
    Column("role", String(16), nullable=False),  # admin | analyst | manager | viewer
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("disabled", Boolean, nullable=False),
    Column("session_generation", Integer, nullable=False),
)

# What a user may see: one row per authority (``team_id`` empty) and, for a manager, per team.
user_scopes = Table(
    "user_scopes",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column(
        "user_id",
        Id,
        ForeignKey("users.user_id", ondelete="CASCADE"),
        nullable=False,
        index=True,
    ),
    Column("la_code", LaCode, nullable=False),
    Column("team_id", Ident, nullable=True),
)

# Bearer tokens for the API: only the SHA-256 of a token is stored, never the token itself.
api_tokens = Table(
    "api_tokens",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column(
        "user_id",
        Id,
        ForeignKey("users.user_id", ondelete="CASCADE"),
        nullable=False,
        index=True,
    ),
    Column("token_sha256", String(64), nullable=False, unique=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("last_used_at", DateTime(timezone=True), nullable=True),
    Column("revoked_at", DateTime(timezone=True), nullable=True),
)

# Sign-ins, failed sign-ins (also the state of the sign-in rate limit), exports and views of
# worker-level pages. ``username`` is as typed for a failed sign-in; no password is ever logged.
audit_log = Table(
    "audit_log",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("at", DateTime(timezone=True), nullable=False),
    Column("username", String(128), nullable=True),
    Column("action", String(64), nullable=False),
    Column("detail", JSON, nullable=False),
    Column("client", String(64), nullable=True),  # the client's IP address
)
Index("ix_audit_log_at", audit_log.c.at)
Index("ix_audit_log_action_at", audit_log.c.action, audit_log.c.at)
Index("ix_audit_log_username_at", audit_log.c.username, audit_log.c.at)

# --- published statistics -----------------------------------------------------------------------

benchmarks = Table(
    "benchmarks",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("source", String(100), nullable=False),  # the bundled DfE file
    Column("geographic_level", Code, nullable=False),  # National | Regional | Local authority
    Column("area_code", String(16), nullable=False),  # old_la_code, region_code or country_code
    Column("year", SmallInteger, nullable=False),
    Column("measure", String(64), nullable=False),
    Column("value", Float),
    Column("symbol", String(8)),  # c, x, z, u, low, ':' ... kept, never turned into zero
)
Index("ix_benchmarks_area_year", benchmarks.c.area_code, benchmarks.c.year, benchmarks.c.measure)

#: The tables each kind of extract fills. Re-importing a kind for an authority (and scope) replaces
#: the rows of these tables that came from that authority's earlier batches of the same kind.
KIND_TABLES: dict[str, tuple[Table, ...]] = {
    "ssd": (
        children,
        families,
        professionals,
        involvements,
        contacts,
        referrals,
        assessments,
        s47_enquiries,
        icpcs,
        cin_plans,
        cp_plans,
        cla_episodes,
        care_leavers,
        pre_proceedings,
    ),
    # The DfE returns map into the same tables as the SSD, so every figure works whichever a
    # council loads; their extra items have tables of their own.
    "cin-census": (
        children,
        disabilities,
        referrals,
        assessments,
        assessment_factors,
        s47_enquiries,
        icpcs,
        cin_plans,
        cp_plans,
        cp_reviews,
    ),
    "ssda903": (
        children,
        cla_episodes,
        uasc,
        cla_reviews,
        missing_episodes,
        cla_outcomes,
        care_leavers,
        adoptions,
        placed_for_adoption,
        previous_permanence,
        involvements,
    ),
    "staff": (workers, assignments),
    "csww": (csww_workers, csww_vacancies),
    "absences": (absences,),
    "establishment": (posts,),
    "pipeline": (pipeline,),
    "agency": (agency_placements,),
    "price-caps": (price_caps,),
    "reductions": (workload_reductions,),
}

#: Tables counted per authority by ``caseloads status`` (everything with an ``la_code``).
AUTHORITY_TABLES: tuple[Table, ...] = (
    teams,
    *dict.fromkeys(t for ts in KIND_TABLES.values() for t in ts),
)

#: For the DfE returns, each collection year is its own scope, and consecutive years' returns hold
#: the same open episodes. The natural key of each table (the deterministic ids the readers make, or
#: the child for per-child facts) says which rows are "the same"; the return of the later year wins.
#: Tables not listed (annual outcome tables) keep every year's rows.
MERGE_KEYS: dict[str, dict[str, tuple[str, ...]]] = {
    "cin-census": {
        "children": ("child_id",),
        "disabilities": ("child_id",),
        "referrals": ("referral_id",),
        "assessments": ("assessment_id",),
        "assessment_factors": ("assessment_id",),
        "s47_enquiries": ("s47_id",),
        "icpcs": ("icpc_id",),
        "cin_plans": ("cin_plan_id",),
        "cp_plans": ("cp_plan_id",),
        "cp_reviews": ("cp_plan_id",),
    },
    "ssda903": {
        "children": ("child_id",),
        "cla_episodes": ("cla_episode_id",),
        "uasc": ("child_id",),
        "cla_reviews": ("child_id", "review_date"),
        "missing_episodes": ("child_id", "start_date"),
        "adoptions": ("child_id",),
        "placed_for_adoption": ("child_id", "date_placed"),
        "previous_permanence": ("child_id",),
        "involvements": ("involvement_id",),
    },
}
