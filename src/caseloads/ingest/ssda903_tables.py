"""Which SSDA903 tables and items ``caseloads`` reads, and what each becomes (design.md §3-4).

Column names are the DfE's 903 headers by collection year (definitions.md [S12]: liia-tools-pipeline
``docs/file_headers_by_dataset/ssda903_headers.md``), compared case-insensitively (csv_io.py), so
findings name them in lower case (``decom``). Items a table does not keep are accepted and never
read: ``UPN``, ``MOTHER`` and ``MC_DOB`` in the header, ``HOME_POST``, ``PL_POST`` (postcodes) and
``URN`` in the episodes, and the ``DOB`` (and the UASC ``SEX``) repeated in every other table.

Code lists come from the DfE/D2I 903 validator (GitHub ``data-to-insight/csc-validator-be-903``,
``validator903/validators/`` and ``lac_validator/rules/lac20xx_yy/``; the rule code is given with
each list). Only ``SEX``, ``MISSING`` and the 0/1 items are firm enough to refuse an extract
(``code.unknown`` error); the other lists change between collection years, so a value outside
them is a ``code.unknown`` warning and is kept as given (upper case).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

from caseloads.ingest.parse import code_map
from caseloads.ingest.schema import Field, FieldType, Schema

CHILD = "child_id"
LA = "la"
YEAR = "year"

#: Header ``SEX``: 1 male, 2 female to 2023-24 (validator rule 101); M, F, U from 2024-25 (the
#: 2024-25 rule 101). A folder may hold several years, so both are accepted; targets.conform
#: stores them as M, F, U, as it does every source's.
SEX = code_map(("1", "2", "M", "F", "U"))
#: Missing ``MISSING``: M missing, A away from placement without authorisation (tables.py).
MISSING_TYPES = code_map(("M", "A"))
#: The 903's yes/no items are 0/1 (OC2 health and offending items, AD1 ``FOSTER_CARE``).
ZERO_ONE = code_map(("0", "1"))

#: ``ETHNIC`` (rule 103): the 18 census codes plus WIRT and WROM.
ETHNIC = frozenset(
    (
        *("WBRI", "WIRI", "WOTH", "WIRT", "WROM", "MWBC", "MWBA", "MWAS", "MOTH", "AIND"),
        *("APKN", "ABAN", "AOTH", "BCRB", "BAFR", "BOTH", "CHNE", "OOTH", "REFU", "NOBT"),
    )
)
#: ``RNE``, reason for new episode (rule 143).
RNE = frozenset(("S", "P", "L", "T", "U", "B"))
#: ``LS``, legal status (rule 144).
LEGAL_STATUS = frozenset(
    ("C1", "C2", "D1", "E1", "V2", "V3", "V4", "J1", "J2", "J3", "L1", "L2", "L3")
)
#: ``CIN``, category of need (rule 145).
CATEGORY_OF_NEED = frozenset(f"N{i}" for i in range(1, 9))
#: ``PLACE``, placement type: every code of rule 146 from 2019-20 to 2025-26 (H5, P2 and Z1 were
#: withdrawn and K3, Z11-Z14 added over those years).
PLACEMENT_TYPES = frozenset(
    (
        *("A3", "A4", "A5", "A6", "H5", "K1", "K2", "K3", "P1", "P2", "P3", "R1", "R2", "R3"),
        *("R5", "S1", "T0", "T1", "T2", "T3", "T4", "U1", "U2", "U3", "U4", "U5", "U6"),
        *("Z1", "Z11", "Z12", "Z13", "Z14"),
    )
)
#: ``PLACE_PROVIDER`` PR0-PR5 (tables.py; the validator's placement-provider dimension).
PLACEMENT_PROVIDERS = frozenset(f"PR{i}" for i in range(6))
#: ``REC``, reason episode ceased (rule 149); X1 = the episode ceased but the child is still
#: looked after.
REASON_CEASED = frozenset(
    (
        *("E11", "E12", "E13", "E14", "E15", "E16", "E17", "E2", "E3", "E4A", "E4B"),
        *("E41", "E45", "E46", "E47", "E48", "E5", "E6", "E7", "E8", "E9", "X1"),
    )
)
#: ``REASON_PLACE_CHANGE`` (rule 1009).
REASON_PLACE_CHANGE = frozenset(
    (
        *("CARPL", "CLOSE", "ALLEG", "STAND", "APPRR", "CREQB", "CREQO", "CHILD", "LAREQ"),
        *("PLACE", "CUSTOD", "OTHER"),
    )
)
#: ``REVIEW_CODE``, the child's participation in the review (rule 167).
REVIEW_CODES = frozenset(f"PN{i}" for i in range(8))
#: ``SW_REASON``, reason for a change of social worker (rule SW13STG1, 2023-24 onwards).
SW_REASONS = frozenset(
    (
        *("MANAGE", "FCONTA", "LEFTRL", "ORGRST", "TSPROC", "ABSENC", "CHCHAN", "PCCHAN"),
        *("SWDIED", "OTHERS"),
    )
)

Presence = Literal["required", "expected", "optional"]


@dataclass(frozen=True, slots=True)
class Table903:
    """One SSDA903 table read by ``caseloads``.

    ``name``: the file stem (``names`` adds the other accepted stems). ``presence``: absent is an
    error (``required``), a warning (``expected``) or fine (``optional``). ``dates``: (start, end)
    targets that must be in order (``date.order``). ``lists``: target -> the DfE codes (a value
    outside is a warning). ``codes``: coded targets, upper-cased. ``flags``: 0/1 targets turned
    into booleans. ``ignored``: DfE columns accepted and never read.
    """

    name: str
    target: str
    fields: tuple[Field, ...]
    ignored: frozenset[str] = frozenset()
    aliases: tuple[str, ...] = ()
    presence: Presence = "optional"
    dates: tuple[tuple[str, str], ...] = ()
    lists: Mapping[str, frozenset[str]] = field(default_factory=dict)
    codes: tuple[str, ...] = ()
    flags: tuple[str, ...] = ()
    schema: Schema = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "schema", Schema(self.fields, self.ignored | {LA, YEAR}))

    @property
    def names(self) -> tuple[str, ...]:
        return (self.name, *self.aliases)

    def source(self, target: str) -> str:
        return self.schema.source(target)


def _f(
    source: str,
    target: str,
    kind: FieldType = "str",
    *,
    required: bool = False,
    codes: Mapping[str, str] | None = None,
    ns: str | None = None,
    private: bool = False,
    minimum: float | None = None,
    maximum: float | None = None,
) -> Field:
    """A field whose column must be in the header if its value is required (else should be)."""
    return Field(
        source,
        target,
        kind,
        required=required,
        header="required" if required else "expected",
        codes=codes,
        namespace=ns,
        private=private,
        minimum=minimum,
        maximum=maximum,
    )


def _child() -> Field:
    return _f("child", CHILD, "id", required=True, ns="person")


def _flag(source: str, target: str) -> Field:
    return _f(source, target, "code", codes=ZERO_ONE)


_DOB = frozenset({"dob"})

HEADER = Table903(
    "header",
    "children",
    (
        _child(),
        _f("sex", "sex", "code", codes=SEX),
        _f("dob", "_dob", "date", private=True),
        _f("ethnic", "ethnicity"),
    ),
    ignored=frozenset({"upn", "mother", "mc_dob"}),
    presence="required",
    lists={"ethnicity": ETHNIC},
    codes=("ethnicity",),
)

EPISODES = Table903(
    "episodes",
    "cla_episodes",
    (
        _child(),
        _f("decom", "start_date", "date", required=True),
        _f("rne", "start_reason"),
        _f("ls", "legal_status"),
        _f("cin", "primary_need_code"),
        _f("place", "placement_type"),
        _f("place_provider", "placement_provider"),
        _f("dec", "ceased_date", "date"),
        _f("rec", "ceased_reason"),
        _f("reason_place_change", "reason_place_change"),
    ),
    ignored=frozenset({"home_post", "pl_post", "urn"}),
    presence="required",
    dates=(("start_date", "ceased_date"),),  # rule 356
    lists={
        "start_reason": RNE,
        "legal_status": LEGAL_STATUS,
        "primary_need_code": CATEGORY_OF_NEED,
        "placement_type": PLACEMENT_TYPES,
        "placement_provider": PLACEMENT_PROVIDERS,
        "ceased_reason": REASON_CEASED,
        "reason_place_change": REASON_PLACE_CHANGE,
    },
    codes=(
        "start_reason",
        "legal_status",
        "primary_need_code",
        "placement_type",
        "placement_provider",
        "ceased_reason",
        "reason_place_change",
    ),
)

UASC = Table903(
    "uasc",
    "uasc",
    (_child(), _f("duc", "ceased_date", "date")),
    ignored=_DOB | {"sex"},
)

REVIEWS = Table903(
    "reviews",
    "cla_reviews",
    (
        _child(),
        _f("review", "review_date", "date", required=True),
        _f("review_code", "participation_code"),
    ),
    ignored=_DOB,
    presence="expected",
    lists={"participation_code": REVIEW_CODES},
    codes=("participation_code",),
)

MISSING = Table903(
    "missing",
    "missing_episodes",
    (
        _child(),
        _f("missing", "missing_type", "code", codes=MISSING_TYPES),
        _f("mis_start", "start_date", "date", required=True),  # rule 1004
        _f("mis_end", "end_date", "date"),  # rule 1005
    ),
    ignored=_DOB,
    dates=(("start_date", "end_date"),),  # rule 567
)

_OC2_FLAGS = (
    ("convicted", "convicted"),
    ("health_check", "health_check"),
    ("immunisations", "immunisations"),
    ("teeth_check", "teeth_check"),
    ("health_assessment", "health_assessment"),
    ("substance_misuse", "substance_misuse"),
    ("intervention_received", "intervention_received"),
    ("intervention_offered", "intervention_offered"),
)

OC2 = Table903(
    "oc2",
    "cla_outcomes",
    (
        _child(),
        # The SDQ total difficulties score is 0-40.
        _f("sdq_score", "sdq_score", "int", minimum=0, maximum=40),
        _f("sdq_reason", "sdq_reason"),
        *(_flag(source, target) for source, target in _OC2_FLAGS),
    ),
    ignored=_DOB,
    codes=("sdq_reason",),
    flags=tuple(target for _, target in _OC2_FLAGS),
)

OC3 = Table903(
    "oc3",
    "care_leavers",
    (
        _child(),
        _f("in_touch", "in_touch"),
        _f("activ", "activity"),
        _f("accom", "accommodation"),
    ),
    ignored=_DOB,
    codes=("in_touch", "activity", "accommodation"),
)

AD1 = Table903(
    "ad1",
    "adoptions",
    (
        _child(),
        _f("date_int", "decision_date", "date"),
        _f("date_match", "match_date", "date"),
        _flag("foster_care", "foster_care"),
        # One adopter or a couple.
        _f("nb_adoptr", "number_of_adopters", "int", minimum=1, maximum=2),
        _f("sex_adoptr", "sex_of_adopters"),
        _f("ls_adoptr", "adopters_legal_status"),
    ),
    ignored=_DOB,
    codes=("sex_of_adopters", "adopters_legal_status"),
    flags=("foster_care",),
)

PLACED_FOR_ADOPTION = Table903(
    "placed_for_adoption",
    "placed_for_adoption",
    (
        _child(),
        _f("date_placed", "date_placed", "date"),
        _f("date_placed_ceased", "date_placed_ceased", "date"),
        _f("reason_placed_ceased", "reason_placed_ceased"),
    ),
    ignored=_DOB,
    aliases=("placed_adoption",),  # liia-tools' name for the table
    dates=(("date_placed", "date_placed_ceased"),),
    codes=("reason_placed_ceased",),
)

PREVIOUS_PERMANENCE = Table903(
    "previous_permanence",
    "previous_permanence",
    (
        _child(),
        _f("prev_perm", "previous_permanence"),
        _f("la_perm", "la_permanence"),
        # Kept as text: the 903 allows partial dates such as zz/zz/2001.
        _f("date_perm", "permanence_date"),
    ),
    ignored=_DOB,
    aliases=("prev_perm",),  # liia-tools' name for the table
    codes=("previous_permanence",),
)

SW_EPISODES = Table903(
    "sw_episodes",
    "involvements",
    (
        _child(),
        _f("sw_id", "worker_id", "id", required=True),
        _f("sw_decom", "start_date", "date", required=True),  # rule SW04STG1
        _f("sw_dec", "end_date", "date"),  # rule SW05STG1
        _f("sw_reason", "change_reason"),
    ),
    ignored=_DOB,
    aliases=("social_worker",),  # the DfE's name for the table from 2023-24 [S12]
    dates=(("start_date", "end_date"),),
    lists={"change_reason": SW_REASONS},
    codes=("change_reason",),
)

TABLES: tuple[Table903, ...] = (
    HEADER,
    EPISODES,
    UASC,
    REVIEWS,
    MISSING,
    OC2,
    OC3,
    AD1,
    PLACED_FOR_ADOPTION,
    PREVIOUS_PERMANENCE,
    SW_EPISODES,
)

#: Accepted file stem (lower case) -> table.
BY_STEM: dict[str, Table903] = {stem: t for t in TABLES for stem in t.names}
