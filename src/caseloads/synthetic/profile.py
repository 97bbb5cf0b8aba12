"""The parameters of one generated council: its size, its demand and its workforce.

A :class:`CouncilProfile` is a frozen bag of numbers. The two built-in sizes (``small`` and
``council``) are England-average authorities; :meth:`CouncilProfile.from_figures` builds one from an
authority's own published figures, so that a later run can generate every English authority.

Sources. Rates per 10,000 children are England 2024-25 (year to 31 March 2025) from the DfE files
in ``shared/data``; the denominator is the ONS mid-2024 estimate of children aged 0-17 (12,183,016,
``cla_number_and_rate_per_10k_children.csv``, National 2025 rows). ``[D]`` marks a value derived
from those figures, ``[A]`` a working assumption where no stored source gives the number (tuned so
that the generated council reproduces the England rates).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Size = Literal["small", "council"]

#: England 2024-25 figures the defaults are built from (see the module docstring for the files).
ENGLAND_CHILDREN_0_17 = 12_183_016  # cla file, National 2025, population_estimate
ENGLAND_REFERRALS = 632_830  # c1 file, National 2025, referral_count
ENGLAND_CIN_AT31 = 402_400  # b1 file, National 2025, At31_episodes
ENGLAND_CP_AT31 = 49_420  # d5 file, National 2025, CPP_At31
ENGLAND_CLA_AT31 = 81_770  # cla file, National 2025, "Children looked after on 31 March each year"


def per_10k(count: float, children: float = ENGLAND_CHILDREN_0_17) -> float:
    """``count`` per 10,000 children."""
    return 10_000.0 * count / children


@dataclass(frozen=True)
class CouncilProfile:
    """Everything that sizes and shapes one generated council. Durations are in days."""

    name: str
    #: Children aged 0-17 living in the authority: the denominator of every per-10,000 rate (ONS
    #: mid-year estimate for a real authority).
    children_0_17: int
    #: Practice teams by type, in the order they are numbered. Management is always added.
    teams: tuple[tuple[str, int], ...]
    #: Service managers (CSWW OrgRole 2) and heads of service (OrgRole 1) in the management team.
    service_managers: int
    heads_of_service: int = 1
    #: Quality assurance officers (qualified without cases, OrgRole 6).
    quality_assurance_officers: int = 0
    #: Social worker FTE to size the establishment to (in post + agency, CSWW); ``None`` sizes it
    #: from the generated demand at ``target_caseload``.
    social_worker_fte: float | None = None
    years_of_history: int = 5

    # --- demand: rates per 10,000 children aged 0-17 -----------------------------------------
    #: Referrals a year. England 2024-25: 632,830 (c1 National 2025) = 519.4 per 10,000.
    referrals_per_10k: float = per_10k(ENGLAND_REFERRALS)
    #: Targets for the stocks at 31 March; the pathway probabilities below are scaled by the
    #: ratio of these to England's, so a real authority's mix can be reproduced.
    #: England: CIN 330.3 (b1 At31_episodes), CP 40.6 (d5 CPP_At31), CLA 67.1 (cla file).
    cin_per_10k: float = per_10k(ENGLAND_CIN_AT31)
    cp_per_10k: float = per_10k(ENGLAND_CP_AT31)
    cla_per_10k: float = per_10k(ENGLAND_CLA_AT31)
    #: Unaccompanied asylum-seeking children starting to be looked after a year [A] (about a
    #: tenth of England's 26 CLA starts per 10,000; LAIT LAC_Start_Rate England 2025).
    uasc_per_10k: float = 2.2

    # --- families and re-referral -------------------------------------------------------------
    #: Share of referred sibling groups of 1, 2, 3, 4 and 5 children [A]: about 1.7 children per
    #: family among referred children.
    family_size_weights: tuple[float, ...] = (0.57, 0.25, 0.10, 0.05, 0.03)
    #: Age at referral: (lowest age in years, highest, weight) [A], the DfE CIN census pattern
    #: (about a third aged 10-15).
    referral_age_bands: tuple[tuple[int, int, float], ...] = (
        (0, 0, 10.0),
        (1, 4, 19.0),
        (5, 9, 25.0),
        (10, 15, 35.0),
        (16, 17, 11.0),
    )
    #: Chance that a family is referred again after its case closes [A]; with the gap below it
    #: gives about 22% of referrals within 12 months of an earlier one (c1 National 2025:
    #: rereferral_percent 22.6).
    rereferral_probability: float = 0.45
    #: Share of repeat referrals that come soon, and their mean gap after closure; the rest come
    #: 1-4 years later [A].
    rereferral_soon_share: float = 0.72
    rereferral_soon_mean_days: float = 110.0
    #: Family referrals per year per (children referred per year), after re-referrals and ageing
    #: out; measured on generated councils [A].
    children_per_new_family_chain: float = 2.88
    #: Contacts that become referrals [A]: councils report 25-35%.
    contact_conversion: float = 0.30
    #: Extra contacts (not referrals) about children already known, as a share of extra contacts.
    contacts_about_known_children: float = 0.55

    # --- the referral pathway -------------------------------------------------------------------
    #: Referrals closed with no further action at the front door. c1 National 2025:
    #: no_further_action_percent 6.5.
    referral_nfa_probability: float = 0.065
    #: Days a referral is held by the front door (MASH) before assessment [A]: screening and
    #: strategy work, 1-5 weeks.
    front_door_mean_days: float = 8.5
    #: Days of a single assessment [A] (the statutory limit is 45 working days).
    assessment_mean_days: float = 34.0
    #: Chance of a section 47 enquiry during the assessment [D]: S47 are 189.3 per 10,000 a year
    #: (LAIT Section_47, England 2025) = 0.36 per referral, most of them during assessment.
    s47_in_assessment_probability: float = 0.335
    #: Chance an S47 leads to an initial CP conference [D]: LAIT ISCP_Conf 59.2 / Section_47 189.3
    #: (England 2025) = 0.31.
    icpc_given_s47: float = 0.31
    #: Chance an ICPC makes a CP plan [D]: d3 National 2025 CPP_start 61,840 against 59.2 ICPCs per
    #: 10,000 (72,100) = 0.86.
    cp_given_icpc: float = 0.86
    #: After an assessment without an ICPC: closed [D] (c1 National 2025 not_in_need_percent 30.8
    #: of referrals), looked after under s20 [A]; the rest get a CIN plan.
    close_after_assessment: float = 0.44
    close_after_s47_without_icpc: float = 0.55
    cla_after_assessment: float = 0.03
    #: Children on a CIN plan held by family help practitioners rather than social workers [A]
    #: (the 2025 Families First reforms let non-social-workers lead s17 work). England's social
    #: workers held 321,661 cases at 30 Sep 2025 (CSWW indicators National) against 402,400
    #: children in need at 31 March (b1): about a fifth of open cases are not a social worker's.
    family_help_share_of_cin: float = 0.25
    #: Family help practitioner caseload [A].
    family_help_caseload: float = 18.0
    #: CIN plan duration: median days and log-normal spread [A], longer for disabled children.
    cin_median_days: float = 125.0
    cin_sigma: float = 0.75
    disabled_cin_median_days: float = 330.0
    #: How a CIN plan ends: escalated to an S47 [A]; s20 accommodation [A]; otherwise closed.
    cin_escalation_probability: float = 0.12
    icpc_given_cin_s47: float = 0.42
    cla_after_cin: float = 0.045
    #: CP plan duration: median days and spread [A], fitted to the d5 durations of plans open at 31
    #: March 2025 (31.5% under 3 months, 25.5% 3-6, 26.3% 6-12, 14.4% 1-2 years, 2.3% 2+).
    cp_median_days: float = 235.0
    cp_sigma: float = 0.62
    #: How a CP plan ends [A]: step down to a CIN plan, pre-proceedings, emergency care
    #: proceedings; otherwise closed.
    cp_step_down: float = 0.50
    cp_to_pre_proceedings: float = 0.17
    cp_to_proceedings: float = 0.05
    #: Pre-proceedings (PLO) [A]: median days; share issued; share of step-downs back to the CP
    #: plan (the rest to a CIN plan).
    plo_median_days: float = 115.0
    plo_issue_probability: float = 0.45
    plo_back_to_cp: float = 0.45
    #: Care proceedings [A]: median days (about 41 weeks); chance the child is looked after from
    #: issue (interim care order).
    proceedings_median_days: float = 290.0
    proceedings_looked_after: float = 0.8
    #: Final orders [A]: care order, placement order, special guardianship, child arrangements,
    #: supervision/home; weights.
    final_orders: tuple[float, ...] = (0.50, 0.15, 0.18, 0.05, 0.12)
    #: Looked after under a care order: mean further years before SGO or return home [A].
    care_order_mean_years: float = 12.0
    #: Placement order to adoption: median days [A].
    adoption_median_days: float = 500.0
    #: Accommodated under s20: median days; then home, proceedings or long-term care [A].
    s20_median_days: float = 180.0
    s20_outcomes: tuple[float, ...] = (0.60, 0.22, 0.18)
    #: Young people who stay with the leaving care service to 21 (the rest leave earlier) [A].
    care_leaver_to_21: float = 0.7

    # --- workforce --------------------------------------------------------------------------------
    #: Children per case-holding FTE the establishment is sized for, by team type [A]
    #: (practice.md §1 ranges; England averaged 15.2-16.6 in 2022-2025, CSWW indicators).
    target_caseload: tuple[tuple[str, float], ...] = (
        ("front_door", 15.5),
        ("assessment", 17.5),
        ("cin_cp", 17.5),
        ("disabled_children", 19.0),
        ("court", 14.5),
        ("cla", 17.0),
        ("leaving_care", 19.0),
    )
    #: Children per case-holding FTE (social workers and senior practitioners, agency included)
    #: the council tolerates before it books agency workers over establishment, or lets them go
    #: [A]; England averaged 15.2-16.6 in 2022-2025 (CSWW indicators National, caseload_fte).
    caseload_band: tuple[float, float] = (16.95, 17.55)
    #: Independent reviewing officer caseload (children looked after per IRO) [A]; the IRO
    #: handbook suggests 50-70.
    iro_caseload: float = 50.0
    #: Case weights for allocation (a full caseload = 1) [A]: practice.md §1 (Suffolk ~90%,
    #: Devon 60% for ASYEs; senior practitioners carry somewhat fewer).
    asye_capacity: float = 0.7
    senior_practitioner_capacity: float = 0.85
    #: Chance an allocation goes to the team manager instead (cases held by managers) [A].
    manager_allocation_probability: float = 0.001
    #: Part-time posts: (FTE, share of social worker posts) [A].
    post_fte_mix: tuple[tuple[float, float], ...] = (
        (1.0, 0.82),
        (0.8, 0.1),
        (0.6, 0.05),
        (0.5, 0.03),
    )
    #: Social worker posts per practice team (fewest, most) [A]: the brief's 6-12.
    social_workers_per_team: tuple[int, int] = (6, 12)
    #: Teams with this many case-holding FTE or more have two senior practitioners [A].
    second_senior_practitioner_from_fte: float = 9.0
    #: Case-holding posts budgeted, as a share of the FTE the demand needs at the target caseload
    #: [A]: councils' budgets run a little short of need, and agency workers over establishment
    #: make up the rest (England: 81% of agency FTE covered vacancies in 2025, CSWW indicators
    #: National agency_cover_rate_fte).
    establishment_share_of_need: float = 1.05
    #: Yearly leaving hazard of directly employed staff by role [A]; England's turnover was
    #: 11.8-17.2% a year in 2021-2025 (CSWW indicators National, turnover_rate_fte).
    leave_hazard: tuple[tuple[str, float], ...] = (
        ("social_worker", 0.155),
        ("senior_practitioner", 0.12),
        ("team_manager", 0.115),
        ("service_manager", 0.09),
        ("head_of_service", 0.09),
        ("independent_reviewing_officer", 0.09),
        ("quality_assurance_officer", 0.11),
    )
    #: Internal moves a year per directly employed case holder: moves to a vacant post of the
    #: same role in another team (not leavers in the DfE sense) [A].
    internal_move_rate: float = 0.03
    #: Share of senior practitioner / team manager vacancies filled by internal promotion [A].
    internal_promotion_share: float = 0.35
    #: Recruitment: days per round (uniform range) and chance a round appoints [A]; vacancies run
    #: at 14-20% of establishment (CSWW indicators National 2021-2025, vacancy_rate_fte).
    recruitment_round_days: tuple[int, int] = (60, 180)
    recruitment_success: float = 0.25
    #: Chance a vacancy is covered by an agency worker, by role group [D]: 73.6% of vacancies were
    #: covered in 2025 (CSWW indicators National, vacancy_agency_cover_rate_fte).
    agency_cover_case_holder: float = 0.92
    agency_cover_manager: float = 0.55
    #: Days from vacancy to agency start; mean agency assignment in days [A].
    agency_start_days: tuple[int, int] = (7, 35)
    agency_mean_days: float = 330.0
    #: Chance a permanent appointment converts the agency worker covering the post [A].
    agency_conversion: float = 0.2
    #: Share of social worker appointments that are newly qualified (ASYE) [A].
    asye_share: float = 0.3
    #: Share of appointments on fixed-term contracts [A].
    fixed_term_share: float = 0.05
    #: Temporary (fixed-term funded) social worker posts added for 17 months [A].
    temporary_posts: int = 2
    #: The restructure: months before ``today``; social worker posts moved from assessment to the
    #: front door (a MASH expansion); social worker posts regraded to senior practitioner.
    restructure_months_before: int = 30
    mash_expansion_posts: int = 2
    regraded_posts: int = 1

    # --- absence ----------------------------------------------------------------------------------
    #: Sickness spells a year per worker, share that are long, and their lengths in working days
    #: [A]; tuned to England's absence rate of 2.9-3.5% (CSWW indicators National 2020-2025).
    sickness_spells_per_year: float = 1.9
    sickness_long_share: float = 0.08
    sickness_short_days: tuple[int, int] = (1, 5)
    sickness_long_days: tuple[int, int] = (10, 45)
    #: Other absence spells a year: training, other paid leave, public duties, unpaid [A].
    training_spells_per_year: float = 1.0
    other_spells_per_year: float = 0.25
    #: Maternity leave starts a year per female worker under 45, and its length in days [A].
    maternity_rate: float = 0.03
    maternity_days: tuple[int, int] = (180, 365)

    # --- recruitment pipeline ----------------------------------------------------------------
    #: Months of recruitment activity in ``pipeline.csv``; applicants per vacancy (range) [A].
    pipeline_months: int = 9
    applicants_per_vacancy: tuple[int, int] = (2, 7)

    def target_caseload_for(self, team_type: str) -> float:
        """Children per case-holding FTE the establishment of ``team_type`` is sized for."""
        return dict(self.target_caseload).get(team_type, 17.0)

    def leave_hazard_for(self, role: str) -> float:
        """Yearly chance of leaving for a directly employed worker in ``role``."""
        return dict(self.leave_hazard).get(role, 0.12)

    # --- scale factors against England --------------------------------------------------------
    @property
    def cp_scale(self) -> float:
        """How much more likely than England's a referral is to become a CP plan."""
        return _ratio(self.cp_per_10k, self.referrals_per_10k, ENGLAND_CP_AT31, ENGLAND_REFERRALS)

    @property
    def cla_scale(self) -> float:
        """How much more likely than England's a referral is to become looked after."""
        return _ratio(self.cla_per_10k, self.referrals_per_10k, ENGLAND_CLA_AT31, ENGLAND_REFERRALS)

    @property
    def cin_scale(self) -> float:
        """How much longer than England's CIN plans last, so the CIN stock matches."""
        return _ratio(self.cin_per_10k, self.referrals_per_10k, ENGLAND_CIN_AT31, ENGLAND_REFERRALS)

    @classmethod
    def from_figures(
        cls,
        name: str,
        *,
        children_0_17: int,
        referrals: float,
        cin_at31: float,
        cp_at31: float,
        cla_at31: float,
        social_worker_fte: float | None = None,
    ) -> CouncilProfile:
        """A profile from an authority's own figures: ONS children aged 0-17, referrals in the year
        (c1), children in need (b1 At31_episodes), CP plans (d5 CPP_At31) and children looked after
        (cla file) at 31 March, and optionally its social worker FTE (CSWW in post + agency)."""
        scale = children_0_17 / 80_000
        teams = team_layout(scale)
        return cls(
            name=name,
            children_0_17=children_0_17,
            teams=teams,
            service_managers=max(1, round(3 * scale)),
            quality_assurance_officers=max(0, round(2 * scale)),
            social_worker_fte=social_worker_fte,
            referrals_per_10k=per_10k(referrals, children_0_17),
            cin_per_10k=per_10k(cin_at31, children_0_17),
            cp_per_10k=per_10k(cp_at31, children_0_17),
            cla_per_10k=per_10k(cla_at31, children_0_17),
            mash_expansion_posts=2 if dict(teams).get("front_door") else 0,
            social_workers_per_team=(6, 12) if scale >= 0.6 else (1, 12),
        )


