"""xml_io: the record reader gives exactly what the element tree gives, with the same refusals."""

from __future__ import annotations

from xml.etree.ElementTree import Element

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tests.ingest.helpers import CSWW_SAMPLE
from tests.ingest.test_properties import mutated

from caseloads.ingest.extract import SourceFile
from caseloads.ingest.findings import Findings
from caseloads.ingest.sources import Loaded
from caseloads.ingest.xml_io import (
    Record,
    children,
    local_name,
    parse_xml,
    parse_xml_records,
)

WORKER = "CSWWWorker"


def _loaded(data: bytes) -> Loaded:
    return Loaded("return.xml", data, SourceFile("return.xml", "0" * 64, len(data)))


def _outline(root: Element) -> list[tuple[str, str | None]]:
    """Every element below the root, in document order, with its text as the readers take it.
    (Text between the root's children, a tail, is read by no reader and so not compared.)"""
    return [(e.tag, (e.text or "").strip() or None) for e in root.iter() if e is not root]


def _from_tree(root: Element) -> tuple[object, list[Record]]:
    """What the element tree says: the root without the records, and each record's items."""
    records = [
        [(local_name(item.tag), (item.text or "").strip() or None) for item in record]
        for record in children(root, WORKER)
    ]
    for record in children(root, WORKER):
        root.remove(record)
    return (root.tag, _outline(root)), records


def _both(data: bytes) -> tuple[object, object, list[str], list[str]]:
    tree_findings, record_findings = Findings(), Findings()
    root = parse_xml(_loaded(data), tree_findings)
    parsed = parse_xml_records(_loaded(data), record_findings, WORKER)
    tree = None if root is None else _from_tree(root)
    flat = None if parsed is None else ((parsed[0].tag, _outline(parsed[0])), parsed[1])
    return tree, flat, [str(f) for f in tree_findings], [str(f) for f in record_findings]


def test_records_are_the_items_of_each_record_in_document_order() -> None:
    data = (
        b'<?xml version="1.0"?>\n'
        b'<m:Message xmlns:m="urn:x"><Header><Source><LEA>301</LEA></Source></Header>'
        b"<!-- a comment --><CSWWWorker><SWENo> SW1 </SWENo><FTE>0.5</FTE>"
        b"<ReasonAbsence>SIC</ReasonAbsence><ReasonAbsence/>"
        b"<QualInst>Uni<b>ignored</b> tail</QualInst></CSWWWorker>"
        b"<m:CSWWWorker><m:SWENo><![CDATA[SW2]]></m:SWENo></m:CSWWWorker></m:Message>"
    )
    findings = Findings()
    parsed = parse_xml_records(_loaded(data), findings, WORKER)
    assert parsed is not None and not list(findings)
    root, records = parsed
    assert records == [
        [
            ("SWENo", "SW1"),
            ("FTE", "0.5"),
            ("ReasonAbsence", "SIC"),
            ("ReasonAbsence", None),
            ("QualInst", "Uni"),
        ],
        [("SWENo", "SW2")],
    ]
    # The rest of the document is an ordinary element tree, the records left out.
    assert local_name(root.tag) == "Message" and root.tag == "{urn:x}Message"
    assert [local_name(c.tag) for c in root] == ["Header"]


def test_a_dtd_is_refused_as_by_the_element_tree_reader() -> None:
    data = b'<?xml version="1.0"?><!DOCTYPE Message [<!ENTITY a "x">]><Message>&a;</Message>'
    tree, flat, tree_findings, record_findings = _both(data)
    assert tree is None and flat is None
    assert record_findings == tree_findings
    assert "xml.forbidden" in record_findings[0]


def test_a_truncated_document_is_malformed_with_the_same_place() -> None:
    data = CSWW_SAMPLE.read_bytes()[:1500]
    tree, flat, tree_findings, record_findings = _both(data)
    assert tree is None and flat is None
    assert record_findings == tree_findings
    assert "xml.malformed" in record_findings[0] and "at line" in record_findings[0]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutated(CSWW_SAMPLE.read_bytes()))
def test_the_record_reader_agrees_with_the_element_tree_on_any_mutation(data: bytes) -> None:
    tree, flat, tree_findings, record_findings = _both(data)
    assert flat == tree
    assert record_findings == tree_findings


@given(st.text(alphabet=st.characters(blacklist_categories=["Cs", "Cc"]), max_size=30))
def test_item_text_is_stripped_and_empty_is_none(text: str) -> None:
    escaped = text.replace("&", "&amp;").replace("<", "&lt;").encode()
    data = b"<Message><CSWWWorker><SWENo>" + escaped + b"</SWENo></CSWWWorker></Message>"
    tree, flat, _, _ = _both(data)
    assert flat == tree
