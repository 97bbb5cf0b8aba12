"""Children's social care demand: referrals of sibling groups and the path each case takes.

A *family episode* is one referral of a sibling group (siblings are referred, assessed and planned
for together). Each episode walks a pathway of *stages* (front door, assessment, CIN plan, CP plan,
pre-proceedings, care proceedings, looked after) until it closes; when it closes the family may be
referred again. Everything is drawn vectorised over all the episodes at the same step of their
pathway. Stage intervals are inclusive ``[start, end]`` and the next stage starts the day after.
The child-level view (ages, 18th birthdays, care leavers) is built from this in
:mod:`caseloads.synthetic.casework`.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Any

import numpy as np
import numpy.typing as npt

from caseloads.synthetic import codes
from caseloads.synthetic.dates import OPEN, BoolArray, IntArray, add_working_days, plus_years
from caseloads.synthetic.profile import CouncilProfile
from caseloads.synthetic.seasonal import Season
from caseloads.synthetic.teams import ASSESSMENT as ASSESSMENT_POOL
from caseloads.synthetic.teams import CIN_CP, CLA, COURT, DISABLED, FAMILY_HELP, FRONT_DOOR

# Stage kinds.
FD, ASMT, CIN, CP, PLO, PROC, LAC = 0, 1, 2, 3, 4, 5, 6
CLOSED = -1
STAGE_POOL = {FD: FRONT_DOOR, ASMT: ASSESSMENT_POOL, CP: CIN_CP, PLO: COURT, PROC: COURT, LAC: CLA}

# Routes into care.
ROUTE_NONE, ROUTE_S20, ROUTE_CARE_ORDER, ROUTE_PLACEMENT_ORDER, ROUTE_LONG_S20, ROUTE_UASC = range(
    6
)

#: Reasons a period of care ends (SSDA903 codes), indexed by ``cla_end`` below.
CLA_CEASED = (
    "E11",
    "E12",
    "E45",
    "E46",
    "E47",
    "E48",
    "E41",
    "E4A",
    "E4B",
    "E13",
    "E3",
    "E8",
    "E5",
    "E17",
    "E6",
    "E7",
)
_CE = {code: i for i, code in enumerate(CLA_CEASED)}
#: CIN closure reason index (into codes.CLOSE_REASONS).
_RC = {code: i for i, code in enumerate(codes.CLOSE_REASONS)}

# Final orders of care proceedings.
ORDER_CARE, ORDER_PLACEMENT, ORDER_SGO, ORDER_CAO, ORDER_HOME = range(5)
MAX_STEPS = 80


@dataclass
class Columns:
    """A bundle of equal-length arrays; subclasses name them."""

    def take(self, index: IntArray) -> None:
        for f in fields(self):
            setattr(self, f.name, getattr(self, f.name)[index])

    def __len__(self) -> int:
        first = fields(self)[0].name
        return int(getattr(self, first).size)


@dataclass
class FamilyEpisodes(Columns):
    """One row per referral of a sibling group."""

    family: IntArray
    referral: IntArray
    close: IntArray  # last stage's end; OPEN while open at the horizon
    close_reason: IntArray  # index into codes.CLOSE_REASONS; -1 while open
    nfa: BoolArray  # closed with no further action at the front door
    need: IntArray  # index into codes.PRIMARY_NEED
    source: IntArray  # index into codes.REFERRAL_SOURCES
    cp_category: IntArray  # index into codes.CP_CATEGORY
    uasc: BoolArray


@dataclass
class Stages(Columns):
    """One row per stage of a family episode, in pathway order."""

    fe: IntArray
    kind: IntArray
    start: IntArray
    end: IntArray
    pool: IntArray
    looked_after: BoolArray  # the children are looked after during this stage
    cp_plan: BoolArray  # a CP plan is open during this stage
    cin_plan: BoolArray
    legal_change: BoolArray  # looked after across the start, with a change of legal status
    cla_end: IntArray  # index into CLA_CEASED if the period of care ends with this stage, else -1
    route: IntArray  # route into care (for looked-after stages)


@dataclass
class Assessments(Columns):
    fe: IntArray
    start: IntArray
    auth: IntArray
    nfa: BoolArray


@dataclass
class Enquiries(Columns):
    """Section 47 enquiries and the initial CP conferences that follow some of them."""

    fe: IntArray
    start: IntArray
    end: IntArray
    icpc: BoolArray
    icpc_date: IntArray
    icpc_target: IntArray
    cp: BoolArray


@dataclass
class Proceedings(Columns):
    """Pre-proceedings (PLO) and care proceedings, one row per family case."""

    fe: IntArray
    plo_start: IntArray  # NA-like (-1) if proceedings were issued without pre-proceedings
    plo_end: IntArray
    issued: BoolArray
    issue_date: IntArray
    final_date: IntArray
    final_order: IntArray  # ORDER_* or -1


@dataclass
class Demand:
    """All the family-level demand of one council, and the children of each family."""

    families_size: IntArray  # children in each family
    families_first_referral: IntArray
    families_uasc: BoolArray
    child_family: IntArray  # children in family order
    child_dob: IntArray
    episodes: FamilyEpisodes
    stages: Stages
    assessments: Assessments
    enquiries: Enquiries
    proceedings: Proceedings


def _lognormal_days(rng: np.random.Generator, median: float, sigma: float, n: int) -> IntArray:
    draws = median * np.exp(sigma * rng.standard_normal(n))
    return np.maximum(1, np.rint(draws)).astype(np.int64)


class _Builder:
    """Collects the rows of each table as lists of arrays, then concatenates them."""

    def __init__(self) -> None:
        self.parts: dict[str, list[dict[str, np.ndarray]]] = {}

    def add(self, table: str, **cols: np.ndarray) -> None:
        self.parts.setdefault(table, []).append(cols)

    def build(self, table: str, cls: type[Columns], dtypes: dict[str, type]) -> Columns:
        parts = self.parts.get(table, [])
        values: dict[str, np.ndarray] = {}
        for name, dtype in dtypes.items():
            if parts:
                values[name] = np.concatenate([p[name] for p in parts]).astype(dtype)
            else:
                values[name] = np.zeros(0, dtype=dtype)
        return cls(**values)


def _dtypes(cls: type[Columns]) -> dict[str, type]:
    out: dict[str, type] = {}
    for f in fields(cls):
        out[f.name] = np.bool_ if "BoolArray" in str(f.type) else np.int64
    return out


class _Pathways:
    """Walks every family episode of one generation through its stages."""

    def __init__(
        self,
        rng: np.random.Generator,
        profile: CouncilProfile,
        today: int,
        restructure_day: int,
        front_door_shift: float,
    ) -> None:
        self.rng = rng
        self.p = profile
        self.today = today
        self.restructure_day = restructure_day
        self.front_door_shift = front_door_shift
        self.out = _Builder()
        self.closes: list[tuple[IntArray, IntArray, IntArray]] = []

    def run(self, fe_index: IntArray, referral: IntArray, need: IntArray, uasc: BoolArray) -> None:
        """Walk the episodes ``fe_index`` (referred on ``referral``) to closure or the horizon."""
        n = fe_index.size
        state: dict[str, npt.NDArray[Any]] = {
            "fe": fe_index.astype(np.int64),
            "kind": np.full(n, FD, dtype=np.int64),
            "start": referral.astype(np.int64),
            "need": need.astype(np.int64),
            "uasc": uasc.astype(np.bool_),
            "on_cp": np.zeros(n, dtype=np.bool_),
            "in_cla": np.zeros(n, dtype=np.bool_),
            "route": np.full(n, ROUTE_NONE, dtype=np.int64),
            "cin_pool": np.full(n, -1, dtype=np.int64),
            "plo_row": np.full(n, -1, dtype=np.int64),
            "cont": np.zeros(n, dtype=np.bool_),  # a continued CP plan after pre-proceedings
        }
        for _step in range(MAX_STEPS):
            if state["fe"].size == 0:
                break
            live = state["start"] <= self.today
            if not live.all():
                state = {k: v[live] for k, v in state.items()}
                if state["fe"].size == 0:
                    break
            force_close = _step == MAX_STEPS - 1
            state = self._step(state, force_close)

    # -- one step ---------------------------------------------------------------------------------
    def _step(self, s: dict[str, np.ndarray], force_close: bool) -> dict[str, np.ndarray]:
        n = s["fe"].size
        rng, p = self.rng, self.p
        kind = s["kind"]
        start = s["start"]
        end = start.copy()
        nxt = np.full(n, CLOSED, dtype=np.int64)
        close_reason = np.full(n, -1, dtype=np.int64)
        pool = np.full(n, -1, dtype=np.int64)
        looked_after = np.zeros(n, dtype=np.bool_)
        cp_plan = np.zeros(n, dtype=np.bool_)
        cin_plan = np.zeros(n, dtype=np.bool_)
        legal_change = np.zeros(n, dtype=np.bool_)
        cla_end = np.full(n, -1, dtype=np.int64)
        on_cp = s["on_cp"].copy()
        in_cla = s["in_cla"].copy()
        route = s["route"].copy()
        cin_pool = s["cin_pool"].copy()
        cont = s["cont"].copy()
        plo_row = s["plo_row"].copy()
        row_route = s["route"].copy()

        # ---- front door -------------------------------------------------------------------------
        m = np.flatnonzero(kind == FD)
        if m.size:
            mean = p.front_door_mean_days + np.where(
                start[m] >= self.restructure_day, self.front_door_shift, 0.0
            )
            dur = np.maximum(1, np.rint(1 + rng.gamma(2.0, (mean - 1) / 2.0))).astype(np.int64)
            dur[s["uasc"][m]] = 1
            end[m] = start[m] + dur - 1
            nfa = (rng.random(m.size) < p.referral_nfa_probability) & ~s["uasc"][m]
            nxt[m] = np.where(nfa, CLOSED, ASMT)
            close_reason[m[nfa]] = _RC["RC8"]
            pool[m] = FRONT_DOOR

        # ---- assessment ------------------------------------------------------------------------
        m = np.flatnonzero(kind == ASMT)
        if m.size:
            self._assessment(m, s, end, nxt, close_reason, route, cin_pool)
            pool[m] = ASSESSMENT_POOL

        # ---- CIN plan --------------------------------------------------------------------------
        m = np.flatnonzero(kind == CIN)
        if m.size:
            self._cin(m, s, end, nxt, close_reason, route, cin_pool)
            pool[m] = cin_pool[m]
            cin_plan[m] = True

        # ---- CP plan ---------------------------------------------------------------------------
        m = np.flatnonzero(kind == CP)
        if m.size:
            median = np.where(cont[m], 0.5, 1.0) * p.cp_median_days
            dur = np.maximum(
                1, np.rint(median * np.exp(p.cp_sigma * rng.standard_normal(m.size)))
            ).astype(np.int64)
            end[m] = start[m] + dur - 1
            u = rng.random(m.size)
            to_plo = p.cp_to_pre_proceedings * p.cla_scale
            to_proc = p.cp_to_proceedings * p.cla_scale
            down = u < p.cp_step_down
            plo = (u >= p.cp_step_down) & (u < p.cp_step_down + to_plo)
            proc = (u >= p.cp_step_down + to_plo) & (u < p.cp_step_down + to_plo + to_proc)
            shut = ~(down | plo | proc)
            nxt[m] = np.select([down, plo, proc], [CIN, PLO, PROC], CLOSED)
            close_reason[m[shut]] = codes.draw(rng, codes.CLOSE_AFTER_PLAN, int(shut.sum()))
            cp_plan[m] = True
            on_cp[m] = plo | proc
            cin_pool[m[down]] = -1
            pool[m] = CIN_CP
            cont[m] = False

        # ---- pre-proceedings -------------------------------------------------------------------
        m = np.flatnonzero(kind == PLO)
        if m.size:
            dur = _lognormal_days(rng, p.plo_median_days, 0.4, m.size)
            end[m] = start[m] + dur - 1
            issue = rng.random(m.size) < p.plo_issue_probability
            back = ~issue & s["on_cp"][m] & (rng.random(m.size) < p.plo_back_to_cp)
            nxt[m] = np.select([issue, back], [PROC, CP], CIN)
            cp_plan[m] = s["on_cp"][m]
            on_cp[m] = s["on_cp"][m] & (issue | back)
            cont[m] = back
            cin_pool[m] = -1
            pool[m] = COURT
            rows = self._record_plo(s["fe"][m], start[m], end[m], issue)
            plo_row[m] = np.where(issue, rows, -1)

        # ---- care proceedings ------------------------------------------------------------------
        m = np.flatnonzero(kind == PROC)
        if m.size:
            order, ceased = self._proceedings(m, s, end, nxt, close_reason, route, plo_row)
            # Most children are looked after from issue (interim care order); those already
            # accommodated under s20 change legal status. A child still at home when a care or
            # placement order is made is looked after from the final hearing.
            la_now = s["in_cla"][m] | (rng.random(m.size) < p.proceedings_looked_after)
            legal_change[m] = s["in_cla"][m]
            looked_after[m] = la_now
            cp_plan[m] = s["on_cp"][m] & ~la_now
            home = order == ORDER_HOME
            leaving = np.isin(order, (ORDER_SGO, ORDER_CAO, ORDER_HOME))
            cla_end[m[leaving & la_now]] = ceased[leaving & la_now]
            on_cp[m] = False
            in_cla[m] = la_now & ~leaving
            cin_pool[m[home]] = -1
            row_route[m] = np.where(la_now, ROUTE_CARE_ORDER, ROUTE_NONE)
            pool[m] = COURT

        # ---- looked after ----------------------------------------------------------------------
        m = np.flatnonzero(kind == LAC)
        if m.size:
            legal_change[m] = s["in_cla"][m]
            self._looked_after(m, s, end, nxt, close_reason, route, cla_end, cin_pool)
            looked_after[m] = True
            in_cla[m] = nxt[m] == PROC
            row_route[m] = s["route"][m]
            pool[m] = CLA

        if force_close:
            still = nxt != CLOSED
            nxt[still] = CLOSED
            close_reason[still] = _RC["RC7"]
            cla_end[still & looked_after] = _CE["E8"]

        entering_cin = (nxt == CIN) & (kind != CIN)
        cin_pool[entering_cin] = -1
        self.out.add(
            "stages",
            fe=s["fe"],
            kind=kind,
            start=start,
            end=end,
            pool=pool,
            looked_after=looked_after,
            cp_plan=cp_plan,
            cin_plan=cin_plan,
            legal_change=legal_change,
            cla_end=cla_end,
            route=row_route,
        )
        done = nxt == CLOSED
        self.closes.append((s["fe"][done], end[done], close_reason[done]))
        keep = ~done
        new = {
            "fe": s["fe"],
            "kind": nxt,
            "start": end + 1,
            "need": s["need"],
            "uasc": s["uasc"],
            "on_cp": on_cp,
            "in_cla": in_cla,
            "route": route,
            "cin_pool": cin_pool,
            "plo_row": plo_row,
            "cont": cont,
        }
        return {k: v[keep] for k, v in new.items()}

    # -- stage details -----------------------------------------------------------------------------
    def _assessment(
        self,
        m: IntArray,
        s: dict[str, np.ndarray],
        end: IntArray,
        nxt: IntArray,
        close_reason: IntArray,
        route: IntArray,
        cin_pool: IntArray,
    ) -> None:
        rng, p = self.rng, self.p
        start = s["start"][m]
        k = m.size
        mean = p.assessment_mean_days - np.where(
            start >= self.restructure_day, self.front_door_shift, 0.0
        )
        dur = np.maximum(3, np.rint(3 + rng.gamma(2.0, (mean - 3) / 2.0))).astype(np.int64)
        uasc = s["uasc"][m]
        dur[uasc] = rng.integers(3, 12, int(uasc.sum()))
        s47 = (rng.random(k) < p.s47_in_assessment_probability) & ~uasc
        s47_start = start + np.minimum(rng.integers(0, 8, k), dur - 1)
        s47_len = rng.integers(3, 16, k)
        icpc = s47 & (rng.random(k) < min(0.95, p.icpc_given_s47 * p.cp_scale))
        icpc_date = s47_start + rng.integers(8, 27, k)
        cp = icpc & (rng.random(k) < min(1.0, p.cp_given_icpc))
        e = start + dur - 1
        e = np.where(s47 & ~icpc, np.maximum(e, s47_start + s47_len), e)
        e = np.where(icpc, icpc_date - 1, e)
        end[m] = e
        s47_end = np.where(icpc, np.minimum(s47_start + s47_len, icpc_date), s47_start + s47_len)

        u = rng.random(k)
        cla_p = p.cla_after_assessment * p.cla_scale
        close_s47 = s47 & ~icpc & (u < p.close_after_s47_without_icpc)
        plain = ~s47 & ~uasc
        close_plain = plain & (u < p.close_after_assessment)
        cla_plain = plain & (u >= p.close_after_assessment) & (u < p.close_after_assessment + cla_p)
        shut = close_s47 | close_plain
        go_cla = cla_plain | uasc
        nxt[m] = np.select([icpc & cp, shut, go_cla], [CP, CLOSED, LAC], CIN)
        close_reason[m[shut]] = _RC["RC8"]
        route[m[go_cla]] = np.where(uasc[go_cla], ROUTE_UASC, ROUTE_S20)
        self.out.add("assessments", fe=s["fe"][m], start=start, auth=e, nfa=shut)
        self._record_s47(
            s["fe"][m][s47], s47_start[s47], s47_end[s47], icpc[s47], icpc_date[s47], cp[s47]
        )

    def _cin(
        self,
        m: IntArray,
        s: dict[str, np.ndarray],
        end: IntArray,
        nxt: IntArray,
        close_reason: IntArray,
        route: IntArray,
        cin_pool: IntArray,
    ) -> None:
        rng, p = self.rng, self.p
        k = m.size
        start = s["start"][m]
        fresh = cin_pool[m] < 0
        disabled = s["need"][m] == codes.NEED_DISABILITY
        family_help = ~disabled & (rng.random(k) < p.family_help_share_of_cin)
        chosen = np.select([disabled, family_help], [DISABLED, FAMILY_HELP], CIN_CP)
        cin_pool[m] = np.where(fresh, chosen, cin_pool[m])
        held = cin_pool[m]
        median = np.where(held == DISABLED, p.disabled_cin_median_days, p.cin_median_days)
        median = median * p.cin_scale
        dur = np.maximum(7, np.rint(median * np.exp(p.cin_sigma * rng.standard_normal(k)))).astype(
            np.int64
        )
        e = start + dur - 1
        social_worker = held != FAMILY_HELP
        u = rng.random(k)
        escalate = social_worker & (u < p.cin_escalation_probability)
        cla_p = p.cla_after_cin * p.cla_scale
        to_cla = (
            social_worker
            & (u >= p.cin_escalation_probability)
            & (u < p.cin_escalation_probability + cla_p)
        )
        s47_start = np.maximum(start, e - rng.integers(10, 31, k))
        s47_len = rng.integers(3, 16, k)
        icpc = escalate & (rng.random(k) < min(0.95, p.icpc_given_cin_s47 * p.cp_scale))
        icpc_date = s47_start + rng.integers(8, 27, k)
        cp = icpc & (rng.random(k) < min(1.0, p.cp_given_icpc))
        # A conference that makes a plan starts it (the CIN plan ends the day before); one that
        # does not is still part of this stage.
        e = np.where(
            cp,
            icpc_date - 1,
            np.where(
                icpc,
                np.maximum(e, icpc_date),
                np.where(escalate, np.maximum(e, s47_start + s47_len), e),
            ),
        )
        end[m] = e
        s47_end = np.where(icpc, np.minimum(s47_start + s47_len, icpc_date), s47_start + s47_len)
        carry_on = escalate & ~cp & (rng.random(k) < 0.6)
        shut = ~(cp | carry_on | to_cla)
        nxt[m] = np.select([cp, carry_on, to_cla], [CP, CIN, LAC], CLOSED)
        close_reason[m[shut]] = codes.draw(rng, codes.CLOSE_AFTER_PLAN, int(shut.sum()))
        route[m[to_cla]] = ROUTE_S20
        self._record_s47(
            s["fe"][m][escalate],
            s47_start[escalate],
            s47_end[escalate],
            icpc[escalate],
            icpc_date[escalate],
            cp[escalate],
        )

    def _proceedings(
        self,
        m: IntArray,
        s: dict[str, np.ndarray],
        end: IntArray,
        nxt: IntArray,
        close_reason: IntArray,
        route: IntArray,
        plo_row: IntArray,
    ) -> tuple[IntArray, IntArray]:
        """Care proceedings: their length and final order. Returns the order and, for orders that
        end a period of care, the SSDA903 reason it ceased (index into CLA_CEASED, else -1)."""
        rng, p = self.rng, self.p
        k = m.size
        start = s["start"][m]
        dur = _lognormal_days(rng, p.proceedings_median_days, 0.35, k)
        e = start + dur - 1
        end[m] = e
        weights = np.array(p.final_orders, dtype=np.float64)
        order = rng.choice(weights.size, size=k, p=weights / weights.sum()).astype(np.int64)
        nxt[m] = np.select(
            [order == ORDER_CARE, order == ORDER_PLACEMENT, order == ORDER_HOME],
            [LAC, LAC, CIN],
            CLOSED,
        )
        route[m] = np.select(
            [order == ORDER_CARE, order == ORDER_PLACEMENT],
            [ROUTE_CARE_ORDER, ROUTE_PLACEMENT_ORDER],
            ROUTE_NONE,
        )
        close_reason[m[order == ORDER_SGO]] = _RC["RC4"]
        close_reason[m[order == ORDER_CAO]] = _RC["RC3"]
        sgo = rng.choice(4, size=k, p=[0.55, 0.15, 0.2, 0.1]) + _CE["E45"]
        ceased = np.select(
            [order == ORDER_SGO, order == ORDER_CAO, order == ORDER_HOME],
            [sgo, np.full(k, _CE["E41"]), np.full(k, _CE["E4A"])],
            -1,
        ).astype(np.int64)
        self.out.add(
            "proceedings_final",
            fe=s["fe"][m],
            plo_row=plo_row[m],
            issue_date=start,
            final_date=e,
            final_order=order,
        )
        plo_row[m] = -1
        return order, ceased

    def _looked_after(
        self,
        m: IntArray,
        s: dict[str, np.ndarray],
        end: IntArray,
        nxt: IntArray,
        close_reason: IntArray,
        route: IntArray,
        cla_end: IntArray,
        cin_pool: IntArray,
    ) -> None:
        rng, p = self.rng, self.p
        k = m.size
        start = s["start"][m]
        r = s["route"][m]
        dur = np.ones(k, dtype=np.int64)
        nx = np.full(k, CLOSED, dtype=np.int64)
        rc = np.full(k, _RC["RC7"], dtype=np.int64)
        ce = np.full(k, _CE["E8"], dtype=np.int64)
        new_route = r.copy()

        i = r == ROUTE_UASC
        dur[i] = 365 * 8  # until 18: cut at the young person's birthday
        ce[i] = _CE["E8"]

        i = np.flatnonzero(r == ROUTE_CARE_ORDER)
        if i.size:
            dur[i] = np.maximum(30, rng.exponential(p.care_order_mean_years * 365.25, i.size))
            u = rng.random(i.size)
            sgo = u < 0.45
            home = (u >= 0.45) & (u < 0.70)
            cao = (u >= 0.70) & (u < 0.80)
            moved = (u >= 0.80) & (u < 0.90)
            ce[i] = np.select(
                [sgo, home, cao, moved],
                [rng.choice(4, size=i.size) + _CE["E45"], _CE["E4A"], _CE["E41"], _CE["E3"]],
                _CE["E8"],
            )
            rc[i] = np.select([sgo, cao, moved], [_RC["RC4"], _RC["RC3"], _RC["RC5"]], _RC["RC7"])

        i = np.flatnonzero(r == ROUTE_PLACEMENT_ORDER)
        if i.size:
            dur[i] = _lognormal_days(rng, p.adoption_median_days, 0.35, i.size)
            ce[i] = np.where(rng.random(i.size) < 0.7, _CE["E11"], _CE["E12"])
            rc[i] = _RC["RC1"]

        i = np.flatnonzero(r == ROUTE_S20)
        if i.size:
            dur[i] = _lognormal_days(rng, p.s20_median_days, 1.0, i.size)
            w = np.array(p.s20_outcomes, dtype=np.float64)
            out = rng.choice(3, size=i.size, p=w / w.sum())
            home = out == 0
            to_support = home & (rng.random(i.size) < 0.4)
            nx[i] = np.select([to_support, out == 1, out == 2], [CIN, PROC, LAC], CLOSED)
            ce[i] = np.where(
                home,
                rng.choice([_CE["E4A"], _CE["E4B"], _CE["E13"]], i.size, p=[0.7, 0.2, 0.1]),
                -1,
            )
            new_route[i] = np.where(out == 2, ROUTE_LONG_S20, ROUTE_S20)

        i = np.flatnonzero(r == ROUTE_LONG_S20)
        if i.size:
            dur[i] = np.maximum(30, rng.exponential(6.0 * 365.25, i.size)).astype(np.int64)
            ce[i] = rng.choice([_CE["E4A"], _CE["E13"], _CE["E8"]], i.size, p=[0.6, 0.2, 0.2])

        e = start + dur - 1
        end[m] = e
        nxt[m] = nx
        leaves = nx != PROC
        chain = nx == LAC
        cla_end[m] = np.where(leaves & ~chain, ce, -1)
        close_reason[m] = np.where(nx == CLOSED, rc, -1)
        route[m] = new_route
        cin_pool[m[nx == CIN]] = -1

    # -- event records -----------------------------------------------------------------------------
    def _record_s47(
        self,
        fe: IntArray,
        start: IntArray,
        end: IntArray,
        icpc: BoolArray,
        icpc_date: IntArray,
        cp: BoolArray,
    ) -> None:
        target = add_working_days(start, np.full(start.size, 15, dtype=np.int64))
        self.out.add(
            "enquiries",
            fe=fe,
            start=start,
            end=end,
            icpc=icpc,
            icpc_date=np.where(icpc, icpc_date, -1),
            icpc_target=np.where(icpc, target, -1),
            cp=cp,
        )

    def _record_plo(
        self, fe: IntArray, start: IntArray, end: IntArray, issue: BoolArray
    ) -> IntArray:
        first = sum(part["fe"].size for part in self.out.parts.get("plo", []))
        self.out.add("plo", fe=fe, start=start, end=end, issued=issue)
        return np.arange(first, first + fe.size, dtype=np.int64)


def generate_demand(
    rng: np.random.Generator,
    profile: CouncilProfile,
    season: Season,
    first_day: int,
    today: int,
    restructure_day: int,
) -> Demand:
    """Every family episode referred from ``first_day`` to ``today``, walked to closure (or left
    open at ``today``)."""
    p = profile
    referrals_per_day = p.referrals_per_10k * p.children_0_17 / 10_000 / 365.25
    families_per_day = referrals_per_day / p.children_per_new_family_chain
    first = season.arrivals(rng, families_per_day, first_day, today)
    n_fam = first.size
    size_w = np.array(p.family_size_weights, dtype=np.float64)
    sizes = rng.choice(size_w.size, size=n_fam, p=size_w / size_w.sum()).astype(np.int64) + 1
    # Unaccompanied asylum-seeking children arrive alone.
    uasc_days = season.arrivals(
        rng, p.uasc_per_10k * p.children_0_17 / 10_000 / 365.25, first_day, today
    )
    fam_first = np.concatenate([first, uasc_days])
    fam_size = np.concatenate([sizes, np.ones(uasc_days.size, dtype=np.int64)])
    fam_uasc = np.concatenate(
        [np.zeros(n_fam, dtype=np.bool_), np.ones(uasc_days.size, dtype=np.bool_)]
    )
    order = np.argsort(fam_first, kind="stable")
    fam_first, fam_size, fam_uasc = fam_first[order], fam_size[order], fam_uasc[order]
    child_family = np.repeat(np.arange(fam_first.size, dtype=np.int64), fam_size)
    child_dob = fam_first[child_family] - _referral_ages(rng, p, fam_uasc[child_family])
    # A family can be referred while its youngest child is under 18.
    youngest_dob = np.full(fam_first.size, np.iinfo(np.int64).min, dtype=np.int64)
    np.maximum.at(youngest_dob, child_family, child_dob)
    last_referrable = plus_years(youngest_dob, 18) - 1

    # The MASH expansion moves front-door work: the front door holds referrals a little longer
    # and assessment teams a little less (enough work for the posts moved).
    moved = p.mash_expansion_posts * p.target_caseload_for("front_door")
    shift = moved * 365.25 / max(referrals_per_day * 365.25, 1.0)

    walker = _Pathways(rng, p, today, restructure_day, shift)
    ep_family: list[IntArray] = []
    ep_referral: list[IntArray] = []
    ep_need: list[IntArray] = []
    ep_uasc: list[BoolArray] = []
    family = np.arange(fam_first.size, dtype=np.int64)
    referral = fam_first
    uasc = fam_uasc
    offset = 0
    for _generation in range(40):
        if family.size == 0:
            break
        k = family.size
        need = codes.draw(rng, codes.PRIMARY_NEED, k)
        need[uasc] = codes.NEED_ABSENT_PARENTING
        idx = np.arange(offset, offset + k, dtype=np.int64)
        walker.run(idx, referral, need, uasc)
        ep_family.append(family)
        ep_referral.append(referral)
        ep_need.append(need)
        ep_uasc.append(uasc)
        offset += k
        # Repeat referrals of families whose case closed.
        closed_fe, closed_end, _ = _concat_closes(walker.closes)
        just = (closed_fe >= idx[0]) & (closed_fe <= idx[-1])
        c_fe = closed_fe[just]
        c_end = closed_end[just]
        fam_of = family[c_fe - idx[0]]
        again = ~fam_uasc[fam_of] & (rng.random(c_fe.size) < p.rereferral_probability)
        fam_of, c_end = fam_of[again], c_end[again]
        soon = rng.random(fam_of.size) < p.rereferral_soon_share
        gap = np.where(
            soon,
            1.0 + rng.exponential(p.rereferral_soon_mean_days, fam_of.size),
            rng.uniform(365.0, 4 * 365.0, fam_of.size),
        )
        new_day = season.calendar(season.operational(c_end) + gap)
        new_day = np.maximum(new_day, c_end + 1)
        ok = (new_day <= today) & (new_day < last_referrable[fam_of])
        order = np.lexsort((fam_of[ok], new_day[ok]))
        family = fam_of[ok][order]
        referral = new_day[ok][order]
        uasc = np.zeros(family.size, dtype=np.bool_)

    n_ep = offset
    close = np.full(n_ep, OPEN, dtype=np.int64)
    reason = np.full(n_ep, -1, dtype=np.int64)
    c_fe, c_end, c_reason = _concat_closes(walker.closes)
    close[c_fe] = c_end
    reason[c_fe] = c_reason
    ep_nfa_close = np.zeros(n_ep, dtype=np.bool_)
    stages = walker.out.build("stages", Stages, _dtypes(Stages))
    assert isinstance(stages, Stages)
    fd_only = np.bincount(stages.fe, minlength=n_ep) == 1
    ep_nfa_close = fd_only & (close != OPEN)
    sources = codes.draw(rng, codes.REFERRAL_SOURCES, n_ep)
    all_uasc = np.concatenate(ep_uasc) if ep_uasc else np.zeros(0, dtype=np.bool_)
    # UASC come through the police, the Home Office (other legal agency) or other agencies.
    police, legal = _source_index("6"), _source_index("7")
    sources[all_uasc] = np.where(rng.random(int(all_uasc.sum())) < 0.5, police, legal)
    episodes = FamilyEpisodes(
        family=np.concatenate(ep_family),
        referral=np.concatenate(ep_referral),
        close=close,
        close_reason=reason,
        nfa=ep_nfa_close,
        need=np.concatenate(ep_need),
        source=sources,
        cp_category=codes.draw(rng, codes.CP_CATEGORY, n_ep),
        uasc=all_uasc,
    )
    # Stage rows in episode order, then pathway order (each episode's stages are already in order).
    order = np.argsort(stages.fe, kind="stable")
    stages.take(order)
    assessments = walker.out.build("assessments", Assessments, _dtypes(Assessments))
    enquiries = walker.out.build("enquiries", Enquiries, _dtypes(Enquiries))
    assert isinstance(assessments, Assessments) and isinstance(enquiries, Enquiries)
    proceedings = _proceedings_table(walker.out)
    return Demand(
        families_size=fam_size,
        families_first_referral=fam_first,
        families_uasc=fam_uasc,
        child_family=child_family,
        child_dob=child_dob,
        episodes=episodes,
        stages=stages,
        assessments=assessments,
        enquiries=enquiries,
        proceedings=proceedings,
    )


def _source_index(code: str) -> int:
    return next(i for i, row in enumerate(codes.REFERRAL_SOURCES) if row[0] == code)


def _referral_ages(rng: np.random.Generator, p: CouncilProfile, uasc: BoolArray) -> IntArray:
    """Age in days at first referral: from the age bands; 15-17 for asylum-seeking children."""
    n = uasc.size
    bands = p.referral_age_bands
    w = np.array([b[2] for b in bands], dtype=np.float64)
    pick = rng.choice(len(bands), size=n, p=w / w.sum())
    low = np.array([b[0] for b in bands], dtype=np.float64)[pick]
    high = np.array([b[1] for b in bands], dtype=np.float64)[pick] + 1.0
    low = np.where(uasc, 15.0, low)
    high = np.where(uasc, 17.9, high)
    years = low + rng.random(n) * (high - low)
    return np.floor(years * 365.25).astype(np.int64)


def _concat_closes(
    closes: list[tuple[IntArray, IntArray, IntArray]],
) -> tuple[IntArray, IntArray, IntArray]:
    if not closes:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty, empty
    return (
        np.concatenate([c[0] for c in closes]).astype(np.int64),
        np.concatenate([c[1] for c in closes]).astype(np.int64),
        np.concatenate([c[2] for c in closes]).astype(np.int64),
    )


def _proceedings_table(out: _Builder) -> Proceedings:
    """Join each pre-proceedings period to the proceedings it led to (if any), and add the
    proceedings issued without pre-proceedings."""
    plo_parts = out.parts.get("plo", [])
    fin_parts = out.parts.get("proceedings_final", [])

    def cat(parts: list[dict[str, np.ndarray]], name: str, dtype: type) -> np.ndarray:
        if not parts:
            return np.zeros(0, dtype=dtype)
        return np.concatenate([p[name] for p in parts]).astype(dtype)

    plo_fe = cat(plo_parts, "fe", np.int64)
    plo_start = cat(plo_parts, "start", np.int64)
    plo_end = cat(plo_parts, "end", np.int64)
    plo_issued = cat(plo_parts, "issued", np.bool_)
    f_fe = cat(fin_parts, "fe", np.int64)
    f_plo = cat(fin_parts, "plo_row", np.int64)
    f_issue = cat(fin_parts, "issue_date", np.int64)
    f_final = cat(fin_parts, "final_date", np.int64)
    f_order = cat(fin_parts, "final_order", np.int64)

    n = plo_fe.size
    issue_date = np.full(n, -1, dtype=np.int64)
    final_date = np.full(n, -1, dtype=np.int64)
    final_order = np.full(n, -1, dtype=np.int64)
    linked = f_plo >= 0
    issue_date[f_plo[linked]] = f_issue[linked]
    final_date[f_plo[linked]] = f_final[linked]
    final_order[f_plo[linked]] = f_order[linked]
    direct = ~linked
    k = int(direct.sum())
    return Proceedings(
        fe=np.concatenate([plo_fe, f_fe[direct]]),
        plo_start=np.concatenate([plo_start, np.full(k, -1, dtype=np.int64)]),
        plo_end=np.concatenate([plo_end, np.full(k, -1, dtype=np.int64)]),
        issued=np.concatenate([plo_issued, np.ones(k, dtype=np.bool_)]),
        issue_date=np.concatenate([issue_date, f_issue[direct]]),
        final_date=np.concatenate([final_date, f_final[direct]]),
        final_order=np.concatenate([final_order, f_order[direct]]),
    )
