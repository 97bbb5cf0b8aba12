"""Allocating children to workers: the involvements (ssd_involvements).

One pass over the dated events of the whole run (segment starts and ends, workers joining,
leaving, going on and coming back from maternity leave), in date order. Each allocation pool
(the practice team type responsible for the child's stage; family help practitioners;
independent reviewing officers) keeps a heap of its workers keyed by children held per unit of
capacity, so each allocation costs O(log n). A child joins a sibling's worker where one is held in
the same pool. A sliver of allocations go to the team manager (cases held by managers).

Involvements are inclusive ``[start, end]``; a child's next allocation starts the day after the
previous one ends. The reason a worker's involvement ended is on that involvement: ``TRANSFER``
(the case moved to another team), ``CASE_CLOSED``, ``WORKER_LEFT`` (the worker left or moved team)
or ``WORKER_ABSENT`` (maternity leave); empty while open.
"""

from __future__ import annotations

import heapq
from dataclasses import dataclass

import numpy as np

from caseloads.synthetic.absence import MAT, Absences
from caseloads.synthetic.casework import END_TRANSFER, Segments
from caseloads.synthetic.dates import NA, OPEN, FloatArray, IntArray
from caseloads.synthetic.demand import Columns
from caseloads.synthetic.establishment import IRO_ROLE, SP, SW, TM
from caseloads.synthetic.profile import CouncilProfile
from caseloads.synthetic.teams import CIN_CP, FAMILY_HELP, IRO, MANAGEMENT, PRACTICE_TYPES, Team
from caseloads.synthetic.workforce import Workforce

REASON_TEXT = ("", "TRANSFER", "CASE_CLOSED", "WORKER_LEFT", "WORKER_ABSENT")
R_OPEN, R_TRANSFER, R_CLOSED, R_LEFT, R_ABSENT = range(5)
MANAGER_POOL = -1

# Event priorities on the same day (boundary before day t).
_SEG_END, _HOLDER_OFF, _HOLDER_ON, _CAPACITY, _SEG_START = range(5)


@dataclass
class Holders(Columns):
    """Stretches of time a professional can hold cases in one team (an availability interval)."""

    person: IntArray
    team: IntArray
    pool: IntArray  # allocation pool, or MANAGER_POOL for team managers
    start: IntArray
    end: IntArray
    capacity: FloatArray
    off_reason: IntArray  # R_LEFT or R_ABSENT
    full_from: IntArray  # day an ASYE's capacity becomes full (NA if not applicable)
    full_capacity: FloatArray  # capacity from ``full_from``


@dataclass
class Involvements(Columns):
    segment: IntArray
    person: IntArray
    team: IntArray
    start: IntArray
    end: IntArray
    reason: IntArray  # index into REASON_TEXT


def family_help_people(
    teams: list[Team], stock: float, profile: CouncilProfile, first_index: int
) -> tuple[IntArray, IntArray]:
    """Family help practitioners (not social workers): (person index, team), spread over the
    CIN/CP teams (or the first practice teams if there are none)."""
    hosts = [t.index for t in teams if t.team_type == CIN_CP] or [
        t.index for t in teams if t.team_type in PRACTICE_TYPES
    ]
    n = max(1, int(np.ceil(stock / profile.family_help_caseload))) if stock > 0 else 0
    person = np.arange(first_index, first_index + n, dtype=np.int64)
    team = np.array([hosts[i % len(hosts)] for i in range(n)], dtype=np.int64)
    return person, team


