"""The social work workforce over time: who fills each post, who leaves, who covers vacancies.

An event simulation over the establishment (a heap of dated events; a few hundred a year for a
council). Directly employed workers leave at a yearly hazard by role; some departures are moves
to a vacant post in another team instead. A vacancy is re-advertised in recruitment rounds of two to
six months until an appointment is made; meanwhile an agency worker usually covers it. An
appointment may convert the agency worker, promote someone from inside, or bring in a new
worker (a share of social workers newly qualified, starting their ASYE). The restructure moves the
holders of ended posts into their successor posts.
"""

from __future__ import annotations

import heapq
from dataclasses import dataclass, field

import numpy as np

from caseloads.synthetic import codes
from caseloads.synthetic.dates import NA, OPEN, to_date
from caseloads.synthetic.establishment import CASE_HOLDING_ROLES, ROLE_NAME, SP, SW, TM, Posts
from caseloads.synthetic.profile import CouncilProfile
from caseloads.synthetic.teams import Team

PERMANENT, FIXED_TERM, AGENCY = "permanent", "fixed_term", "agency"
DIRECT = (PERMANENT, FIXED_TERM)

# Event kinds, in the order they are handled on the same day.
POST_CLOSE, LEAVE, FT_END, AGENCY_END, POST_OPEN, ROUND, AGENCY_START, PRESSURE, EXTRA_START = (
    range(9)
)
LEAVE_TICK, MOVE_TICK = 9, 10


@dataclass(frozen=True)
class Pressure:
    """What the council watches to bring in (or let go) agency workers over establishment.

    ``stock[team_type][d - first]`` is the number of children needing a social worker of that team
    type on day ``d`` (from ``first`` to ``last``); the council keeps children per case-holding FTE
    within ``low``..``high``. It books cover against the peak of the next ``lead_days`` and lets
    workers go only if caseloads stay low for the next ``release_days`` (it plans for the seasons:
    it does not shed staff for the Christmas lull).
    """

    first: int
    last: int
    stock: dict[int, np.ndarray]
    low: float
    high: float
    target: float
    every_days: int = 7
    lead_days: int = 14
    release_days: int = 60

    def total_ahead(self, days: int) -> np.ndarray:
        """For each day, the highest total stock over that day and the next ``days``."""
        total = np.sum(np.vstack(list(self.stock.values())), axis=0).astype(np.float64)
        padded = np.concatenate([total, np.full(days, total[-1])])
        windows = np.lib.stride_tricks.sliding_window_view(padded, days + 1)
        return np.asarray(windows.max(axis=1), dtype=np.float64)


@dataclass
class Worker:
    """A registered social worker, directly employed or agency."""

    index: int
    dob: int
    gender: int  # CSWW GenderCurrent: 1 male, 2 female, 9 not specified
    ethnicity: str
    qual_level: int
    step_up: bool
    frontline: bool
    qualified: int
    asye_start: int  # NA unless they did their ASYE here
    start_origin: str  # CSWW StartOrigin of their (latest) direct appointment


@dataclass
class Assignment:
    """One row of staff.csv: a worker in one post/team/role/contract for a stretch of days."""

    worker: int
    post: int  # -1 when not in a budgeted post
    team: int
    role: int
    contract: str
    fte: float
    start: int
    end: int = OPEN
    leaving_reason: str = ""
    destination: str = ""


@dataclass
class Round:
    """One recruitment round for a vacant post (for the recruitment pipeline)."""

    post: int
    start: int
    end: int
    appointed: bool
    worker: int = -1
    contract: str = PERMANENT


@dataclass
class AgencyEngagement:
    post: int  # -1 for a worker over establishment
    team: int
    role: int
    worker: int
    requested: int  # the day the council asked the agency
    start: int


@dataclass
class Workforce:
    workers: list[Worker]
    assignments: list[Assignment]
    rounds: list[Round]
    agency: list[AgencyEngagement] = field(default_factory=list)
    #: Recruitment rounds still running at the horizon: (post, round start).
    open_rounds: list[tuple[int, int]] = field(default_factory=list)


