"""What goes into the extracts, and the identifiers everything is written under.

The extracts cover the five years to ``today`` the way a council's extract would: every record
open at some point in that time (with the whole of a case that was open in it), every worker who
worked in it. Identifiers are numbered in date order.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from caseloads.synthetic.contacts import Contacts
from caseloads.synthetic.dates import OPEN, BoolArray, IntArray, StrArray
from caseloads.synthetic.model import Council
from caseloads.synthetic.people import Children, describe_children, prefixed, rank, swe_numbers
from caseloads.synthetic.teams import FAMILY_HELP, IRO, MANAGEMENT

ROLE_CW, ROLE_IRO, ROLE_FAMILY_HELP = "CW", "IRO", "FHLP"


@dataclass
class Registry:
    council: Council
    contacts: Contacts
    children: Children
    # teams
    team_id: StrArray
    team_name: StrArray
    management_team: int
    # workers (by worker index) and professionals (by person index: workers, then family help)
    worker_in: BoolArray
    worker_ref: StrArray
    swe: StrArray
    prof_id: StrArray
    n_workers: int
    # children and their episodes
    person_in: BoolArray
    person_id: StrArray
    family_id: StrArray
    ce_in: BoolArray
    referral_id: StrArray  # by child episode ("" if not written)
    # involvements written
    inv_in: BoolArray
    inv_role: StrArray  # by involvement

    @property
    def window_first(self) -> int:
        return self.council.window.history_start

    @property
    def today(self) -> int:
        return self.council.window.today


def build_registry(council: Council, contacts: Contacts, rng: np.random.Generator) -> Registry:
    c = council
    w = c.window
    cw = c.casework
    inv = c.involvements
    seg = cw.segments
    first, today = w.history_start, w.today

    teams = c.teams
    team_id = np.array([t.team_id for t in teams])
    team_name = np.array([t.name for t in teams])
    management = next(t.index for t in teams if t.team_type == MANAGEMENT)

    # Involvements overlapping the history.
    inv_in = (inv.end >= first) & (inv.start <= today)
    pool = seg.pool[inv.segment]
    inv_role = np.where(
        pool == IRO, ROLE_IRO, np.where(pool == FAMILY_HELP, ROLE_FAMILY_HELP, ROLE_CW)
    )

    # Workers who worked in the history (staff.csv), numbered by first start.
    n_workers = len(c.workforce.workers)
    n_people = n_workers + c.family_help[0].size
    a_worker = np.array([a.worker for a in c.workforce.assignments], dtype=np.int64)
    a_start = np.array([a.start for a in c.workforce.assignments], dtype=np.int64)
    a_end = np.array([a.end for a in c.workforce.assignments], dtype=np.int64)
    overlap = (a_start <= today) & (a_end >= first)
    worker_in = np.zeros(n_workers, dtype=np.bool_)
    worker_in[a_worker[overlap]] = True
    first_start = np.full(n_workers, OPEN, dtype=np.int64)
    np.minimum.at(first_start, a_worker, a_start)
    order = rank([np.where(worker_in, 0, 1), first_start, np.arange(n_workers)], n_workers)
    worker_ref = np.where(worker_in, prefixed("W", 10_001 + order, 5), "")
    swe = swe_numbers(rng, n_workers)
    person_in = np.zeros(n_people, dtype=np.bool_)
    person_in[:n_workers] = worker_in
    person_in[inv.person[inv_in]] = True
    # Professionals: the workers in worker_ref order, then family help practitioners.
    prof_rank = np.concatenate([order, n_workers + np.arange(n_people - n_workers)])
    prof_id = np.where(person_in, prefixed("P", 20_001 + prof_rank, 5), "")

    # Child episodes open at some point in the history; children in any record.
    ce = cw.episodes
    ce_in = (ce.close >= first) & (ce.referral <= today)
    n_ref_children = cw.child_dob.size
    n_children = n_ref_children + contacts.new_dob.size
    seen = np.full(n_children, OPEN, dtype=np.int64)
    np.minimum.at(seen, ce.child[ce_in], np.maximum(ce.referral[ce_in], 0))
    cl = cw.care_leavers
    cl_in = cl.end >= first
    np.minimum.at(seen, cl.child[cl_in], cl.start[cl_in])
    np.minimum.at(seen, contacts.person, contacts.day)
    child_seg = seg.child[inv.segment[inv_in]]
    np.minimum.at(seen, child_seg, inv.start[inv_in])
    child_in = seen < OPEN
    c_order = rank([np.where(child_in, 0, 1), seen, np.arange(n_children)], n_children)
    person_id = np.where(child_in, prefixed("C", 1_000_001 + c_order, 7), "")

    dob = np.concatenate([cw.child_dob, contacts.new_dob])
    family = np.concatenate([cw.child_family, contacts.new_family])
    uasc_child = np.zeros(n_children, dtype=np.bool_)
    uasc_child[:n_ref_children] = c.demand.families_uasc[cw.child_family]
    children = describe_children(rng, dob, family, uasc_child)
    n_fam = int(family.max()) + 1 if family.size else 0
    fam_seen = np.full(n_fam, OPEN, dtype=np.int64)
    np.minimum.at(fam_seen, family[child_in], seen[child_in])
    fam_order = rank([fam_seen, np.arange(n_fam)], n_fam)
    family_id = prefixed("F", 100_001 + fam_order, 6)

    ref_order = rank([np.where(ce_in, 0, 1), ce.referral, c_order[ce.child]], len(ce))
    referral_id = np.where(ce_in, prefixed("R", 1_000_001 + ref_order, 7), "")
    return Registry(
        council=c,
        contacts=contacts,
        children=children,
        team_id=team_id,
        team_name=team_name,
        management_team=management,
        worker_in=worker_in,
        worker_ref=worker_ref,
        swe=swe,
        prof_id=prof_id,
        n_workers=n_workers,
        person_in=child_in,
        person_id=person_id,
        family_id=family_id,
        ce_in=ce_in,
        referral_id=referral_id,
        inv_in=inv_in,
        inv_role=inv_role,
    )


class WorkerAt:
    """Who held a child (as case worker or family help practitioner) on a given day."""

    def __init__(self, reg: Registry) -> None:
        c = reg.council
        inv = c.involvements
        seg = c.casework.segments
        keep = reg.inv_role != ROLE_IRO
        self.child = seg.child[inv.segment[keep]]
        self.start = inv.start[keep]
        self.end = inv.end[keep]
        self.person = inv.person[keep]
        self.team = inv.team[keep]
        order = np.lexsort((self.start, self.child))
        self.child, self.start, self.end = self.child[order], self.start[order], self.end[order]
        self.person, self.team = self.person[order], self.team[order]
        self.key = self.child * 100_000_000 + self.start

    def lookup(self, child: IntArray, on: IntArray) -> tuple[IntArray, IntArray]:
        """(person, team) holding each child on each day; -1 where nobody did."""
        if self.key.size == 0:
            missing = np.full(child.size, -1, dtype=np.int64)
            return missing, missing.copy()
        q = child * 100_000_000 + on
        pos = np.searchsorted(self.key, q, side="right") - 1
        pos_c = np.clip(pos, 0, self.key.size - 1)
        hit = (pos >= 0) & (self.child[pos_c] == child) & (self.end[pos_c] >= on)
        return (
            np.where(hit, self.person[pos_c], -1).astype(np.int64),
            np.where(hit, self.team[pos_c], -1).astype(np.int64),
        )