def build_holders(
    profile: CouncilProfile,
    workforce: Workforce,
    teams: list[Team],
    absences: Absences,
    family_help: tuple[IntArray, IntArray],
    start: int,
) -> Holders:
    """Availability intervals from staff.csv rows (case holders, team managers, IROs), less
    maternity leave, plus the family help practitioners (there throughout)."""
    team_type = [t.team_type for t in teams]
    rows: list[tuple[int, int, int, int, int, float, int, float]] = []
    p = profile
    for a in sorted(workforce.assignments, key=lambda x: (x.worker, x.start)):
        if a.end < a.start:
            continue
        tt = team_type[a.team]
        if a.role in (SW, SP) and tt != MANAGEMENT:
            pool = tt
            cap = a.fte * (p.senior_practitioner_capacity if a.role == SP else 1.0)
        elif a.role == TM and tt != MANAGEMENT:
            pool, cap = MANAGER_POOL, 0.0
        elif a.role == IRO_ROLE:
            pool, cap = IRO, a.fte
        else:
            continue
        worker = workforce.workers[a.worker]
        asye_full = worker.asye_start + 365 if worker.asye_start != NA else NA
        if a.role == SW and asye_full != NA and a.start < asye_full:
            cap_now, full = cap * p.asye_capacity, asye_full
        else:
            cap_now, full = cap, NA
        prev = rows[-1] if rows else None
        if (
            prev is not None
            and prev[0] == a.worker
            and prev[1] == a.team
            and prev[2] == pool
            and prev[4] + 1 == a.start
        ):
            # Same team, no gap (promotion, contract change): the cases stay. The capacity of
            # the new role applies from the next change of load.
            rows[-1] = (prev[0], prev[1], prev[2], prev[3], a.end, prev[5], prev[6], cap)
        else:
            rows.append((a.worker, a.team, pool, a.start, a.end, cap_now, full, cap))
    # Maternity leave: the worker hands their cases on and takes new ones on return. Each spell
    # splits the interval it starts in (intervals are few: a loop over plain lists).
    table: list[list[float]] = [[float(r[k]) for r in rows] for k in range(8)]
    table.append([float(R_LEFT)] * len(rows))
    mat = absences.reason == MAT
    cut_person, cut_start, cut_end = absences.worker[mat], absences.start[mat], absences.end[mat]
    if cut_person.size:
        for i in range(cut_person.size):
            w, s0, e0 = int(cut_person[i]), int(cut_start[i]), int(cut_end[i])
            for j in range(len(table[0])):
                if table[0][j] != w or table[2][j] == MANAGER_POOL:
                    continue
                if not (table[3][j] < s0 <= table[4][j]):
                    continue
                old_end, old_reason = table[4][j], table[8][j]
                table[4][j], table[8][j] = float(s0 - 1), float(R_ABSENT)
                if e0 < old_end:
                    row = [c[j] for c in table]
                    row[3], row[4], row[8] = float(e0 + 1), old_end, old_reason
                    for c, v in zip(table, row, strict=True):
                        c.append(v)
                break
    h_person, h_team, h_pool, h_start, h_end = (
        np.array(table[k], dtype=np.int64) for k in range(5)
    )
    capacity = np.array(table[5], dtype=np.float64)
    full_from = np.array(table[6], dtype=np.int64)
    full_cap = np.array(table[7], dtype=np.float64)
    reason = np.array(table[8], dtype=np.int64)

    fh_person, fh_team = family_help
    k = fh_person.size
    return Holders(
        person=np.concatenate([h_person, fh_person]),
        team=np.concatenate([h_team, fh_team]),
        pool=np.concatenate([h_pool, np.full(k, FAMILY_HELP, dtype=np.int64)]),
        start=np.concatenate([h_start, np.full(k, start - 3650, dtype=np.int64)]),
        end=np.concatenate([h_end, np.full(k, OPEN, dtype=np.int64)]),
        capacity=np.concatenate([capacity, np.ones(k, dtype=np.float64)]),
        off_reason=np.concatenate([reason, np.full(k, R_LEFT, dtype=np.int64)]),
        full_from=np.concatenate([full_from, np.full(k, NA, dtype=np.int64)]),
        full_capacity=np.concatenate([full_cap, np.ones(k, dtype=np.float64)]),
    )


