"""From family episodes to each child's case: CIN episodes, plans, periods of care, care leavers,
and the *allocation segments* (who must hold the child, when).

Every child of a referred sibling group gets their own CIN episode. A child's case follows the
family's stages until their 18th birthday: then the episode closes, or, for a young person looked
after, the period of care ends on the birthday and the leaving care service takes over. Everything
after ``today`` is cut: a record that has not ended by ``today`` is open (``OPEN``), one that has
not started is dropped.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from caseloads.synthetic import codes
from caseloads.synthetic.dates import OPEN, BoolArray, IntArray, plus_years
from caseloads.synthetic.demand import CLA_CEASED, Columns, Demand
from caseloads.synthetic.profile import CouncilProfile
from caseloads.synthetic.teams import IRO, LEAVING_CARE

# Why an allocation segment ends.
END_OPEN, END_TRANSFER, END_CLOSED = 0, 1, 2
_RC7 = codes.CLOSE_REASONS.index("RC7")
_RC6 = codes.CLOSE_REASONS.index("RC6")


def group_offsets(counts: IntArray) -> IntArray:
    """For groups of the given sizes laid end to end, each element's position within its group."""
    counts = np.asarray(counts, dtype=np.int64)
    total = int(counts.sum())
    starts = np.cumsum(counts) - counts
    return np.arange(total, dtype=np.int64) - np.repeat(starts, counts)


def expand(first: IntArray, count: IntArray) -> tuple[IntArray, IntArray]:
    """Rows ``first[i] .. first[i] + count[i] - 1`` for every ``i``: (owner ``i``, row index)."""
    owner = np.repeat(np.arange(first.size, dtype=np.int64), count)
    return owner, np.repeat(first, count) + group_offsets(count)


def runs(flag: BoolArray, group: IntArray) -> tuple[IntArray, IntArray]:
    """First and last row of every run of consecutive ``flag`` rows within the same ``group``
    (rows already ordered by group)."""
    n = flag.size
    prev_same = np.zeros(n, dtype=np.bool_)
    next_same = np.zeros(n, dtype=np.bool_)
    if n > 1:
        same = group[1:] == group[:-1]
        prev_same[1:] = same & flag[:-1]
        next_same[:-1] = same & flag[1:]
    first = np.flatnonzero(flag & ~prev_same)
    last = np.flatnonzero(flag & ~next_same)
    return first, last


@dataclass
class ChildEpisodes(Columns):
    """One CIN episode per child per family episode."""

    child: IntArray
    fe: IntArray
    referral: IntArray
    close: IntArray
    close_reason: IntArray
    nfa: BoolArray
    aged_out: BoolArray  # closed (or period of care ended) on reaching 18


@dataclass
class ChildStages(Columns):
    ce: IntArray
    kind: IntArray
    start: IntArray
    end: IntArray
    pool: IntArray
    looked_after: BoolArray
    cp_plan: BoolArray
    cin_plan: BoolArray
    legal_change: BoolArray
    cla_end: IntArray


@dataclass
class Plans(Columns):
    """CP plans, CIN plans (``pool`` = who holds it) or periods of care (``ceased`` code)."""

    ce: IntArray
    start: IntArray
    end: IntArray
    pool: IntArray
    ceased: IntArray  # index into CLA_CEASED (periods of care), -1 otherwise / while open


@dataclass
class ClaEpisodes(Columns):
    period: IntArray
    start: IntArray
    ceased: IntArray
    start_reason: IntArray  # index into CLA_START_REASONS
    ceased_reason: IntArray  # index into CLA_CEASED, or -2 for X1, -1 while open


CLA_START_REASONS = ("S", "L", "P", "T", "B", "U")


@dataclass
class CareLeavers(Columns):
    child: IntArray
    period: IntArray  # the period of care they left
    start: IntArray
    end: IntArray


@dataclass
class Segments(Columns):
    """Who must hold a child when: one row per stretch of a case with one responsible pool."""

    child: IntArray
    ce: IntArray  # -1 for care leavers (no open CIN episode)
    pool: IntArray
    start: IntArray
    end: IntArray
    end_kind: IntArray  # END_*


@dataclass
class Casework:
    child_dob: IntArray
    child_family: IntArray
    child_b18: IntArray
    episodes: ChildEpisodes
    stages: ChildStages
    cp_plans: Plans
    cin_plans: Plans
    periods: Plans
    cla_episodes: ClaEpisodes
    care_leavers: CareLeavers
    segments: Segments
    # Event rows expanded to children: (ce, row in the demand table).
    assessment_rows: tuple[IntArray, IntArray]
    enquiry_rows: tuple[IntArray, IntArray]
    proceedings_rows: tuple[IntArray, IntArray]
    cp_plan_enquiry: IntArray  # for each CP plan, its row in enquiry_rows (-1 if none)


