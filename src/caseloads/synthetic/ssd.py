"""The Standard Safeguarding Dataset tables, as a case-management system would export them.

Each builder returns ``{column: array of strings}``; :func:`ssd_tables` lays every table out with
exactly the fields of ``caseloads/data/ssd_fields.csv``, in its order (fields a table does not fill,
such as names and free text, are empty).
"""

from __future__ import annotations

import csv
import io
from importlib import resources

import numpy as np

from caseloads.synthetic import codes
from caseloads.synthetic.allocation import REASON_TEXT
from caseloads.synthetic.casework import CLA_START_REASONS
from caseloads.synthetic.dates import OPEN, IntArray, StrArray, census_day, iso, to_date
from caseloads.synthetic.demand import (
    CLA_CEASED,
    ORDER_CAO,
    ORDER_CARE,
    ORDER_HOME,
    ORDER_PLACEMENT,
    ORDER_SGO,
)
from caseloads.synthetic.establishment import JOB_TITLE
from caseloads.synthetic.people import prefixed, rank
from caseloads.synthetic.registry import ROLE_IRO, Registry, WorkerAt
from caseloads.synthetic.teams import resolve_pools

Table = dict[str, StrArray]

SSD_TABLES = (
    "ssd_person",
    "ssd_department",
    "ssd_professionals",
    "ssd_involvements",
    "ssd_contacts",
    "ssd_cin_episodes",
    "ssd_cin_assessments",
    "ssd_s47_enquiry",
    "ssd_initial_cp_conference",
    "ssd_cin_plans",
    "ssd_cp_plans",
    "ssd_cla_episodes",
    "ssd_family",
    "ssd_care_leavers",
    "ssd_pre_proceedings",
)


def ssd_fields() -> dict[str, list[str]]:
    """Every SSD table's fields, in the order of the bundled ``ssd_fields.csv``."""
    text = resources.files("caseloads").joinpath("data", "ssd_fields.csv").read_text("utf-8")
    out: dict[str, list[str]] = {}
    for row in csv.DictReader(io.StringIO(text)):
        out.setdefault(row["table"], []).append(row["field"])
    return out


def _yn(flag: np.ndarray) -> StrArray:
    return np.where(flag, "Y", "N")


def _code(table: codes.Weighted | codes.Described, index: IntArray) -> StrArray:
    values = codes.codes(table)
    return np.where(index >= 0, values[np.clip(index, 0, len(table) - 1)], "")


def _open_iso(days: IntArray, today: int) -> StrArray:
    """ISO dates, empty for ``OPEN`` and for anything after ``today``."""
    return iso(np.where(days > today, OPEN, days))