def _ratio(count: float, referrals: float, england_count: float, england_referrals: float) -> float:
    if referrals <= 0:
        return 1.0
    return (count / referrals) / (england_count / england_referrals)


def team_layout(scale: float) -> tuple[tuple[str, int], ...]:
    """Practice teams for an authority ``scale`` times the size of the built-in ``council``
    (80,000 children). Below about a quarter of that size the specialist teams merge into the
    assessment, CIN/CP and children in care teams."""
    if scale < 0.25:
        return (("assessment", 1), ("cin_cp", 1), ("cla", 1))
    if scale < 0.6:
        return (
            ("front_door", 1),
            ("assessment", 1),
            ("cin_cp", 2),
            ("cla", 1),
            ("leaving_care", 1),
        )

    def n(base: float) -> int:
        return max(1, round(base * scale))

    return (
        ("front_door", n(1)),
        ("assessment", n(2)),
        ("cin_cp", n(4)),
        ("disabled_children", n(1)),
        ("court", n(1)),
        ("cla", n(2)),
        ("leaving_care", n(1)),
    )


COUNCIL = CouncilProfile(
    name="council",
    children_0_17=80_000,
    teams=team_layout(1.0),
    service_managers=4,
    quality_assurance_officers=3,
)

SMALL = CouncilProfile(
    name="small",
    children_0_17=6_000,
    teams=team_layout(6_000 / 80_000),
    service_managers=1,
    quality_assurance_officers=1,
    temporary_posts=0,
    mash_expansion_posts=0,
    regraded_posts=1,
    social_workers_per_team=(1, 12),
)

SIZES: dict[str, CouncilProfile] = {"small": SMALL, "council": COUNCIL}


def profile_for(size: str) -> CouncilProfile:
    """The built-in profile called ``size`` ("small" or "council")."""
    try:
        return SIZES[size]
    except KeyError:
        raise ValueError(f"unknown size {size!r}; expected one of {sorted(SIZES)}") from None