def _by_fe(fe_of_row: IntArray, n_fe: int) -> tuple[IntArray, IntArray]:
    """For rows sorted by family episode: each episode's first row and row count."""
    count = np.bincount(fe_of_row, minlength=n_fe).astype(np.int64)
    first = np.cumsum(count) - count
    return first, count


def _event_rows(fe_of_event: IntArray, ce_fe: IntArray, n_fe: int) -> tuple[IntArray, IntArray]:
    """Every (child episode, event row) pair of the same family episode."""
    order = np.argsort(fe_of_event, kind="stable")
    first, count = _by_fe(fe_of_event[order], n_fe)
    ce, pos = expand(first[ce_fe], count[ce_fe])
    return ce, order[pos]


def build_casework(
    rng: np.random.Generator,
    profile: CouncilProfile,
    demand: Demand,
    today: int,
    pool_of: dict[int, int],
) -> Casework:
    """Expand ``demand`` to children, cut at 18th birthdays and ``today``, and derive plans,
    periods of care, care leavers and allocation segments (pools resolved with ``pool_of``)."""
    fe = demand.episodes
    st = demand.stages
    n_fe = len(fe)
    dob = demand.child_dob
    b18 = plus_years(dob, 18)
    fam_first_child = np.cumsum(demand.families_size) - demand.families_size

    # ---- child episodes ---------------------------------------------------------------------
    fam = fe.family
    owner, child = expand(fam_first_child[fam], demand.families_size[fam])
    ref = fe.referral[owner]
    ok = (dob[child] <= ref) & (b18[child] > ref)
    ce_fe, ce_child = owner[ok], child[ok]
    n_ce = ce_fe.size

    # ---- stages of each child episode, cut at 18 ----------------------------------------------
    st_first, st_count = _by_fe(st.fe, n_fe)
    row_ce, row = expand(st_first[ce_fe], st_count[ce_fe])
    start = st.start[row]
    end = st.end[row].copy()
    la = st.looked_after[row]
    birthday = b18[ce_child[row_ce]]
    keep = start < birthday
    row_ce, row, start, end, la, birthday = (
        row_ce[keep],
        row[keep],
        start[keep],
        end[keep],
        la[keep],
        birthday[keep],
    )
    cut = end >= birthday
    end = np.where(cut, np.where(la, birthday, birthday - 1), end)
    kept = np.bincount(row_ce, minlength=n_ce)
    aged_out = (kept < st_count[ce_fe]) | (np.bincount(row_ce, weights=cut, minlength=n_ce) > 0)
    # The child's last row.
    last_row = np.cumsum(kept) - 1
    cla_end = st.cla_end[row].copy()
    last_is_cut = np.zeros(row.size, dtype=np.bool_)
    last_is_cut[last_row[aged_out]] = True
    at18_codes = np.array([CLA_CEASED.index(c) for c, _ in codes.CEASED_AT_18], dtype=np.int64)
    at18 = at18_codes[codes.draw(rng, codes.CEASED_AT_18, row.size)]
    cla_end = np.where(last_is_cut & la, at18, cla_end)
    # Cut at today.
    end = np.where(end > today, OPEN, end)
    cla_end = np.where(end == OPEN, -1, cla_end)
    stages = ChildStages(
        ce=row_ce,
        kind=st.kind[row],
        start=start,
        end=end,
        pool=st.pool[row],
        looked_after=la,
        cp_plan=st.cp_plan[row],
        cin_plan=st.cin_plan[row],
        legal_change=st.legal_change[row],
        cla_end=cla_end,
    )

    close = np.where(aged_out, end[last_row], fe.close[ce_fe])
    close = np.where(close > today, OPEN, close)
    reason = np.where(
        aged_out, np.where(rng.random(n_ce) < 0.05, _RC6, _RC7), fe.close_reason[ce_fe]
    )
    reason = np.where(close == OPEN, -1, reason)
    episodes = ChildEpisodes(
        child=ce_child,
        fe=ce_fe,
        referral=fe.referral[ce_fe],
        close=close,
        close_reason=reason,
        nfa=fe.nfa[ce_fe] & ~aged_out,
        aged_out=aged_out,
    )

    # ---- plans and periods of care ----------------------------------------------------------
    cp_plans = _plans(stages, stages.cp_plan)
    cin_plans = _plans(stages, stages.cin_plan)
    periods = _plans(stages, stages.looked_after)
    cla_episodes = _cla_episodes(rng, stages, periods, today)

    # ---- care leavers -----------------------------------------------------------------------
    p_child = ce_child[periods.ce]
    p_b18 = b18[p_child]
    leaver = (
        episodes.aged_out[periods.ce] & (periods.end == p_b18) & (periods.end - periods.start >= 91)
    )
    li = np.flatnonzero(leaver)
    cl_child = p_child[li]
    cl_start = p_b18[li] + 1
    b21 = plus_years(dob[cl_child], 21)
    to_21 = rng.random(li.size) < profile.care_leaver_to_21
    early = cl_start + rng.integers(90, 1000, li.size)
    cl_end = np.where(to_21, b21 - 1, np.minimum(early, b21 - 1))
    started = cl_start <= today
    cl_end = np.where(cl_end > today, OPEN, cl_end)
    care_leavers = CareLeavers(
        child=cl_child[started], period=li[started], start=cl_start[started], end=cl_end[started]
    )

    # ---- allocation segments ----------------------------------------------------------------
    resolved = np.array([pool_of[int(x)] for x in range(max(pool_of) + 1)], dtype=np.int64)
    pool = resolved[stages.pool]
    new_seg = np.ones(pool.size, dtype=np.bool_)
    if pool.size > 1:
        new_seg[1:] = (stages.ce[1:] != stages.ce[:-1]) | (pool[1:] != pool[:-1])
    seg_first = np.flatnonzero(new_seg)
    seg_last = np.append(seg_first[1:] - 1, pool.size - 1).astype(np.int64)
    seg_ce = stages.ce[seg_first]
    seg_end = stages.end[seg_last]
    last_of_ce = np.ones(seg_first.size, dtype=np.bool_)
    if seg_first.size > 1:
        last_of_ce[:-1] = seg_ce[1:] != seg_ce[:-1]
    to_leaving_care = np.zeros(n_ce, dtype=np.bool_)
    to_leaving_care[periods.ce[care_leavers.period]] = True
    end_kind = np.where(
        seg_end == OPEN,
        END_OPEN,
        np.where(~last_of_ce | to_leaving_care[seg_ce], END_TRANSFER, END_CLOSED),
    )
    cw = Segments(
        child=ce_child[seg_ce],
        ce=seg_ce,
        pool=pool[seg_first],
        start=stages.start[seg_first],
        end=seg_end,
        end_kind=end_kind,
    )
    lc = care_leavers
    leaving = Segments(
        child=lc.child,
        ce=np.full(len(lc), -1, dtype=np.int64),
        pool=np.full(len(lc), pool_of[LEAVING_CARE], dtype=np.int64),
        start=lc.start,
        end=lc.end,
        end_kind=np.where(lc.end == OPEN, END_OPEN, END_CLOSED),
    )
    iro = Segments(
        child=ce_child[periods.ce],
        ce=periods.ce,
        pool=np.full(len(periods), IRO, dtype=np.int64),
        start=periods.start,
        end=periods.end,
        end_kind=np.where(periods.end == OPEN, END_OPEN, END_CLOSED),
    )
    segments = Segments(
        **{
            name: np.concatenate([getattr(cw, name), getattr(leaving, name), getattr(iro, name)])
            for name in ("child", "ce", "pool", "start", "end", "end_kind")
        }
    )

    # ---- events per child -----------------------------------------------------------------
    asm = demand.assessments
    a_ce, a_row = _event_rows(asm.fe, ce_fe, n_fe)
    a_keep = (asm.start[a_row] < b18[ce_child[a_ce]]) & (asm.start[a_row] <= today)
    enq = demand.enquiries
    e_ce, e_row = _event_rows(enq.fe, ce_fe, n_fe)
    e_keep = (enq.start[e_row] < b18[ce_child[e_ce]]) & (enq.start[e_row] <= today)
    e_ce, e_row = e_ce[e_keep], e_row[e_keep]
    pr = demand.proceedings
    p_ce, p_row = _event_rows(pr.fe, ce_fe, n_fe)
    p_first = np.where(pr.plo_start[p_row] >= 0, pr.plo_start[p_row], pr.issue_date[p_row])
    p_keep = (p_first < b18[ce_child[p_ce]]) & (p_first <= today)

    # Which S47/ICPC made each CP plan: same child episode, conference on the plan's start day.
    cp_plan_enquiry = np.full(len(cp_plans), -1, dtype=np.int64)
    if e_ce.size and len(cp_plans):
        key_enq = e_ce * 100_000_000 + np.where(enq.cp[e_row], enq.icpc_date[e_row], -1)
        order = np.argsort(key_enq, kind="stable")
        sorted_keys = key_enq[order]
        key_plan = cp_plans.ce * 100_000_000 + cp_plans.start
        pos = np.minimum(np.searchsorted(sorted_keys, key_plan), order.size - 1)
        cp_plan_enquiry = np.where(sorted_keys[pos] == key_plan, order[pos], -1).astype(np.int64)

    return Casework(
        child_dob=dob,
        child_family=demand.child_family,
        child_b18=b18,
        episodes=episodes,
        stages=stages,
        cp_plans=cp_plans,
        cin_plans=cin_plans,
        periods=periods,
        cla_episodes=cla_episodes,
        care_leavers=care_leavers,
        segments=segments,
        assessment_rows=(a_ce[a_keep], a_row[a_keep]),
        enquiry_rows=(e_ce, e_row),
        proceedings_rows=(p_ce[p_keep], p_row[p_keep]),
        cp_plan_enquiry=cp_plan_enquiry,
    )