class _Builder:
    def __init__(self, reg: Registry, rng: np.random.Generator) -> None:
        self.reg = reg
        self.c = reg.council
        self.cw = self.c.casework
        self.rng = rng
        self.today = reg.today
        self.at = WorkerAt(reg)
        present = frozenset(t.team_type for t in self.c.teams)
        self.pool_of = resolve_pools(present)
        ce = self.cw.episodes
        self.ce_index = np.flatnonzero(reg.ce_in)
        self.ce_child = ce.child
        self.source_desc = np.array([row[1] for row in codes.REFERRAL_SOURCES])
        self.source_code = codes.codes(codes.REFERRAL_SOURCES)

    # -- helpers -----------------------------------------------------------------------------------
    def _who(self, child: IntArray, on: IntArray, default_pool: int) -> tuple[StrArray, StrArray]:
        """(team id, professional id) holding each child on each day; when nobody did (before the
        allocations start), the first team responsible for ``default_pool`` and no worker."""
        reg = self.reg
        person, team = self.at.lookup(child, np.minimum(on, self.today))
        fallback = next(t.index for t in self.c.teams if t.team_type == self.pool_of[default_pool])
        team = np.where(team >= 0, team, fallback)
        prof = np.where(person >= 0, reg.prof_id[np.clip(person, 0, None)], "")
        return reg.team_id[team], prof

    # -- tables -----------------------------------------------------------------------------------
    def person(self) -> Table:
        reg = self.reg
        idx = np.flatnonzero(reg.person_in)
        idx = idx[np.argsort(reg.person_id[idx], kind="stable")]
        ch = reg.children
        sex = ch.sex[idx]
        gender = np.select([sex == "M", sex == "F"], ["01", "02"], "00")
        uasc = ch.nationality[idx] != ""
        return {
            "pers_person_id": reg.person_id[idx],
            "pers_sex": sex,
            "pers_gender": gender,
            "pers_ethnicity": ch.ethnicity[idx],
            "pers_dob": iso(ch.dob[idx]),
            "pers_upn_unknown": np.where(uasc, "UN2", ""),
            "pers_send_flag": _yn(ch.send[idx]),
            "pers_is_mother": np.full(idx.size, "N"),
            "pers_nationality": ch.nationality[idx],
        }

    def department(self) -> Table:
        reg = self.reg
        mgmt = reg.management_team
        n = reg.team_id.size
        is_mgmt = np.arange(n) == mgmt
        return {
            "dept_team_id": reg.team_id,
            "dept_team_name": reg.team_name,
            "dept_team_parent_id": np.where(is_mgmt, "", reg.team_id[mgmt]),
            "dept_team_parent_name": np.where(is_mgmt, "", reg.team_name[mgmt]),
        }

    def professionals(self) -> Table:
        reg = self.reg
        c = self.c
        n_w = reg.n_workers
        # Each worker's last row up to today.
        last: dict[int, int] = {}
        for i, a in enumerate(c.workforce.assignments):
            if a.start <= self.today and (
                a.worker not in last or a.start >= c.workforce.assignments[last[a.worker]].start
            ):
                last[a.worker] = i
        snapshot = _previous_census(self.today)
        counts = self._caseload_on(snapshot)
        rows_w = [w for w in range(n_w) if reg.worker_in[w]]
        rows_w.sort(key=lambda w: reg.worker_ref[w])
        title, dept, fte, agency, staff, swe, pid, caseload = [], [], [], [], [], [], [], []
        for w in rows_w:
            a = c.workforce.assignments[last[w]]
            title.append(JOB_TITLE[a.role])
            dept.append(str(reg.team_name[a.team]))
            fte.append(f"{a.fte:.2f}")
            agency.append("Y" if a.contract == "agency" else "N")
            staff.append(str(reg.worker_ref[w]))
            swe.append(str(reg.swe[w]))
            pid.append(str(reg.prof_id[w]))
            caseload.append(str(int(counts[w])))
        fh_person, fh_team = c.family_help
        for k in range(fh_person.size):
            p = int(fh_person[k])
            if not reg.prof_id[p]:
                continue
            title.append("Family Help Practitioner")
            dept.append(str(reg.team_name[fh_team[k]]))
            fte.append("1.00")
            agency.append("N")
            staff.append("")
            swe.append("")
            pid.append(str(reg.prof_id[p]))
            caseload.append(str(int(counts[p])))
        return {
            "prof_professional_id": np.array(pid),
            "prof_staff_id": np.array(staff),
            "prof_social_worker_registration_no": np.array(swe),
            "prof_professional_job_title": np.array(title),
            "prof_professional_caseload": np.array(caseload),
            "prof_professional_department": np.array(dept),
            "prof_full_time_equivalency": np.array(fte),
            "prof_agency_worker_flag": np.array(agency),
        }

    def _caseload_on(self, on: int) -> IntArray:
        """Children allocated to each person on day ``on`` (case workers and family help
        practitioners; an IRO's children are not their cases)."""
        c = self.c
        inv = c.involvements
        role = self.reg.inv_role
        held = (role != ROLE_IRO) & (inv.start <= on) & (inv.end >= on)
        n = len(c.workforce.workers) + c.family_help[0].size
        return np.bincount(inv.person[held], minlength=n).astype(np.int64)

    def involvements(self) -> Table:
        reg = self.reg
        c = self.c
        inv = c.involvements
        seg = c.casework.segments
        idx = np.flatnonzero(reg.inv_in)
        child = seg.child[inv.segment[idx]]
        order = np.lexsort((inv.start[idx], reg.person_id[child]))
        idx, child = idx[order], child[order]
        ce = seg.ce[inv.segment[idx]]
        referral = np.where(ce >= 0, reg.referral_id[np.clip(ce, 0, None)], "")
        end = inv.end[idx]
        reason = np.array(REASON_TEXT)[inv.reason[idx]]
        reason = np.where(end > self.today, "", reason)
        return {
            "invo_involvements_id": prefixed("I", 1_000_001 + np.arange(idx.size), 7),
            "invo_professional_id": reg.prof_id[inv.person[idx]],
            "invo_professional_role_id": reg.inv_role[idx],
            "invo_professional_team": reg.team_id[inv.team[idx]],
            "invo_involvement_start_date": iso(inv.start[idx]),
            "invo_involvement_end_date": _open_iso(end, self.today),
            "invo_worker_change_reason": reason,
            "invo_person_id": reg.person_id[child],
            "invo_referral_id": referral,
        }

    def contacts(self) -> Table:
        reg = self.reg
        ct = reg.contacts
        keep = (ct.day >= reg.window_first) & (ct.day <= self.today)
        person, day_, source = ct.person[keep], ct.day[keep], ct.source[keep]
        order = np.lexsort((reg.person_id[person], day_))
        person, day_, source = person[order], day_[order], source[order]
        return {
            "cont_contact_id": prefixed("K", 1_000_001 + np.arange(person.size), 7),
            "cont_person_id": reg.person_id[person],
            "cont_contact_date": iso(day_),
            "cont_contact_source_code": self.source_code[source],
            "cont_contact_source_desc": self.source_desc[source],
        }

    def cin_episodes(self) -> Table:
        reg = self.reg
        ce = self.cw.episodes
        fe = self.c.demand.episodes
        idx = self.ce_index[np.argsort(reg.referral_id[self.ce_index], kind="stable")]
        self.ce_sorted = idx
        team, worker = self._who(ce.child[idx], ce.referral[idx], 0)
        src = fe.source[ce.fe[idx]]
        close = ce.close[idx]
        reason = _code(tuple((r, 1.0) for r in codes.CLOSE_REASONS), ce.close_reason[idx])
        return {
            "cine_referral_id": reg.referral_id[idx],
            "cine_person_id": reg.person_id[ce.child[idx]],
            "cine_referral_date": iso(ce.referral[idx]),
            "cine_cin_primary_need_code": _code(codes.PRIMARY_NEED, fe.need[ce.fe[idx]]),
            "cine_referral_source_code": self.source_code[src],
            "cine_referral_source_desc": self.source_desc[src],
            "cine_referral_nfa": _yn(ce.nfa[idx]),
            "cine_close_reason": np.where(close > self.today, "", reason),
            "cine_close_date": _open_iso(close, self.today),
            "cine_referral_team": team,
            "cine_referral_worker_id": worker,
        }

    def assessments(self) -> Table:
        reg = self.reg
        a = self.c.demand.assessments
        ce_of, row = self.cw.assessment_rows
        keep = reg.ce_in[ce_of]
        ce_of, row = ce_of[keep], row[keep]
        child = self.ce_child[ce_of]
        b18 = self.cw.child_b18[child]
        start = a.start[row]
        auth = np.minimum(a.auth[row], b18 - 1)
        order = np.lexsort((reg.person_id[child], start))
        ce_of, row, child, start, auth = (
            ce_of[order],
            row[order],
            child[order],
            start[order],
            auth[order],
        )
        done = auth <= self.today
        team, worker = self._who(child, np.where(done, auth, self.today), 1)
        seen = self.rng.random(row.size) < 0.96
        return {
            "cina_assessment_id": prefixed("ASMT", 100_001 + np.arange(row.size), 6),
            "cina_person_id": reg.person_id[child],
            "cina_referral_id": reg.referral_id[ce_of],
            "cina_assessment_start_date": iso(start),
            "cina_assessment_child_seen": np.where(done, _yn(seen), ""),
            "cina_assessment_auth_date": _open_iso(auth, self.today),
            "cina_assessment_outcome_nfa": np.where(done, _yn(a.nfa[row]), ""),
            "cina_assessment_team": team,
            "cina_assessment_worker_id": worker,
        }

    def enquiries(self) -> tuple[Table, Table]:
        """ssd_s47_enquiry and ssd_initial_cp_conference (which points at the enquiries)."""
        reg = self.reg
        e = self.c.demand.enquiries
        ce_of, row = self.cw.enquiry_rows
        n_all = ce_of.size
        plan_of_enq = np.full(n_all, -1, dtype=np.int64)
        has = self.cw.cp_plan_enquiry >= 0
        plan_of_enq[self.cw.cp_plan_enquiry[has]] = np.flatnonzero(has)
        keep = np.flatnonzero(reg.ce_in[ce_of])
        child = self.ce_child[ce_of[keep]]
        start = e.start[row[keep]]
        order = np.lexsort((reg.person_id[child], start))
        keep = keep[order]
        self.enq_rows = keep
        ce_k, row_k = ce_of[keep], row[keep]
        child = self.ce_child[ce_k]
        b18 = self.cw.child_b18[child]
        start = e.start[row_k]
        end = np.minimum(e.end[row_k], b18 - 1)
        icpc = e.icpc[row_k] & (e.icpc_date[row_k] <= self.today) & (e.icpc_date[row_k] < b18)
        team, worker = self._who(child, start, 1)
        s47_id = prefixed("S47", 100_001 + np.arange(keep.size), 6)
        self.s47_id_of = dict(zip(keep.tolist(), s47_id.tolist(), strict=True))
        done = end <= self.today
        s47 = {
            "s47e_s47_enquiry_id": s47_id,
            "s47e_referral_id": reg.referral_id[ce_k],
            "s47e_person_id": reg.person_id[child],
            "s47e_s47_start_date": iso(start),
            "s47e_s47_end_date": _open_iso(end, self.today),
            "s47e_s47_nfa": np.where(done, _yn(~e.icpc[row_k]), ""),
            "s47e_s47_completed_by_worker_id": worker,
            "s47e_s47_completed_by_team": team,
        }
        # Conferences: siblings are conferenced together (one meeting).
        ic = np.flatnonzero(icpc)
        icpc_id = prefixed("ICPC", 100_001 + np.arange(ic.size), 6)
        meeting_key = self.c.demand.enquiries.fe[row_k[ic]] * 100_000 + e.icpc_date[row_k[ic]]
        uniq, inverse = np.unique(meeting_key, return_inverse=True)
        first_seen = np.full(uniq.size, ic.size, dtype=np.int64)
        np.minimum.at(first_seen, inverse, np.arange(ic.size))
        meeting_rank = rank([first_seen], uniq.size)[inverse]
        plan = plan_of_enq[keep[ic]]
        self.icpc_of_plan = {int(p): str(i) for p, i in zip(plan, icpc_id, strict=True) if p >= 0}
        plan_ids = np.where(plan >= 0, self._plan_ids()[np.clip(plan, 0, None)], "")
        conference = {
            "icpc_icpc_id": icpc_id,
            "icpc_icpc_meeting_id": prefixed("M", 100_001 + meeting_rank, 6),
            "icpc_s47_enquiry_id": s47_id[ic],
            "icpc_person_id": reg.person_id[child[ic]],
            "icpc_cp_plan_id": plan_ids,
            "icpc_referral_id": reg.referral_id[ce_k[ic]],
            "icpc_icpc_transfer_in": np.full(ic.size, "N"),
            "icpc_icpc_target_date": iso(e.icpc_target[row_k[ic]]),
            "icpc_icpc_date": iso(e.icpc_date[row_k[ic]]),
            "icpc_icpc_outcome_cp_flag": _yn(e.cp[row_k[ic]]),
            "icpc_icpc_team": team[ic],
            "icpc_icpc_worker_id": worker[ic],
        }
        return s47, conference

    def _plan_ids(self) -> StrArray:
        """CP plan ids by CP plan row (empty for plans not written)."""
        if not hasattr(self, "_cp_ids"):
            cp = self.cw.cp_plans
            keep = self.reg.ce_in[cp.ce]
            child = self.ce_child[cp.ce]
            order = rank(
                [np.where(keep, 0, 1), cp.start, np.where(keep, self.reg.person_id[child], "")],
                len(cp),
            )
            self._cp_ids = np.where(keep, prefixed("CPP", 100_001 + order, 6), "")
        return self._cp_ids

    def cin_plans(self) -> Table:
        reg = self.reg
        pl = self.cw.cin_plans
        keep = np.flatnonzero(reg.ce_in[pl.ce])
        child = self.ce_child[pl.ce[keep]]
        order = np.lexsort((reg.person_id[child], pl.start[keep]))
        keep, child = keep[order], child[order]
        end = pl.end[keep]
        team, worker = self._who(child, np.minimum(end, self.today), 2)
        return {
            "cinp_cin_plan_id": prefixed("CINP", 100_001 + np.arange(keep.size), 6),
            "cinp_referral_id": reg.referral_id[pl.ce[keep]],
            "cinp_person_id": reg.person_id[child],
            "cinp_cin_plan_start_date": iso(pl.start[keep]),
            "cinp_cin_plan_end_date": _open_iso(end, self.today),
            "cinp_cin_plan_team": team,
            "cinp_cin_plan_worker_id": worker,
        }

    def cp_plans(self) -> Table:
        reg = self.reg
        cp = self.cw.cp_plans
        ids = self._plan_ids()
        keep = np.flatnonzero(ids != "")
        keep = keep[np.argsort(ids[keep], kind="stable")]
        fe = self.c.demand.episodes
        cat = fe.cp_category[self.cw.episodes.fe[cp.ce[keep]]]
        changed = self.rng.random(keep.size) < 0.1
        latest = np.where(changed, codes.draw(self.rng, codes.CP_CATEGORY, keep.size), cat)
        icpc = np.array([self.icpc_of_plan.get(int(k), "") for k in keep.tolist()], dtype=object)
        return {
            "cppl_cp_plan_id": ids[keep],
            "cppl_referral_id": reg.referral_id[cp.ce[keep]],
            "cppl_icpc_id": icpc.astype(str),
            "cppl_person_id": reg.person_id[self.ce_child[cp.ce[keep]]],
            "cppl_cp_plan_start_date": iso(cp.start[keep]),
            "cppl_cp_plan_end_date": _open_iso(cp.end[keep], self.today),
            "cppl_cp_plan_initial_category": _code(codes.CP_CATEGORY, cat),
            "cppl_cp_plan_ola": np.full(keep.size, "N"),
            "cppl_cp_plan_latest_category": _code(codes.CP_CATEGORY, latest),
        }

    def cla_episodes(self) -> Table:
        reg = self.reg
        cw = self.cw
        periods = cw.periods
        ep = cw.cla_episodes
        keep = np.flatnonzero(reg.ce_in[periods.ce[ep.period]])
        per = ep.period[keep]
        child = self.ce_child[periods.ce[per]]
        order = np.lexsort((ep.start[keep], reg.person_id[child]))
        keep, per, child = keep[order], per[order], child[order]
        p_rank = rank([periods.start, np.arange(len(periods))], len(periods))
        cla_id = prefixed("CLA", 100_001 + p_rank[per], 6)
        ceased = ep.ceased[keep]
        open_ = ceased > self.today
        reason_idx = ep.ceased_reason[keep]
        reason = np.where(
            reason_idx == -2,
            "X1",
            np.where(reason_idx >= 0, np.array(CLA_CEASED)[np.clip(reason_idx, 0, None)], ""),
        )
        reason = np.where(open_, "", reason)
        need = self.c.demand.episodes.need[cw.episodes.fe[periods.ce[per]]]
        start = ep.start[keep]
        iro_contact = np.maximum(self.today - self.rng.integers(1, 120, keep.size), start)
        return {
            "clae_cla_episode_id": prefixed("CLE", 1_000_001 + np.arange(keep.size), 7),
            "clae_person_id": reg.person_id[child],
            "clae_cla_episode_start_date": iso(start),
            "clae_cla_episode_start_reason": np.array(CLA_START_REASONS)[ep.start_reason[keep]],
            "clae_cla_primary_need_code": _code(codes.PRIMARY_NEED, need),
            "clae_cla_episode_ceased_date": _open_iso(ceased, self.today),
            "clae_cla_episode_ceased_reason": reason,
            "clae_cla_id": cla_id,
            "clae_referral_id": reg.referral_id[periods.ce[per]],
            "clae_entered_care_date": iso(periods.start[per]),
            "clae_cla_last_iro_contact_date": np.where(open_, iso(iro_contact), ""),
        }

    def family(self) -> Table:
        reg = self.reg
        idx = np.flatnonzero(reg.person_in)
        idx = idx[np.argsort(reg.person_id[idx], kind="stable")]
        fam = reg.family_id[reg.children.family[idx]]
        return {
            "fami_table_id": prefixed("FAM", 1_000_001 + np.arange(idx.size), 7),
            "fami_family_id": fam,
            "fami_person_id": reg.person_id[idx],
        }

    def care_leavers(self) -> Table:
        reg = self.reg
        cl = self.cw.care_leavers
        keep = np.flatnonzero(cl.end >= reg.window_first)
        child = cl.child[keep]
        order = np.argsort(reg.person_id[child], kind="stable")
        keep, child = keep[order], child[order]
        rng = self.rng
        k = keep.size
        last = np.minimum(cl.end[keep], self.today)
        start = cl.start[keep]
        latest = np.maximum(last - rng.integers(0, 60, k), start)
        review = np.maximum(latest - rng.integers(0, 150, k), start)
        team, worker = self._who(child, last, 6)
        return {
            "clea_table_id": prefixed("CL", 100_001 + np.arange(k), 6),
            "clea_person_id": reg.person_id[child],
            "clea_care_leaver_eligibility": np.full(k, "Former Relevant"),
            "clea_care_leaver_in_touch": _code(
                codes.CARE_LEAVER_IN_TOUCH, codes.draw(rng, codes.CARE_LEAVER_IN_TOUCH, k)
            ),
            "clea_care_leaver_latest_contact": iso(latest),
            "clea_care_leaver_accommodation": _code(
                codes.CARE_LEAVER_ACCOMMODATION, codes.draw(rng, codes.CARE_LEAVER_ACCOMMODATION, k)
            ),
            "clea_care_leaver_accom_suitable": np.where(rng.random(k) < 0.9, "1", "2"),
            "clea_care_leaver_activity": _code(
                codes.CARE_LEAVER_ACTIVITY, codes.draw(rng, codes.CARE_LEAVER_ACTIVITY, k)
            ),
            "clea_pathway_plan_review_date": iso(review),
            "clea_care_leaver_allocated_team": team,
            "clea_care_leaver_worker_id": worker,
        }

    def pre_proceedings(self) -> Table:
        reg = self.reg
        rng = self.rng
        pr = self.c.demand.proceedings
        ce_of, row = self.cw.proceedings_rows
        keep = np.flatnonzero(reg.ce_in[ce_of])
        ce_k, row_k = ce_of[keep], row[keep]
        child = self.ce_child[ce_k]
        b18 = self.cw.child_b18[child]
        plo_start = pr.plo_start[row_k]
        began = np.where(plo_start >= 0, plo_start, pr.issue_date[row_k])
        order = np.lexsort((reg.person_id[child], began))
        ce_k, row_k, child, b18, plo_start, began = (
            ce_k[order],
            row_k[order],
            child[order],
            b18[order],
            plo_start[order],
            began[order],
        )
        k = row_k.size
        today = self.today
        has_plo = plo_start >= 0
        plo_end = np.minimum(pr.plo_end[row_k], b18 - 1)
        plo_done = has_plo & (plo_end <= today)
        issued = pr.issued[row_k] & (pr.issue_date[row_k] <= today) & (pr.issue_date[row_k] < b18)
        issue = pr.issue_date[row_k]
        final = np.minimum(pr.final_date[row_k], b18 - 1)
        final_done = issued & (final <= today) & (pr.final_order[row_k] >= 0)
        na = np.full(k, OPEN, dtype=np.int64)
        meeting = plo_start + rng.integers(7, 22, k)
        meeting = np.where(has_plo & (meeting <= np.minimum(plo_end, today)), meeting, na)
        letter = np.where(has_plo, plo_start + rng.integers(0, 8, k), na)
        outcome = np.where(
            plo_done,
            np.where(
                pr.issued[row_k], "Decision to Issue Care Proceedings", "Decision to step down"
            ),
            "",
        )
        care_letter = np.where(issued, np.maximum(issue - rng.integers(1, 11, k), began), na)
        meetings = np.where(
            has_plo, np.maximum(0, (np.minimum(plo_end, today) - plo_start) // 42), 0
        )
        hearings = np.where(issued, 1 + (np.minimum(final, today) - issue) // 60, 0)
        short = issued & ~has_plo
        order_code = pr.final_order[row_k]
        final_plan = np.select(
            [
                order_code == ORDER_CARE,
                order_code == ORDER_PLACEMENT,
                order_code == ORDER_SGO,
                order_code == ORDER_CAO,
                order_code == ORDER_HOME,
            ],
            ["A", "C", "E", "F", "D"],
            "G",
        )
        final_plan = np.where(final_done, final_plan, np.where(issued, "H", ""))
        initial_plan = np.where(issued, np.where(rng.random(k) < 0.85, "A", "B"), "")
        # CP plans of this child episode started before the decision; earlier periods of pre- and
        # care proceedings of this child.
        cp = self.cw.cp_plans
        cp_key = np.sort(cp.ce * 100_000_000 + cp.start)
        cp_count = np.searchsorted(
            cp_key, ce_k * 100_000_000 + began, side="right"
        ) - np.searchsorted(cp_key, ce_k * 100_000_000, side="left")
        prev_pre = _earlier_in_group(child, has_plo)
        prev_care = _earlier_in_group(child, issued)
        family_key = self.c.demand.proceedings.fe[row_k]
        uniq, inverse = np.unique(family_key, return_inverse=True)
        first = np.full(uniq.size, k, dtype=np.int64)
        np.minimum.at(first, inverse, np.arange(k))
        plo_family = prefixed("PLO", 100_001 + rank([first], uniq.size)[inverse], 6)
        return {
            "prep_table_id": prefixed("PRE", 100_001 + np.arange(k), 6),
            "prep_person_id": reg.person_id[child],
            "prep_plo_family_id": plo_family,
            "prep_pre_pro_decision_date": np.where(has_plo, iso(plo_start), ""),
            "prep_initial_pre_pro_meeting_date": iso(meeting),
            "prep_pre_pro_outcome": outcome,
            "prep_agree_stepdown_issue_date": np.where(plo_done, iso(plo_end), ""),
            "prep_cp_plans_referral_period": cp_count.astype(str),
            "prep_legal_gateway_outcome": np.where(has_plo, "B", "C"),
            "prep_prev_pre_proc_child": prev_pre.astype(str),
            "prep_prev_care_proc_child": prev_care.astype(str),
            "prep_pre_pro_letter_date": np.where(letter <= today, iso(letter), ""),
            "prep_care_pro_letter_date": iso(care_letter),
            "prep_pre_pro_meetings_num": np.where(has_plo, meetings.astype(str), ""),
            "prep_pre_pro_parents_legal_rep": np.where(has_plo, _yn(rng.random(k) < 0.9), ""),
            "prep_parents_legal_rep_point_of_issue": np.where(
                issued, _yn(rng.random(k) < 0.95), ""
            ),
            "prep_care_proc_court_hearings": np.where(issued, hearings.astype(str), ""),
            "prep_care_proc_short_notice": np.where(issued, _yn(short), ""),
            "prep_proc_short_notice_reason": np.where(
                short,
                np.where(rng.random(k) < 0.6, "A", "B"),
                np.where(issued, "No short notice applications", ""),
            ),
            "prep_la_inital_plan_approved": np.where(issued, _yn(rng.random(k) < 0.9), ""),
            "prep_la_initial_care_plan": initial_plan,
            "prep_la_final_plan_approved": np.where(final_done, _yn(rng.random(k) < 0.85), ""),
            "prep_la_final_care_plan": final_plan,
        }


def _earlier_in_group(group: IntArray, flag: np.ndarray) -> IntArray:
    """For rows in date order: how many earlier rows of the same group have ``flag``."""
    order = np.argsort(group, kind="stable")
    g, f = group[order], flag[order].astype(np.int64)
    running = np.cumsum(f) - f  # flagged rows before this one, over all groups
    first = np.ones(g.size, dtype=np.bool_)
    first[1:] = g[1:] != g[:-1]
    base = np.maximum.accumulate(np.where(first, running, 0))
    out = np.empty(g.size, dtype=np.int64)
    out[order] = running - base
    return out


def _previous_census(today: int) -> int:
    """The last 30 September on or before ``today``."""
    year = to_date(today).year
    d = census_day(year)
    return d if d <= today else census_day(year - 1)


def ssd_tables(reg: Registry, rng: np.random.Generator) -> dict[str, Table]:
    """Every SSD table, each with exactly its spec fields in spec order."""
    b = _Builder(reg, rng)
    built: dict[str, Table] = {
        "ssd_person": b.person(),
        "ssd_department": b.department(),
        "ssd_professionals": b.professionals(),
        "ssd_involvements": b.involvements(),
        "ssd_contacts": b.contacts(),
        "ssd_cin_episodes": b.cin_episodes(),
        "ssd_cin_assessments": b.assessments(),
    }
    s47, conference = b.enquiries()
    built["ssd_s47_enquiry"] = s47
    built["ssd_initial_cp_conference"] = conference
    built["ssd_cin_plans"] = b.cin_plans()
    built["ssd_cp_plans"] = b.cp_plans()
    built["ssd_cla_episodes"] = b.cla_episodes()
    built["ssd_family"] = b.family()
    built["ssd_care_leavers"] = b.care_leavers()
    built["ssd_pre_proceedings"] = b.pre_proceedings()
    spec = ssd_fields()
    out: dict[str, Table] = {}
    for name in SSD_TABLES:
        cols = built[name]
        n = len(next(iter(cols.values())))
        unknown = set(cols) - set(spec[name])
        if unknown:
            raise ValueError(f"{name}: fields not in the SSD spec: {sorted(unknown)}")
        out[name] = {f: cols.get(f, np.full(n, "")) for f in spec[name]}
    return out