class _Simulation:
    def __init__(
        self,
        rng: np.random.Generator,
        profile: CouncilProfile,
        posts: Posts,
        teams: list[Team],
        start: int,
        horizon: int,
        pressure: Pressure | None = None,
    ) -> None:
        self.rng = rng
        self.pressure = pressure
        self.extra: dict[int, None] = {}  # assignments of agency workers over establishment
        self.noticed: dict[int, None] = {}  # extra agency assignments given notice
        self.booked: list[int] = []  # team types of extra agency workers booked, not yet started
        if pressure is not None:
            self._book_peak = pressure.total_ahead(pressure.lead_days)
            self._release_peak = pressure.total_ahead(pressure.release_days)
        self.p = profile
        self.posts = posts
        self.teams = teams
        self.start = start
        self.horizon = horizon
        n = len(posts)
        self.holder = [-1] * n  # assignment index of the directly employed holder
        self.agency = [-1] * n  # assignment index of the agency worker covering
        self.vacant = [False] * n
        self.post_token = [0] * n
        self.round_start = [0] * n
        self.workers: list[Worker] = []
        self.assignments: list[Assignment] = []
        self.current: list[int] = []  # per worker: current assignment index, -1 when gone
        self.worker_token: list[int] = []
        self.rounds: list[Round] = []
        self.engagements: list[AgencyEngagement] = []
        self.events: list[tuple[int, int, int, int, int]] = []
        self.seq = 0
        eth = codes.WORKER_ETHNICITY
        self._eth_codes = [c for c, _ in eth]
        self._eth_p = codes.weights(eth)
        self._reason_codes = [c for c, _ in codes.REASON_LEAVE]
        self._reason_p = codes.weights(codes.REASON_LEAVE)
        self._origin_codes = [c for c, _ in codes.START_ORIGIN]
        self._origin_p = codes.weights(codes.START_ORIGIN)

    # -- events ------------------------------------------------------------------------------------
    def push(self, t: int, kind: int, target: int, token: int) -> None:
        if t > self.horizon:
            return
        self.seq += 1
        heapq.heappush(self.events, (t, kind, self.seq, target, token))

    def run(self) -> Workforce:
        self._initial_state()
        for p in range(len(self.posts)):
            if self.posts.start[p] > self.start:
                self.push(int(self.posts.start[p]), POST_OPEN, p, 0)
            if self.posts.end[p] != OPEN:
                self.push(int(self.posts.end[p]), POST_CLOSE, p, 0)
        if self.pressure is not None:
            self.push(self.pressure.first + 30, PRESSURE, 0, 0)
        self.push(self.start + 1, LEAVE_TICK, 0, 0)
        self.push(self.start + 20, MOVE_TICK, 0, 0)
        while self.events:
            t, kind, _, target, token = heapq.heappop(self.events)
            if kind == LEAVE_TICK:
                self._on_leave_tick(t)
            elif kind == MOVE_TICK:
                self._on_move_tick(t)
            elif kind == PRESSURE:
                self._on_pressure(t)
            elif kind == EXTRA_START:
                self._on_extra_start(t, target)
            elif kind == FT_END:
                self._on_fixed_term_end(t, target, token)
            elif kind == ROUND:
                self._on_round(t, target, token)
            elif kind == AGENCY_START:
                self._on_agency_start(t, target, token)
            elif kind == AGENCY_END:
                self._on_agency_end(t, target, token)
            elif kind == POST_OPEN:
                self._on_post_open(t, target)
            elif kind == POST_CLOSE:
                self._on_post_close(t, target)
        open_rounds = [(p, self.round_start[p]) for p in range(len(self.posts)) if self.vacant[p]]
        return Workforce(self.workers, self.assignments, self.rounds, self.engagements, open_rounds)

    # -- people ------------------------------------------------------------------------------------
    def _new_worker(self, start: int, role: int, *, newly_qualified: bool, agency: bool) -> int:
        rng = self.rng
        if newly_qualified:
            age = rng.uniform(22.0, 36.0)
            qualified = start - int(rng.integers(20, 150))
        else:
            age = rng.uniform(27.0 if role in CASE_HOLDING_ROLES else 32.0, 60.0)
            years = rng.uniform(3.0 if agency or role != SW else 1.0, max(age - 24.0, 3.5))
            qualified = start - int(years * 365.25)
        index = len(self.workers)
        female = rng.random() < 0.84
        gender = 9 if rng.random() < 0.015 else (2 if female else 1)
        worker = Worker(
            index=index,
            dob=start - int(age * 365.25),
            gender=gender,
            ethnicity=self._eth_codes[int(rng.choice(len(self._eth_codes), p=self._eth_p))],
            qual_level=int(rng.choice([1, 2, 3], p=[0.55, 0.43, 0.02])),
            step_up=bool(rng.random() < 0.03),
            frontline=bool(rng.random() < (0.15 if newly_qualified else 0.04)),
            qualified=qualified,
            asye_start=start if newly_qualified else NA,
            start_origin="1" if newly_qualified else self._origin(),
        )
        self.workers.append(worker)
        self.current.append(-1)
        self.worker_token.append(0)
        return index

    def _origin(self) -> str:
        return self._origin_codes[int(self.rng.choice(len(self._origin_codes), p=self._origin_p))]

    def _assign(
        self,
        worker: int,
        post: int,
        contract: str,
        start: int,
        role: int = -1,
        team: int = -1,
        fte: float = -1.0,
    ) -> int:
        ps = self.posts
        a = Assignment(
            worker=worker,
            post=post,
            team=int(ps.team[post]) if post >= 0 else team,
            role=int(ps.role[post]) if post >= 0 else role,
            contract=contract,
            fte=float(ps.fte[post]) if post >= 0 else fte,
            start=start,
        )
        self.assignments.append(a)
        index = len(self.assignments) - 1
        self.current[worker] = index
        return index

    def _end(self, assignment: int, last_day: int, reason: str = "", destination: str = "") -> None:
        a = self.assignments[assignment]
        a.end = last_day
        a.leaving_reason = reason
        a.destination = destination

    def _schedule_leave(self, worker: int, from_day: int) -> None:
        """Departures come from the council-wide leaving clock (:meth:`_on_leave_tick`); here only
        the end of a fixed-term contract is scheduled."""
        a = self.assignments[self.current[worker]]
        self.worker_token[worker] += 1
        if a.contract == FIXED_TERM and not self.posts.temporary[a.post]:
            ft = int(self.rng.integers(365, 731))
            self.push(from_day + ft, FT_END, worker, self.worker_token[worker])

    def _direct_people(self, t: int, case_holders_only: bool) -> tuple[list[int], list[float]]:
        """Directly employed workers in post for 60 days or more, with their leaving hazards."""
        people: list[int] = []
        weight: list[float] = []
        for worker, a_index in enumerate(self.current):
            if a_index < 0:
                continue
            a = self.assignments[a_index]
            if a.contract == AGENCY or t - a.start < 60:
                continue
            if case_holders_only and a.role not in CASE_HOLDING_ROLES:
                continue
            people.append(worker)
            weight.append(self.p.leave_hazard_for(_role_name(a.role)))
        return people, weight

    def _on_leave_tick(self, t: int) -> None:
        """One leaver: a directly employed worker drawn in proportion to their role's leaving
        hazard. Ticks come at the rate of the summed hazards, so the number leaving each year is
        steady (as a council's turnover is) while who leaves is random."""
        people, weight = self._direct_people(t, case_holders_only=False)
        total = sum(weight)
        if total <= 0:
            self.push(t + 30, LEAVE_TICK, 0, 0)
            return
        w = np.array(weight, dtype=np.float64)
        worker = people[int(self.rng.choice(len(people), p=w / total))]
        self._leave(worker, self.current[worker], t)
        gap = 365.25 / total * self.rng.uniform(0.85, 1.15)
        self.push(t + max(1, round(gap)), LEAVE_TICK, 0, 0)

    def _on_move_tick(self, t: int) -> None:
        """One internal move: a social worker or senior practitioner takes a vacant post of the
        same role in another team (if there is one)."""
        people, _ = self._direct_people(t, case_holders_only=True)
        if people:
            worker = people[int(self.rng.integers(0, len(people)))]
            a_index = self.current[worker]
            a = self.assignments[a_index]
            target = self._vacant_post(a.role, exclude_team=a.team)
            if target >= 0:
                self._move(worker, a_index, target, t)
        rate = self.p.internal_move_rate * max(len(people), 1)
        self.push(t + max(1, round(365.25 / rate * self.rng.uniform(0.5, 1.5))), MOVE_TICK, 0, 0)

    # -- initial state -----------------------------------------------------------------------------
    def _initial_state(self) -> None:
        rng, ps = self.rng, self.posts
        for p in range(len(ps)):
            if not (ps.start[p] <= self.start <= ps.end[p]):
                continue
            role = int(ps.role[p])
            if rng.random() < 0.87:
                hazard = self.p.leave_hazard_for(_role_name(role))
                served = min(int(rng.exponential(365.25 / hazard)), 25 * 365)
                begun = self.start - served - 1
                nq = role == SW and served < 365 and rng.random() < self.p.asye_share * 2
                w = self._new_worker(begun, role, newly_qualified=nq, agency=False)
                self.holder[p] = self._assign(w, p, PERMANENT, max(begun, int(ps.start[p])))
                self._schedule_leave(w, self.start)
            else:
                since = self.start - int(rng.integers(0, 150))
                self.vacant[p] = True
                self.round_start[p] = since
                self.post_token[p] += 1
                self.push(self.start + int(rng.integers(1, 180)), ROUND, p, self.post_token[p])
                if rng.random() < self._cover_probability(role):
                    begun = since + int(rng.integers(*self.p.agency_start_days))
                    self._agency_starts(p, min(begun, self.start), since)

    # -- vacancies ---------------------------------------------------------------------------------
    def _cover_probability(self, role: int) -> float:
        if role in CASE_HOLDING_ROLES:
            return self.p.agency_cover_case_holder
        return self.p.agency_cover_manager

    def _open_vacancy(self, post: int, t: int) -> None:
        ps = self.posts
        if t > ps.end[post] or t < ps.start[post]:
            return
        self.holder[post] = -1
        self.vacant[post] = True
        self.round_start[post] = t
        self.post_token[post] += 1
        self._schedule_round(post, t)
        if self.agency[post] < 0 and self._cover_wanted(t, int(ps.role[post])):
            delay = int(self.rng.integers(*self.p.agency_start_days))
            self.push(t + delay, AGENCY_START, post, self.post_token[post])

    def _schedule_round(self, post: int, t: int) -> None:
        lo, hi = self.p.recruitment_round_days
        self.round_start[post] = t
        self.push(t + int(self.rng.integers(lo, hi + 1)), ROUND, post, self.post_token[post])

    def _fill(self, post: int, t: int) -> None:
        """The post is filled from day ``t``: end the agency cover, stop recruiting."""
        self.vacant[post] = False
        self.post_token[post] += 1
        cover = self.agency[post]
        if cover >= 0:
            a = self.assignments[cover]
            self.agency[post] = -1
            if a.start >= t:
                a.end = a.start  # never really started: a one-day booking, ended at once
            else:
                self._end(cover, t - 1)
            self.worker_token[a.worker] += 1
            self.current[a.worker] = -1

    def _on_round(self, t: int, post: int, token: int) -> None:
        if token != self.post_token[post] or not self.vacant[post] or t > self.posts.end[post]:
            return
        rng, ps = self.rng, self.posts
        if rng.random() >= self.p.recruitment_success:
            self.rounds.append(Round(post, self.round_start[post], t, appointed=False))
            self._schedule_round(post, t)
            return
        role = int(ps.role[post])
        contract = (
            FIXED_TERM
            if (ps.temporary[post] or rng.random() < self.p.fixed_term_share)
            else PERMANENT
        )
        cover = self.agency[post]
        if cover >= 0 and rng.random() < self.p.agency_conversion:
            w = self.assignments[cover].worker
            self.agency[post] = -1
            self._end(cover, t - 1)
            self._fill(post, t)
            self.holder[post] = self._assign(w, post, contract, t)
            self.workers[w].start_origin = "4"
        else:
            w = self._internal_candidate(post) if role in (SP, TM) else -1
            if w >= 0 and rng.random() < self.p.internal_promotion_share:
                old = self.current[w]
                old_post = self.assignments[old].post
                self._end(old, t - 1)
                self._fill(post, t)
                self.holder[post] = self._assign(w, post, self.assignments[old].contract, t)
                self._open_vacancy(old_post, t)
            else:
                nq = role == SW and rng.random() < self.p.asye_share
                w = self._new_worker(t, role, newly_qualified=nq, agency=False)
                self._fill(post, t)
                self.holder[post] = self._assign(w, post, contract, t)
        self.rounds.append(Round(post, self.round_start[post], t, appointed=True, worker=w))
        self._schedule_leave(w, t)

    def _internal_candidate(self, post: int) -> int:
        """A permanent worker one grade below, for a promotion: for a senior practitioner post a
        social worker of the same team, for a team manager post a senior practitioner."""
        ps = self.posts
        role = int(ps.role[post])
        want = SW if role == SP else SP
        team = int(ps.team[post])
        for p in range(len(ps)):
            h = self.holder[p]
            if h < 0 or int(ps.role[p]) != want:
                continue
            if want == SW and int(ps.team[p]) != team:
                continue
            if self.assignments[h].contract != PERMANENT:
                continue
            return self.assignments[h].worker
        return -1

    # -- agency cover ------------------------------------------------------------------------------
    def _on_agency_start(self, t: int, post: int, token: int) -> None:
        if token != self.post_token[post] or not self.vacant[post] or self.agency[post] >= 0:
            return
        if t > self.posts.end[post]:
            return
        role = int(self.posts.role[post])
        ratio = self._ratio(t)
        pr = self.pressure
        if role in CASE_HOLDING_ROLES and ratio is not None and pr is not None and ratio < pr.low:
            # Not needed after all: look again in a month.
            self.push(t + 30, AGENCY_START, post, token)
            return
        self._agency_starts(post, t, self.round_start[post])

    def _agency_starts(self, post: int, t: int, requested: int) -> None:
        role = int(self.posts.role[post])
        w = self._new_worker(t, role, newly_qualified=False, agency=True)
        self.agency[post] = self._assign(w, post, AGENCY, t)
        self.engagements.append(
            AgencyEngagement(post, int(self.posts.team[post]), role, w, requested, t)
        )
        days = max(28, int(self.rng.exponential(self.p.agency_mean_days)))
        self.worker_token[w] += 1
        self.push(t + days, AGENCY_END, w, self.worker_token[w])

    def _on_agency_end(self, t: int, worker: int, token: int) -> None:
        if token != self.worker_token[worker] or self.current[worker] < 0:
            return
        a_index = self.current[worker]
        a = self.assignments[a_index]
        self._end(a_index, t)
        self.current[worker] = -1
        self.extra.pop(a_index, None)
        self.noticed.pop(a_index, None)
        post = a.post
        if post >= 0 and self.agency[post] == a_index:
            self.agency[post] = -1
            if self.vacant[post] and self._cover_wanted(t, a.role):
                self.push(
                    t + 1 + int(self.rng.integers(0, 31)), AGENCY_START, post, self.post_token[post]
                )

    # -- caseload pressure -------------------------------------------------------------------------
    def _holder_fte(self, t: int) -> dict[int, float]:
        """Case-holding FTE (social workers and senior practitioners, agency included) per team type
        on day ``t``, counting agency workers already booked to start."""
        out: dict[int, float] = {}
        team_type = [team.team_type for team in self.teams]
        for a_index in self.current:
            if a_index < 0:
                continue
            a = self.assignments[a_index]
            if a.role in CASE_HOLDING_ROLES and a.end >= t and a_index not in self.noticed:
                tt = team_type[a.team]
                out[tt] = out.get(tt, 0.0) + a.fte
        for tt in self.booked:
            out[tt] = out.get(tt, 0.0) + 1.0
        return out

    def _ratio(self, t: int) -> float | None:
        """Children needing a social worker per case-holding FTE on day ``t`` (None when not
        watched)."""
        pr = self.pressure
        if pr is None or not (pr.first <= t <= pr.last):
            return None
        stock = float(self._release_peak[t - pr.first])
        fte = self._holder_fte(t)
        total = sum(fte.get(tt, 0.0) for tt in pr.stock)
        return stock / total if total > 0 else None

    def _cover_wanted(self, t: int, role: int) -> bool:
        """Whether to book agency cover for a vacancy now: always for managers' posts; for
        case-holding posts unless caseloads are comfortably low."""
        if self.rng.random() >= self._cover_probability(role):
            return False
        if role not in CASE_HOLDING_ROLES or self.pressure is None:
            return True
        ratio = self._ratio(t)
        return ratio is None or ratio >= self.pressure.low

    def _on_pressure(self, t: int) -> None:
        pr = self.pressure
        assert pr is not None
        if t > pr.last:
            return
        self.push(t + pr.every_days, PRESSURE, 0, 0)
        i = t - pr.first
        ahead = min(t + pr.lead_days, pr.last) - pr.first
        stock = {tt: float(arr[ahead]) for tt, arr in pr.stock.items()}
        fte = self._holder_fte(t)
        total_fte = sum(fte.get(tt, 0.0) for tt in stock)
        if total_fte <= 0:
            return
        peak = float(self._book_peak[i])
        if peak / total_fte > pr.high:
            need = peak / pr.target - total_fte
            for _ in range(min(3, max(1, round(need / 2)))):
                tt = max(stock, key=lambda k: (stock[k] / max(fte.get(k, 0.0), 0.5), -k))
                self.booked.append(tt)
                fte[tt] = fte.get(tt, 0.0) + 1.0
                self.push(t + int(self.rng.integers(5, 15)), EXTRA_START, tt, 0)
        elif float(self._release_peak[i]) / total_fte < pr.low and self.extra:
            # Let go the extra worker in the least pressed team type, after four weeks' notice.
            def pressure_of(a_index: int) -> float:
                tt = self.teams[self.assignments[a_index].team].team_type
                return stock.get(tt, 0.0) / max(fte.get(tt, 0.0), 0.5)

            victim = min(self.extra, key=lambda a: (pressure_of(a), a))
            a = self.assignments[victim]
            del self.extra[victim]
            self.noticed[victim] = None
            self.worker_token[a.worker] += 1
            self.push(t + 28, AGENCY_END, a.worker, self.worker_token[a.worker])

    def _on_extra_start(self, t: int, team_type: int) -> None:
        if team_type in self.booked:
            self.booked.remove(team_type)
        candidates = [team for team in self.teams if team.team_type == team_type]
        if not candidates:
            return
        load: dict[int, float] = {team.index: 0.0 for team in candidates}
        for a_index in self.current:
            if a_index >= 0:
                a = self.assignments[a_index]
                if a.team in load and a.role in CASE_HOLDING_ROLES:
                    load[a.team] += a.fte
        team = min(load, key=lambda k: (load[k], k))
        w = self._new_worker(t, SW, newly_qualified=False, agency=True)
        a_index = self._assign(w, -1, AGENCY, t, role=SW, team=team, fte=1.0)
        self.extra[a_index] = None
        days = max(56, int(self.rng.exponential(self.p.agency_mean_days)))
        self.worker_token[w] += 1
        self.push(t + days, AGENCY_END, w, self.worker_token[w])
        self.engagements.append(AgencyEngagement(-1, team, SW, w, t - 14, t))

    # -- leaving -----------------------------------------------------------------------------------
    def _leave(self, worker: int, a_index: int, t: int, reason: str | None = None) -> None:
        """The worker leaves after day ``t`` (a leaver's last day is never a 30 September: that
        day they would be both in post and a leaver of the census year)."""
        a = self.assignments[a_index]
        if _is_census_day(t) and t - 1 >= a.start:
            t -= 1
        code = (
            reason
            or self._reason_codes[int(self.rng.choice(len(self._reason_codes), p=self._reason_p))]
        )
        table = codes.LEAVER_DESTINATION.get(code, (("8", 1.0),))
        dest = table[int(self.rng.choice(len(table), p=codes.weights(table)))][0]
        self._end(a_index, t, code, dest)
        self.current[worker] = -1
        self.worker_token[worker] += 1
        if a.post >= 0 and self.holder[a.post] == a_index:
            self._open_vacancy(a.post, t + 1)

    def _move(self, worker: int, a_index: int, target: int, t: int) -> None:
        """An internal move: the worker takes the vacant ``target`` post from ``t + 1``."""
        a = self.assignments[a_index]
        self._end(a_index, t)
        self._fill(target, t + 1)
        self.holder[target] = self._assign(worker, target, a.contract, t + 1)
        self._schedule_leave(worker, t + 1)
        if a.post >= 0 and self.holder[a.post] == a_index:
            self._open_vacancy(a.post, t + 1)

    def _vacant_post(self, role: int, exclude_team: int) -> int:
        ps = self.posts
        candidates = [
            p
            for p in range(len(ps))
            if self.vacant[p]
            and int(ps.role[p]) == role
            and int(ps.team[p]) != exclude_team
            and not ps.temporary[p]
            and ps.end[p] == OPEN
        ]
        if not candidates:
            return -1
        return candidates[int(self.rng.integers(0, len(candidates)))]

    def _on_fixed_term_end(self, t: int, worker: int, token: int) -> None:
        if token != self.worker_token[worker] or self.current[worker] < 0:
            return
        a_index = self.current[worker]
        a = self.assignments[a_index]
        if a.contract != FIXED_TERM:
            return
        if self.posts.temporary[a.post]:
            return  # handled when the temporary post closes
        if self.rng.random() < 0.6:
            self._end(a_index, t)
            self.holder[a.post] = self._assign(worker, a.post, PERMANENT, t + 1)
            self._schedule_leave(worker, t + 1)
        else:
            self._leave(worker, a_index, t, reason="8")

    # -- restructures ------------------------------------------------------------------------------
    def _on_post_open(self, t: int, post: int) -> None:
        if self.holder[post] >= 0:
            return
        self._open_vacancy(post, t)

    def _on_post_close(self, t: int, post: int) -> None:
        ps = self.posts
        self.post_token[post] += 1
        self.vacant[post] = False
        cover = self.agency[post]
        if cover >= 0:
            self.agency[post] = -1
            self._end(cover, t)
            w = self.assignments[cover].worker
            self.current[w] = -1
            self.worker_token[w] += 1
        h = self.holder[post]
        if h < 0:
            return
        self.holder[post] = -1
        worker = self.assignments[h].worker
        succ = int(ps.successor[post])
        if succ >= 0:
            self._move(worker, h, succ, t)
            return
        target = self._vacant_post(int(ps.role[post]), exclude_team=-1)
        if target >= 0:
            self._move(worker, h, target, t)
        else:
            fixed = self.assignments[h].contract == FIXED_TERM
            self._leave(worker, h, t, reason="8" if fixed else "2")


def _is_census_day(t: int) -> bool:
    d = to_date(t)
    return d.month == 9 and d.day == 30


def _role_name(role: int) -> str:
    return ROLE_NAME[role]


def simulate_workforce(
    rng: np.random.Generator,
    profile: CouncilProfile,
    posts: Posts,
    teams: list[Team],
    start: int,
    horizon: int,
    pressure: Pressure | None = None,
) -> Workforce:
    """Run the workforce from ``start`` (everyone in post then started earlier) to ``horizon``;
    with ``pressure``, agency workers over establishment keep caseloads within its band."""
    return _Simulation(rng, profile, posts, teams, start, horizon, pressure).run()
