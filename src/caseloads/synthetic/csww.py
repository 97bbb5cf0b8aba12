"""The DfE children's social work workforce (CSWW) census returns, one per census year.

Each return follows the structure of the 2022 sample (``Message/Header``, ``LALevelVacancies``,
then one ``CSWWWorker`` per worker record, items in the sample's order): directly employed workers
in post at 30 September, those who left during the year (FTE 0 and their FTE in FTE30, with their
leaving date, reason and destination), and agency workers in post at 30 September. Every figure
comes from the same simulated rows as staff.csv, absences.csv and ssd_involvements.csv.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from xml.sax.saxutils import escape

import numpy as np

from caseloads.synthetic.absence import REASONS, SIC
from caseloads.synthetic.dates import NA, census_day, to_date
from caseloads.synthetic.establishment import HOS, ORG_ROLE, SM, SP, SW, TM
from caseloads.synthetic.registry import ROLE_IRO, Registry
from caseloads.synthetic.workforce import AGENCY, DIRECT, Assignment

#: Items of a directly employed worker's record, in the sample's order.
WORKER_ITEMS = (
    "AgencyWorker",
    "SWENo",
    "FTE",
    "PersonBirthDate",
    "GenderCurrent",
    "Ethnicity",
    "QualInst",
    "QualLevel",
    "StepUpGrad",
    "OrgRole",
    "RoleStartDate",
    "StartOrigin",
    "RoleEndDate",
    "LeaverDestination",
    "ReasonLeave",
    "FTE30",
    "Cases30",
    "WorkingDaysLost",
    "ContractWeeks",
    "FrontlineGrad",
    "Absat30Sept",
    "ReasonAbsence",
    "CFKSSstatus",
)


@dataclass
class Return:
    year: int
    vacancies: float
    agency_cover_fte: float
    agency_cover_headcount: int
    workers: list[dict[str, str]]
    generated: date

    @property
    def reference_date(self) -> date:
        return date(self.year, 9, 30)


def _stretches(rows: list[Assignment]) -> list[list[Assignment]]:
    """A worker's direct rows grouped into unbroken stretches of employment."""
    out: list[list[Assignment]] = []
    for a in sorted(rows, key=lambda x: x.start):
        if out and out[-1][-1].end + 1 == a.start:
            out[-1].append(a)
        else:
            out.append([a])
    return out


def build_returns(reg: Registry) -> list[Return]:
    """The census returns for every census year in the history, ascending."""
    c = reg.council
    inv = c.involvements
    cases_role = reg.inv_role != ROLE_IRO
    ab = c.absences
    sick = ab.reason == SIC
    n_people = len(c.workforce.workers) + c.family_help[0].size
    by_worker: dict[int, list[Assignment]] = {}
    for a in c.workforce.assignments:
        if a.end >= a.start:
            by_worker.setdefault(a.worker, []).append(a)
    out: list[Return] = []
    for year in c.window.census_years():
        d = census_day(year)
        y0 = census_day(year - 1) + 1
        held = cases_role & (inv.start <= d) & (inv.end >= d)
        cases = np.bincount(inv.person[held], minlength=n_people)
        in_year = sick & (ab.start >= y0) & (ab.start <= d)
        lost = np.bincount(ab.worker[in_year], weights=ab.days_lost[in_year], minlength=n_people)
        absent_now = (ab.start <= d) & (ab.end >= d)
        absent_reason = {
            int(w): str(r)
            for w, r in zip(ab.worker[absent_now], ab.reason[absent_now], strict=True)
        }
        records: list[tuple[str, dict[str, str]]] = []
        agency_records: list[tuple[str, dict[str, str]]] = []
        in_post_fte = 0.0
        agency: list[tuple[bool, float]] = []
        for worker in sorted(by_worker, key=lambda w: str(reg.worker_ref[w])):
            if not reg.worker_in[worker]:
                continue
            rows = by_worker[worker]
            direct = [a for a in rows if a.contract in DIRECT]
            for stretch in _stretches(direct):
                first, last = stretch[0], stretch[-1]
                now = next((a for a in stretch if a.start <= d <= a.end), None)
                if now is not None:
                    in_post_fte += now.fte
                    rec = _direct(reg, worker, first, now, d)
                    rec["FTE"] = f"{now.fte:.6f}"
                    rec["FTE30"] = f"{now.fte:.6f}"
                    rec["Cases30"] = str(int(cases[worker]))
                    rec["WorkingDaysLost"] = f"{lost[worker]:.2f}"
                    reason = absent_reason.get(worker)
                    rec["Absat30Sept"] = "1" if reason is not None else "0"
                    if reason is not None:
                        rec["ReasonAbsence"] = REASONS[int(reason)]
                    records.append((str(reg.worker_ref[worker]), rec))
                elif y0 <= last.end <= d and last.leaving_reason:
                    rec = _direct(reg, worker, first, last, d)
                    rec["FTE"] = "0"
                    rec["RoleEndDate"] = to_date(last.end).isoformat()
                    rec["LeaverDestination"] = last.destination or "8"
                    rec["ReasonLeave"] = last.leaving_reason
                    # FTE must be 0 for a leaver (Social Finance's validator); the FTE they
                    # held goes in FTE30, the item the published leavers_fte can come from
                    # (definitions.md §1.6; services/workforce reads the larger of the two).
                    rec["FTE30"] = f"{last.fte:.6f}"
                    rec["Cases30"] = "0"
                    rec["WorkingDaysLost"] = f"{lost[worker]:.2f}"
                    rec.pop("CFKSSstatus", None)
                    records.append((str(reg.worker_ref[worker]), rec))
            for a in rows:
                if a.contract == AGENCY and a.start <= d <= a.end:
                    weeks = (d - _agency_stretch_start(rows, a) + 1) / 7
                    agency.append((a.post >= 0, a.fte))
                    agency_records.append(
                        (
                            str(reg.worker_ref[worker]),
                            {
                                "AgencyWorker": "1",
                                "SWENo": str(reg.swe[worker]),
                                "FTE": f"{a.fte:.6f}",
                                "OrgRole": str(ORG_ROLE[a.role]),
                                "Cases30": str(int(cases[worker])),
                                "ContractWeeks": f"{weeks:.1f}",
                            },
                        )
                    )
        posts = c.posts
        establishment = float(posts.fte[posts.active(d)].sum())
        vacancies = max(0.0, establishment - in_post_fte)
        agency_fte = sum(f for _, f in agency)
        cover = min(agency_fte, vacancies)
        headcount, total = 0, 0.0
        for _, f in sorted(agency, key=lambda x: (not x[0], -x[1])):
            if total + f <= cover + 1e-9:
                headcount += 1
                total += f
        out.append(
            Return(
                year=year,
                vacancies=round(vacancies, 2),
                agency_cover_fte=round(cover, 2),
                agency_cover_headcount=headcount,
                workers=[r for _, r in records] + [r for _, r in agency_records],
                generated=min(to_date(c.window.today), date(year + 1, 1, 15)),
            )
        )
    return out


