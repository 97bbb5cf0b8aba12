"""Parsing XML safely: every parse goes through defusedxml, and every failure is a finding.

design.md §6 and §8: "defusedxml for every XML parse". DfE returns never need a document type
declaration, so DTDs are refused outright (``forbid_dtd=True``), as are entity declarations (the
"billion laughs" expansion) and external references (XXE): all are ``xml.forbidden``. A document
that is not well-formed, including a truncated upload, is ``xml.malformed`` with the line and
column expat reports. Element names are compared by local name, so a namespace prefix on a
return does not hide its elements.
"""

from __future__ import annotations

from xml.etree.ElementTree import Element, ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring

from caseloads.ingest.findings import Findings
from caseloads.ingest.sources import Loaded


def parse_xml(loaded: Loaded, findings: Findings) -> Element | None:
    """The document's root element, or None (with a finding) if it cannot be read safely."""
    try:
        root: Element = fromstring(
            loaded.data, forbid_dtd=True, forbid_entities=True, forbid_external=True
        )
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
    return root


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