class _Engine:
    """The allocation state while the events are replayed."""

    def __init__(
        self,
        segments: Segments,
        family: IntArray,
        holders: Holders,
        n_people: int,
        manager_draw: FloatArray,
        manager_probability: float,
        today: int,
    ) -> None:
        self.seg = segments
        self.seg_pool = segments.pool.tolist()
        self.family = family.tolist()
        self.holders = holders
        self.manager_draw = manager_draw.tolist()
        self.p_manager = manager_probability
        self.today = today
        n_seg = len(segments)
        self.seg_person = [-1] * n_seg
        self.seg_since = [0] * n_seg
        self.seg_waiting = [False] * n_seg
        self.load = [0] * n_people
        self.capacity = [1.0] * n_people
        self.pool_of = [-2] * n_people  # pool the person is active in (-2: none)
        self.team_of = [-1] * n_people
        self.version = [0] * n_people
        self.held: list[dict[int, None]] = [{} for _ in range(n_people)]
        self.heaps: dict[int, list[tuple[float, int, int]]] = {}
        self.members: dict[int, int] = {}
        self.waiting: dict[int, list[int]] = {}
        self.managers: dict[int, dict[int, None]] = {}  # team -> its active team managers
        self.fam: dict[tuple[int, int], dict[int, int]] = {}
        self.out: list[tuple[int, int, int, int, int, int]] = []

    # -- heaps -----------------------------------------------------------------------------------
    def _push(self, person: int) -> None:
        pool = self.pool_of[person]
        if pool < 0:
            return
        self.version[person] += 1
        cap = self.capacity[person]
        key = self.load[person] / cap if cap > 0 else 1e9
        heap = self.heaps.setdefault(pool, [])
        heapq.heappush(heap, (key, person, self.version[person]))
        if len(heap) > 2048 and len(heap) > 16 * max(1, self.members.get(pool, 0)):
            fresh = [e for e in heap if e[2] == self.version[e[1]] and self.pool_of[e[1]] == pool]
            heapq.heapify(fresh)
            self.heaps[pool] = fresh

    def _least_loaded(self, pool: int) -> int:
        heap = self.heaps.get(pool)
        while heap:
            _, person, version = heap[0]
            if version == self.version[person] and self.pool_of[person] == pool:
                return person
            heapq.heappop(heap)
        return -1

    # -- allocation ------------------------------------------------------------------------------
    def allocate(self, s: int, t: int) -> None:
        if t > self.today:
            return
        pool = self.seg_pool[s]
        fam_key = (self.family[s], pool)
        person = -1
        siblings = self.fam.get(fam_key)
        if siblings:
            for candidate in siblings:
                if self.team_of[candidate] >= 0:
                    person = candidate
                    break
        if person < 0:
            person = self._least_loaded(pool)
            if (
                person >= 0
                and pool not in (FAMILY_HELP, IRO)
                and self.manager_draw[s] < self.p_manager
            ):
                managers = self.managers.get(self.team_of[person])
                if managers:
                    person = next(iter(managers))
        if person < 0:
            self.seg_waiting[s] = True
            self.waiting.setdefault(pool, []).append(s)
            return
        self.seg_person[s] = person
        self.seg_since[s] = t
        self.held[person][s] = None
        self.load[person] += 1
        self._push(person)
        counts = self.fam.setdefault(fam_key, {})
        counts[person] = counts.get(person, 0) + 1

    def release(self, s: int, last_day: int, reason: int) -> None:
        if self.seg_waiting[s]:
            self.seg_waiting[s] = False
            queue = self.waiting.get(self.seg_pool[s], [])
            if s in queue:
                queue.remove(s)
            return
        person = self.seg_person[s]
        if person < 0:
            return
        self.out.append((s, person, self.team_of[person], self.seg_since[s], last_day, reason))
        self.seg_person[s] = -1
        del self.held[person][s]
        self.load[person] -= 1
        self._push(person)
        fam_key = (self.family[s], self.seg_pool[s])
        counts = self.fam[fam_key]
        counts[person] -= 1
        if counts[person] == 0:
            del counts[person]
            if not counts:
                del self.fam[fam_key]

    def holder_off(self, x: int, t: int) -> list[int]:
        h = self.holders
        person = int(h.person[x])
        pool = self.pool_of[person]
        if pool == MANAGER_POOL:
            self.managers.get(self.team_of[person], {}).pop(person, None)
        elif pool >= 0:
            self.members[pool] = self.members.get(pool, 1) - 1
        reason = int(h.off_reason[x])
        moved = list(self.held[person])
        for s in moved:
            self.release(s, t - 1, reason)
        self.pool_of[person] = -2
        self.version[person] += 1
        self.team_of[person] = -1
        return moved

    def holder_on(self, x: int, t: int) -> None:
        h = self.holders
        person = int(h.person[x])
        pool = int(h.pool[x])
        self.pool_of[person] = pool
        self.team_of[person] = int(h.team[x])
        self.capacity[person] = float(h.capacity[x])
        if pool == MANAGER_POOL:
            self.managers.setdefault(int(h.team[x]), {})[person] = None
            return
        self.members[pool] = self.members.get(pool, 0) + 1
        self._push(person)
        for s in self.waiting.pop(pool, []):
            self.seg_waiting[s] = False
            self.allocate(s, t)

    def full_capacity(self, x: int) -> None:
        h = self.holders
        person = int(h.person[x])
        if self.pool_of[person] >= 0 and self.team_of[person] == int(h.team[x]):
            self.capacity[person] = float(h.full_capacity[x])
            self._push(person)

    def still_held(self) -> None:
        for person, held in enumerate(self.held):
            for s in held:
                self.out.append((s, person, self.team_of[person], self.seg_since[s], OPEN, R_OPEN))


