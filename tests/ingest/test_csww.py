"""The CSWW census return (csww.py) and safe XML parsing (xml_io.py)."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest
from tests.ingest.helpers import (
    CSWW_SAMPLE,
    P,
    assert_clean,
    assert_no_raw,
    assert_shapes,
    found,
    write,
)

from caseloads.ingest.csww import PERSON_NAMESPACE, read_csww
from caseloads.ingest.extract import Extract
from caseloads.ingest.pseudonymise import swe_namespace

SAMPLE = CSWW_SAMPLE.read_text()
HEADER = """<Header><CollectionDetails><Collection>CSWW</Collection><Year>2023</Year>
<ReferenceDate>2023-09-30</ReferenceDate></CollectionDetails><Source><SourceLevel>L</SourceLevel>
<LEA>826</LEA></Source></Header>"""
VACANCIES = """<LALevelVacancies><NumberOfVacancies>3.50</NumberOfVacancies>
<NoAgencyFTE>2.00</NoAgencyFTE><NoAgencyHeadcount>2</NoAgencyHeadcount></LALevelVacancies>"""
WORKER = """<CSWWWorker><AgencyWorker>0</AgencyWorker><SWENo>SW1000000001</SWENo><FTE>1</FTE>
<PersonBirthDate>1980-02-29</PersonBirthDate><GenderCurrent>2</GenderCurrent>
<Ethnicity>WBRI</Ethnicity><QualInst>Somewhere</QualInst><OrgRole>5</OrgRole>{extra}</CSWWWorker>"""


def message(*workers: str, header: str = HEADER, vacancies: str = VACANCIES) -> str:
    return f"<?xml version='1.0' encoding='utf-8'?><Message>{header}{vacancies}{''.join(workers)}</Message>"


def worker(extra: str = "") -> str:
    return WORKER.format(extra=extra)


def read(tmp_path: Path, text: str | bytes, la_code: str | None = None) -> Extract:
    path = write(tmp_path, "csww.xml", text)
    return read_csww(path, la_code=la_code, pseudonymiser=P, max_file_bytes=1_000_000)


def test_the_sample_return(tmp_path: Path) -> None:
    extract = read_csww(CSWW_SAMPLE, la_code="301", pseudonymiser=P, max_file_bytes=10**7)
    assert_clean(extract)
    assert_shapes(extract)
    assert (extract.kind, extract.la_code, extract.scope) == ("csww", "301", "2022")
    assert extract.as_of == date(2022, 9, 30)
    assert extract.frames["csww_vacancies"].rows() == [(2022, 79.68, 59.82, 71)]
    workers = extract.frames["csww_workers"]
    assert workers.height == SAMPLE.count("<CSWWWorker>")
    first = workers.row(0, named=True)
    swe = P.one(swe_namespace(), "OZ2054309383")  # <SWENo>Oz2054309383</SWENo>, normalised
    assert first == {
        "census_year": 2022,
        "worker_id": swe,
        "swe_hash": swe,
        "person_key": P.one(PERSON_NAMESPACE, "OZ2054309383|1967-01-04|1|REFU"),
        "agency": True,
        "fte": 0.521371,
        "fte30": None,
        "org_role": None,
        "role_start_date": date(1988, 4, 7),
        "role_end_date": None,
        "start_origin": 9,
        "reason_leave": None,
        "leaver_destination": None,
        "cases30": 72,
        "working_days_lost": 15.31,
        "contract_weeks": 288.7,
        "absent_30sep": False,
        "reason_absence": "TRN",
        "qual_level": None,
        "step_up_grad": False,
        "frontline_grad": True,
        "cfkss_status": 1,
        "birth_year": 1967,
        "gender": 1,
        "ethnicity": "REFU",
    }
    second = workers.row(1, named=True)
    assert (second["fte"], second["fte30"], second["org_role"], second["reason_leave"]) == (
        0.0,
        0.603665,
        2,
        10,
    )
    assert (second["role_end_date"], second["leaver_destination"]) == (date(2019, 9, 23), 7)
    swe_numbers = re.findall(r"<SWENo>(.*?)</SWENo>", SAMPLE)
    births = re.findall(r"<PersonBirthDate>(.*?)</PersonBirthDate>", SAMPLE)
    assert_no_raw(extract, swe_numbers + [s.upper() for s in swe_numbers] + births)


def test_repeated_items_are_combined(tmp_path: Path) -> None:
    extra = (
        "<ContractWeeks>10.5</ContractWeeks><ContractWeeks>2.0</ContractWeeks>"
        "<Absat30Sept>0</Absat30Sept><Absat30Sept>1</Absat30Sept>"
        "<ReasonAbsence>SIC</ReasonAbsence><ReasonAbsence>mat</ReasonAbsence>"
        "<CFKSSstatus>1</CFKSSstatus><CFKSSstatus>3</CFKSSstatus><CFKSSstatus>2</CFKSSstatus>"
        "<QualInst>Elsewhere</QualInst>"
    )
    extract = read(tmp_path, message(worker(extra), worker()))
    assert_clean(extract)
    rows = extract.frames["csww_workers"].select(
        "contract_weeks", "absent_30sep", "reason_absence", "cfkss_status"
    )
    assert rows.rows() == [(12.5, True, "SIC;MAT", 3), (None, None, None, None)]
    assert (extract.la_code, extract.scope, extract.as_of) == ("826", "2023", date(2023, 9, 30))


def test_the_authority_comes_from_the_header(tmp_path: Path) -> None:
    assert not read(tmp_path, message(worker()), la_code="826").findings.has_errors()
    (finding,) = read(tmp_path, message(worker()), la_code="301").findings
    assert (finding.rule, finding.column, finding.value) == ("la.mismatch", "LEA", "826")


def test_header_items(tmp_path: Path) -> None:
    no_lea = HEADER.replace("<LEA>826</LEA>", "")
    assert [
        (f.rule, f.column) for f in read(tmp_path, message(worker(), header=no_lea)).findings
    ] == [("required", "LEA")]
    no_year = HEADER.replace("<Year>2023</Year>", "")
    extract = read(tmp_path, message(worker(), header=no_year))
    assert [(f.rule, f.column) for f in extract.findings] == [("required", "Year")]
    no_date = HEADER.replace("<ReferenceDate>2023-09-30</ReferenceDate>", "")
    extract = read(tmp_path, message(worker(), header=no_date))
    assert_clean(extract)
    assert extract.as_of == date(2023, 9, 30)


@pytest.mark.parametrize(
    ("extra", "rule", "column", "value"),
    [
        ("<OrgRole>7</OrgRole>", "xml.repeated", "OrgRole", None),
        ("<ReasonLeave>11</ReasonLeave>", "range", "ReasonLeave", "11"),
        ("<FTE30>1.2</FTE30>", "range", "FTE30", "1.2"),
        ("<Cases30>many</Cases30>", "type.number", "Cases30", "many"),
        ("<ReasonAbsence>FLU</ReasonAbsence>", "code.unknown", "ReasonAbsence", "FLU"),
        ("<CFKSSstatus>5</CFKSSstatus>", "range", "CFKSSstatus", "5"),
        (
            "<RoleStartDate>2020-01-01</RoleStartDate><RoleEndDate>2019-01-01</RoleEndDate>"
            "<ReasonLeave>1</ReasonLeave><LeaverDestination>1</LeaverDestination>",
            "date.order",
            "RoleEndDate",
            "2019-01-01 is before 2020-01-01",
        ),
        ("<StepUpGrad>2</StepUpGrad>", "type.flag", "StepUpGrad", "2"),
    ],
)
def test_each_worker_rule(
    tmp_path: Path, extra: str, rule: str, column: str, value: str | None
) -> None:
    extract = read(tmp_path, message(worker(), worker(extra)))
    (finding,) = extract.findings
    assert (finding.severity, finding.rule, finding.row, finding.column, finding.value) == (
        "error",
        rule,
        2,
        column,
        value,
    )


def test_required_worker_items(tmp_path: Path) -> None:
    bare = "<CSWWWorker><FTE>1</FTE></CSWWWorker>"
    got = sorted(
        (f.rule, f.row, f.column) for f in read(tmp_path, message(worker(), bare)).findings
    )
    assert got == [("required", 2, "AgencyWorker"), ("required", 2, "SWENo")]


def test_unknown_elements_are_warned_once_per_name(tmp_path: Path) -> None:
    odd = worker("<Nickname>Jo</Nickname>")
    extract = read(tmp_path, message(odd, odd).replace("</Message>", "<Extra/></Message>"))
    got = [(f.severity, f.rule, f.row, f.column) for f in extract.findings]
    assert got == [
        ("warning", "xml.unknown", None, "Extra"),
        ("warning", "xml.unknown", 1, "Nickname"),
    ]
    assert "2 worker(s)" in list(extract.findings)[1].message


def test_swe_shape_warning(tmp_path: Path) -> None:
    extract = read(tmp_path, message(worker().replace("SW1000000001", "SW10")))
    (finding,) = found(extract, "swe.shape", "warning")
    assert (finding.row, finding.column, finding.value) == (1, "SWENo", "AA99")


def test_a_leaver_without_reason_or_destination_is_a_warning(tmp_path: Path) -> None:
    leaver = worker(
        "<RoleStartDate>2019-01-07</RoleStartDate><RoleEndDate>2022-06-30</RoleEndDate>"
        "<LeaverDestination>1</LeaverDestination>"
    )
    extract = read(tmp_path, message(worker(), leaver))
    assert not extract.findings.has_errors()
    (finding,) = found(extract, "leaver.reason", "warning")
    assert (finding.row, finding.column) == (2, "ReasonLeave")
    assert extract.frames["csww_workers"].height == 2  # the leaver is still counted


def test_structure_errors(tmp_path: Path) -> None:
    assert [f.rule for f in read(tmp_path, "<Other/>").findings] == ["xml.structure"]
    no_workers = read(tmp_path, message())
    assert [(f.rule, f.column) for f in no_workers.findings] == [("xml.structure", "CSWWWorker")]
    no_vacancies = read(tmp_path, message(worker(), vacancies=""))
    assert [(f.rule, f.column) for f in no_vacancies.findings] == [
        ("xml.structure", "LALevelVacancies")
    ]
    assert_shapes(no_vacancies)


def test_a_namespaced_return_is_read(tmp_path: Path) -> None:
    text = message(worker()).replace("<Message>", "<Message xmlns='urn:x-csww'>")
    extract = read(tmp_path, text)
    assert_clean(extract)
    assert extract.frames["csww_workers"].height == 1


BILLION_LAUGHS = """<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>
<Message>&lol3;</Message>"""
EXTERNAL = """<?xml version="1.0"?>
<!DOCTYPE m [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><Message>&xxe;</Message>"""
DTD = """<?xml version="1.0"?><!DOCTYPE Message SYSTEM "http://example.org/csww.dtd">
<Message/>"""


@pytest.mark.parametrize("text", [BILLION_LAUGHS, EXTERNAL, DTD], ids=["laughs", "xxe", "dtd"])
def test_dtds_and_entities_are_forbidden(tmp_path: Path, text: str) -> None:
    extract = read(tmp_path, text)
    assert [f.rule for f in extract.findings] == ["xml.forbidden"]
    assert_shapes(extract)


def test_truncated_and_damaged_xml_is_malformed(tmp_path: Path) -> None:
    truncated = read(tmp_path, SAMPLE[: len(SAMPLE) // 2])
    (finding,) = truncated.findings
    assert finding.rule == "xml.malformed" and "line" in finding.message
    assert [f.rule for f in read(tmp_path, b"\xff\xfe<not xml").findings] == ["xml.malformed"]
    assert [f.rule for f in read(tmp_path, "").findings] == ["xml.malformed"]
