"""Property: no mutation of a valid file makes a reader raise; each read ends in an Extract."""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tests.ingest.helpers import CSWW_SAMPLE, P, assert_shapes

from caseloads.ingest.csww import read_csww
from caseloads.ingest.extract import Extract
from caseloads.ingest.rules import RULES
from caseloads.ingest.ssd import read_ssd
from caseloads.ingest.staff import read_staff

STAFF = (
    b"worker_ref,swe_number,post_id,team,role,org_role,contract,fte,start_date,end_date,"
    b"leaving_reason,qualified_date,asye_start\n"
    b'W1,SW1234567890,P1,"Team, North",sw,5,permanent,1,2020-01-06,2021-12-31,,2019-07-01,\n'
    b"W1,SW1234567890,P2,Team South,sp,4,permanent,0.8,2022-01-01,,,,\n"
    b"W2,SW0987654321,,Team North,sw,,Fixed Term,0.5,01/02/2023,,,2022-06-30,\n"
)
INVOLVEMENTS = (
    b"invo_involvements_id,invo_professional_id,invo_professional_role_id,invo_professional_team,"
    b"invo_involvement_start_date,invo_involvement_end_date,invo_worker_change_reason,"
    b"invo_person_id,invo_referral_id\n"
    b"I1,PR1,CW,Team A,2023-01-01,2023-06-30,LEFTRL,C1,R1\n"
    b"I2,PR1,CW,Team B,2023-07-01,,,C2,R1\n"
)
CSWW = CSWW_SAMPLE.read_bytes()


@st.composite
def mutated(draw: st.DrawFn, original: bytes) -> bytes:
    """``original`` after a few byte flips, insertions, truncations and line edits."""
    data = bytearray(original)
    for _ in range(draw(st.integers(1, 4))):
        kind = draw(st.sampled_from(["flip", "insert", "truncate", "delete_line", "repeat_line"]))
        if not data:
            break
        at = draw(st.integers(0, len(data) - 1))
        if kind == "flip":
            data[at] = draw(st.integers(0, 255))
        elif kind == "insert":
            data[at:at] = draw(
                st.binary(min_size=1, max_size=4)
                | st.sampled_from([b",", b'"', b"\n", b"<", b"&", b"\r"])
            )
        elif kind == "truncate":
            del data[at:]
        else:
            lines = bytes(data).split(b"\n")
            i = draw(st.integers(0, len(lines) - 1))
            if kind == "delete_line":
                del lines[i]
            else:
                lines.insert(i, lines[i])
            data = bytearray(b"\n".join(lines))
    return bytes(data)


def check(read: Callable[..., Extract], path: Path, kind: str) -> None:
    extract = read(path, la_code="301", pseudonymiser=P, max_file_bytes=1_000_000)
    assert isinstance(extract, Extract) and extract.kind == kind
    assert_shapes(extract)
    assert {f.rule for f in extract.findings} <= set(RULES)


SETTINGS = settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(mutated(STAFF))
def test_a_mutated_staff_csv_never_raises(data: bytes) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "staff.csv"
        path.write_bytes(data)
        check(read_staff, path, "staff")


@SETTINGS
@given(mutated(INVOLVEMENTS))
def test_a_mutated_ssd_table_never_raises(data: bytes) -> None:
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        (root / "ssd_person.csv").write_bytes(b"pers_person_id\nC1\nC2\n")
        (root / "ssd_professionals.csv").write_bytes(b"prof_professional_id\nPR1\n")
        (root / "ssd_involvements.csv").write_bytes(data)
        check(read_ssd, root, "ssd")


@SETTINGS
@given(mutated(CSWW))
def test_a_mutated_csww_return_never_raises(data: bytes) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "csww.xml"
        path.write_bytes(data)
        check(read_csww, path, "csww")