def _agency_stretch_start(rows: list[Assignment], a: Assignment) -> int:
    start = a.start
    for b in sorted(rows, key=lambda x: x.start, reverse=True):
        if b.contract == AGENCY and b.end + 1 == start:
            start = b.start
    return start


def _direct(
    reg: Registry, worker: int, first: Assignment, now: Assignment, d: int
) -> dict[str, str]:
    w = reg.council.workforce.workers[worker]
    asye = w.asye_start != NA and d - w.asye_start < 365
    if asye:
        cfkss = "1"
    elif now.role in (SW,):
        cfkss = "2"
    elif now.role in (SP, TM):
        cfkss = "3"
    elif now.role in (SM, HOS):
        cfkss = "4"
    else:
        cfkss = "2"
    origin = "1" if w.asye_start != NA and first.start == w.asye_start else w.start_origin
    return {
        "AgencyWorker": "0",
        "SWENo": str(reg.swe[worker]),
        "FTE": "",
        "PersonBirthDate": to_date(w.dob).isoformat(),
        "GenderCurrent": str(w.gender),
        "Ethnicity": w.ethnicity,
        "QualInst": "Institution Name",
        "QualLevel": str(w.qual_level),
        "StepUpGrad": "1" if w.step_up else "0",
        "OrgRole": str(ORG_ROLE[now.role]),
        "RoleStartDate": to_date(first.start).isoformat(),
        "StartOrigin": origin,
        "FrontlineGrad": "1" if w.frontline else "0",
        "CFKSSstatus": cfkss,
    }


def to_xml(ret: Return, la_code: str) -> str:
    """The return as XML text (two-space indents, ``\\n`` line ends, UTF-8 declaration)."""
    lines = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        "<Message>",
        "  <Header>",
        "    <CollectionDetails>",
        "      <Collection>CSWW</Collection>",
        f"      <Year>{ret.year}</Year>",
        f"      <ReferenceDate>{ret.reference_date.isoformat()}</ReferenceDate>",
        "    </CollectionDetails>",
        "    <Source>",
        "      <SourceLevel>L</SourceLevel>",
        f"      <LEA>{escape(la_code)}</LEA>",
        "      <SoftwareCode>caseloads.synthetic</SoftwareCode>",
        f"      <DateTime>{ret.generated.isoformat()}T09:00:00Z</DateTime>",
        "    </Source>",
        "  </Header>",
        "  <LALevelVacancies>",
        f"    <NumberOfVacancies>{ret.vacancies:.2f}</NumberOfVacancies>",
        f"    <NoAgencyFTE>{ret.agency_cover_fte:.2f}</NoAgencyFTE>",
        f"    <NoAgencyHeadcount>{ret.agency_cover_headcount}</NoAgencyHeadcount>",
        "  </LALevelVacancies>",
    ]
    for rec in ret.workers:
        lines.append("  <CSWWWorker>")
        for item in WORKER_ITEMS:
            value = rec.get(item)
            if value is not None and value != "":
                lines.append(f"    <{item}>{escape(value)}</{item}>")
        lines.append("  </CSWWWorker>")
    lines.append("</Message>")
    return "\n".join(lines) + "\n"