def allocate(
    rng: np.random.Generator,
    profile: CouncilProfile,
    segments: Segments,
    child_family: IntArray,
    holders: Holders,
    sim_start: int,
    today: int,
) -> Involvements:
    """Replay every segment and holder event from ``sim_start`` to ``today`` and return the
    involvements. A segment already running at ``sim_start`` is allocated then; its involvement
    start is moved back to when both the case stage and the worker's time in the team began."""
    seg, h = segments, holders
    n_people = int(h.person.max()) + 1 if len(h) else 1
    family = child_family[seg.child]
    engine = _Engine(
        seg,
        family,
        h,
        n_people,
        rng.random(len(seg)),
        profile.manager_allocation_probability,
        today,
    )
    seg_t0 = np.maximum(seg.start, sim_start)
    starts = (seg.end >= sim_start) & (seg_t0 <= today)
    ends = starts & (seg.end <= today)
    h_live = (h.end >= sim_start) & (h.start <= today)
    h_on = np.maximum(h.start, sim_start)
    h_off = h_live & (h.end <= today)
    full = (
        h_live
        & (h.full_from != NA)
        & (h.full_from > h_on)
        & (h.full_from <= np.minimum(h.end, today))
    )
    groups = (
        (seg.end[ends] + 1, _SEG_END, np.flatnonzero(ends)),
        (h.end[h_off] + 1, _HOLDER_OFF, np.flatnonzero(h_off)),
        (h_on[h_live], _HOLDER_ON, np.flatnonzero(h_live)),
        (h.full_from[full], _CAPACITY, np.flatnonzero(full)),
        (seg_t0[starts], _SEG_START, np.flatnonzero(starts)),
    )
    t = np.concatenate([g[0] for g in groups])
    prio = np.concatenate([np.full(g[2].size, g[1], dtype=np.int64) for g in groups])
    target = np.concatenate([g[2] for g in groups])
    order = np.lexsort((target, prio, t))
    end_kind = seg.end_kind.tolist()
    pending: list[int] = []
    pending_day = -1
    for day_, kind, x in zip(
        t[order].tolist(), prio[order].tolist(), target[order].tolist(), strict=True
    ):
        if pending and (day_ != pending_day or kind == _SEG_START):
            for s in pending:
                engine.allocate(s, pending_day)
            pending = []
        if kind == _SEG_END:
            engine.release(x, day_ - 1, R_TRANSFER if end_kind[x] == END_TRANSFER else R_CLOSED)
        elif kind == _HOLDER_OFF:
            pending.extend(engine.holder_off(x, day_))
            pending_day = day_
        elif kind == _HOLDER_ON:
            engine.holder_on(x, day_)
        elif kind == _CAPACITY:
            engine.full_capacity(x)
        else:
            engine.allocate(x, day_)
    for s in pending:
        engine.allocate(s, pending_day)
    engine.still_held()

    out = np.array(engine.out, dtype=np.int64).reshape(-1, 6)
    inv = Involvements(
        segment=out[:, 0].copy(),
        person=out[:, 1].copy(),
        team=out[:, 2].copy(),
        start=out[:, 3].copy(),
        end=out[:, 4].copy(),
        reason=out[:, 5].copy(),
    )
    # Back-date allocations made at ``sim_start`` to when the stage and the worker's stretch in
    # the team both began.
    clipped = (inv.start == sim_start) & (seg.start[inv.segment] < sim_start)
    if clipped.any():
        began = _holder_start(h, inv.person[clipped], sim_start)
        inv.start[clipped] = np.maximum(seg.start[inv.segment[clipped]], began)
    order = np.lexsort((inv.start, seg.child[inv.segment]))
    inv.take(order)
    return inv


def _holder_start(h: Holders, person: IntArray, on: int) -> IntArray:
    """When each person's availability interval covering day ``on`` began."""
    covering = (h.start <= on) & (h.end >= on)
    first = np.full(int(h.person.max()) + 1, on, dtype=np.int64)
    np.minimum.at(first, h.person[covering], h.start[covering])
    return first[person]
