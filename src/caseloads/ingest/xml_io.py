"""Parsing XML safely: every parse goes through defusedxml, and every failure is a finding.

design.md §6 and §8: "defusedxml for every XML parse". DfE returns never need a document type
declaration, so DTDs are refused outright (``forbid_dtd=True``), as are entity declarations (the
"billion laughs" expansion) and external references (XXE): all are ``xml.forbidden``. A document
that is not well-formed, including a truncated upload, is ``xml.malformed`` with the line and
column expat reports. Element names are compared by local name, so a namespace prefix on a
return does not hide its elements.

A return of many flat records (the CSWW census: one ``CSWWWorker`` per worker, each a list of
items with text) is read by :func:`parse_xml_records`: the same defusedxml parser, with the same
refusals, but the records' items are collected straight from the parser's events as
``(name, text)`` pairs instead of being built into elements and walked again: parsing and
collecting a large authority's census return took 40-49 ms instead of 66-79 ms (defusedxml's
element tree builds each element in Python).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar
from xml.etree.ElementTree import Element, ParseError, TreeBuilder

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import DefusedXMLParser, fromstring

from caseloads.ingest.findings import Findings
from caseloads.ingest.sources import Loaded

_T = TypeVar("_T")


#: One record's items, in document order: each item's local name and its text (stripped; None if
#: empty), as :func:`child_text` would give it.
Record = list[tuple[str, str | None]]


def parse_xml(loaded: Loaded, findings: Findings) -> Element | None:
    """The document's root element, or None (with a finding) if it cannot be read safely."""
    return _guarded(
        loaded,
        findings,
        lambda: fromstring(
            loaded.data, forbid_dtd=True, forbid_entities=True, forbid_external=True
        ),
    )


def parse_xml_records(
    loaded: Loaded, findings: Findings, record: str
) -> tuple[Element, list[Record]] | None:
    """The document read with defusedxml, as :func:`parse_xml` reads it, except that each child
    of the root named ``record`` (local name) is returned as a :data:`Record` of its own
    children's names and texts instead of as an element (and is left out of the returned root).
    An item's text is the text before its first child element, as ``Element.text``; elements
    inside an item are ignored. None (with a finding) if the document cannot be read safely."""

    def read() -> tuple[Element, list[Record]]:
        builder = TreeBuilder()
        parser = DefusedXMLParser(
            target=builder, forbid_dtd=True, forbid_entities=True, forbid_external=True
        )
        collector = _RecordCollector(builder, record)
        expat = parser.parser
        expat.StartElementHandler = collector.start
        expat.EndElementHandler = collector.end
        expat.CharacterDataHandler = collector.data
        parser.feed(loaded.data)
        root: Element = parser.close()
        return root, collector.records

    return _guarded(loaded, findings, read)


class _RecordCollector:
    """Expat element events -> the document's elements outside the records (built by the C
    ``TreeBuilder``), plus each record's items as ``(name, text)`` pairs. Depth 1 is the root,
    2 its children (the records), 3 a record's items."""

    def __init__(self, builder: TreeBuilder, record: str) -> None:
        self._builder = builder
        self._record = record
        self._depth = 0
        self._items: Record | None = None  # the record being read, if any
        self._name = ""
        self._text: list[str] = []
        self._open = False  # collecting the current item's text (before its first child)
        self._names: dict[str, str] = {}  # expat tag -> local name (a return has few names)
        self.records: list[Record] = []

    def start(self, tag: str, _attrs: object) -> None:
        self._depth += 1
        if self._items is not None:
            if self._depth == 3:
                name = self._names.get(tag)
                if name is None:
                    name = self._names[tag] = local_name(tag)
                self._name = name
                self._text = []
                self._open = True
            else:
                self._open = False
            return
        if self._depth == 2 and local_name(tag) == self._record:
            self._items = []
            return
        self._builder.start(_element_tag(tag), {})

    def end(self, tag: str) -> None:
        depth = self._depth
        self._depth -= 1
        if self._items is not None:
            if depth == 3:
                text = "".join(self._text).strip()
                self._items.append((self._name, text or None))
                self._open = False
            elif depth == 2:
                self.records.append(self._items)
                self._items = None
            return
        self._builder.end(_element_tag(tag))

    def data(self, text: str) -> None:
        if self._items is None:
            self._builder.data(text)
        elif self._open:
            self._text.append(text)


def _element_tag(tag: str) -> str:
    """Expat's ``uri}name`` as ElementTree's ``{uri}name``."""
    return "{" + tag if "}" in tag else tag


def _guarded(loaded: Loaded, findings: Findings, parse: Callable[[], _T]) -> _T | None:
    """``parse()``, with every way an XML document can fail turned into a finding (and None)."""
    try:
        return parse()
    except DefusedXmlException as exc:
        findings.error(
            "xml.forbidden",
            f"the XML declares a DTD, entities or external references, which are not allowed "
            f"({type(exc).__name__})",
            loaded.name,
        )
        return None
    except ParseError as exc:
        line, column = getattr(exc, "position", (None, None))
        where = f" at line {line}, column {column}" if line is not None else ""
        findings.error(
            "xml.malformed",
            f"the file is not well-formed XML{where} (truncated or damaged?)",
            loaded.name,
        )
        return None
    except (ValueError, LookupError, UnicodeError, RecursionError) as exc:
        findings.error("xml.malformed", f"the file cannot be read as XML ({exc})", loaded.name)
        return None


def local_name(tag: object) -> str:
    """``{namespace}Name`` -> ``Name``; comments and processing instructions -> ``""``."""
    if not isinstance(tag, str):
        return ""
    return tag.rsplit("}", 1)[-1]


def children(element: Element, name: str) -> list[Element]:
    return [c for c in element if local_name(c.tag) == name]


def child_text(element: Element | None, *path: str) -> str | None:
    """Stripped text of the first element down ``path`` (None if absent or empty)."""
    node = element
    for name in path:
        if node is None:
            return None
        found = children(node, name)
        node = found[0] if found else None
    if node is None or node.text is None:
        return None
    text = node.text.strip()
    return text or None