def _plans(stages: ChildStages, flag: BoolArray) -> Plans:
    first, last = runs(flag, stages.ce)
    return Plans(
        ce=stages.ce[first],
        start=stages.start[first],
        end=stages.end[last],
        pool=stages.pool[first],
        ceased=stages.cla_end[last],
    )


def _cla_episodes(
    rng: np.random.Generator, stages: ChildStages, periods: Plans, today: int
) -> ClaEpisodes:
    """Split each period of care into SSDA903-style episodes: a new episode at each change of
    legal status and at each placement move. Consecutive episodes share a day: one ceases (X1)
    on the day the next starts."""
    n = len(periods)
    # Changes of legal status: looked-after rows (other than a period's first) flagged as such.
    first, _ = runs(stages.looked_after, stages.ce)
    is_first = np.zeros(stages.looked_after.size, dtype=np.bool_)
    is_first[first] = True
    period_of_row = np.cumsum(is_first) - 1
    legal = np.flatnonzero(stages.looked_after & stages.legal_change & ~is_first)
    legal_period = period_of_row[legal]
    legal_day = stages.start[legal]
    # Placement moves: about 0.45 a year [A] (la_cla_placement_stability: about 1 in 10 children
    # looked after had 3 or more placements in a year).
    horizon = np.where(periods.end == OPEN, today, periods.end)
    length = np.maximum(horizon - periods.start, 0)
    moves = rng.poisson(0.45 * length / 365.25)
    move_period = np.repeat(np.arange(n, dtype=np.int64), moves)
    move_day = periods.start[move_period] + np.floor(
        rng.random(move_period.size) * length[move_period]
    ).astype(np.int64)
    bp_period = np.concatenate([legal_period, move_period])
    bp_day = np.concatenate([legal_day, move_day])
    bp_legal = np.concatenate(
        [np.ones(legal.size, dtype=np.bool_), np.zeros(move_period.size, dtype=np.bool_)]
    )
    inside = (bp_day > periods.start[bp_period]) & (bp_day < horizon[bp_period])
    bp_period, bp_day, bp_legal = bp_period[inside], bp_day[inside], bp_legal[inside]
    order = np.lexsort((~bp_legal, bp_day, bp_period))
    bp_period, bp_day, bp_legal = bp_period[order], bp_day[order], bp_legal[order]
    dup = np.zeros(bp_day.size, dtype=np.bool_)
    if bp_day.size > 1:
        dup[1:] = (bp_period[1:] == bp_period[:-1]) & (bp_day[1:] == bp_day[:-1])
    bp_period, bp_day, bp_legal = bp_period[~dup], bp_day[~dup], bp_legal[~dup]

    ep_period = np.concatenate([np.arange(n, dtype=np.int64), bp_period])
    ep_start = np.concatenate([periods.start, bp_day])
    reason_legal = np.array([1, 4, 5], dtype=np.int64)[
        rng.choice(3, size=bp_day.size, p=[0.75, 0.15, 0.10])
    ]
    reason_move = np.where(rng.random(bp_day.size) < 0.85, 2, 3)
    ep_reason = np.concatenate(
        [np.zeros(n, dtype=np.int64), np.where(bp_legal, reason_legal, reason_move)]
    )
    order = np.lexsort((ep_start, ep_period))
    ep_period, ep_start, ep_reason = ep_period[order], ep_start[order], ep_reason[order]
    last = np.ones(ep_period.size, dtype=np.bool_)
    if ep_period.size > 1:
        last[:-1] = ep_period[1:] != ep_period[:-1]
    nxt_start = np.append(ep_start[1:], 0).astype(np.int64)
    ceased = np.where(last, periods.end[ep_period], nxt_start)
    ceased_reason = np.where(last, periods.ceased[ep_period], -2)
    ceased_reason = np.where(last & (periods.end[ep_period] == OPEN), -1, ceased_reason)
    return ClaEpisodes(
        period=ep_period,
        start=ep_start,
        ceased=ceased,
        start_reason=ep_reason,
        ceased_reason=ceased_reason,
    )
