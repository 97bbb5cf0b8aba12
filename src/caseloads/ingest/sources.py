"""Opening an extract file safely, before any parsing: existence, size, archives, text encoding.

- A file larger than ``max_file_bytes`` (config.py, default 1 GB) is refused before a byte of it is
  read (``file.too_large``).
- A zip archive where a CSV or XML file is expected is refused with advice (``file.zip``): councils
  often receive extracts zipped, and an Excel ``.xlsx`` workbook is a zip archive too.
- CSV text must be UTF-8 (with or without a byte-order mark, as Excel's "CSV UTF-8" saves it) or
  Windows-1252 (Excel's plain "CSV" on Windows). The bytes are decoded once, trying UTF-8 first;
  UTF-16 and binary files (NUL bytes, e.g. an old ``.xls``) are refused (``file.encoding``).
- Readers that store rows for one authority need its code (``la.missing``).
"""

from __future__ import annotations

import codecs
import hashlib
from dataclasses import dataclass
from pathlib import Path

from caseloads.ingest.extract import SourceFile
from caseloads.ingest.findings import Findings

_ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06", b"PK\x07\x08")
ZIP_ADVICE = (
    "this is a zip archive (an Excel .xlsx workbook is one too): unzip it and import the "
    "folder/file inside it, or save the workbook as CSV UTF-8"
)


@dataclass(frozen=True, slots=True)
class Loaded:
    """The bytes of one file, checked for size and archive, with its digest."""

    name: str
    data: bytes
    source: SourceFile


@dataclass(frozen=True, slots=True)
class Text:
    """Decoded text plus the same text as UTF-8 bytes (what the CSV parser reads)."""

    text: str
    utf8: bytes
    encoding: str


def is_zip(head: bytes) -> bool:
    return head.startswith(_ZIP_MAGIC)


def load_file(path: Path, *, max_file_bytes: int, findings: Findings) -> Loaded | None:
    """Read ``path`` whole, or report why not and return None."""
    name = path.name or str(path)
    try:
        if not path.exists():
            findings.error("file.missing", "the file does not exist", name)
            return None
        if not path.is_file():
            findings.error("file.missing", "this is a folder, not a file", name)
            return None
        size = path.stat().st_size
        if size > max_file_bytes:
            findings.error(
                "file.too_large",
                f"the file is {size:,} bytes, more than the limit of {max_file_bytes:,} "
                "(setting max_file_bytes)",
                name,
            )
            return None
        with path.open("rb") as fh:
            data = fh.read(max_file_bytes + 1)
    except OSError as exc:
        findings.error("file.unreadable", f"the file cannot be read: {exc.strerror or exc}", name)
        return None
    if len(data) > max_file_bytes:  # grew while we looked
        findings.error("file.too_large", f"the file is larger than {max_file_bytes:,} bytes", name)
        return None
    if is_zip(data[:4]):
        findings.error("file.zip", ZIP_ADVICE, name)
        return None
    source = SourceFile(name, hashlib.sha256(data).hexdigest(), len(data))
    return Loaded(name, data, source)


def decode_text(loaded: Loaded, findings: Findings) -> Text | None:
    """Decode CSV bytes as UTF-8 (BOM optional) or, failing that, Windows-1252."""
    data = loaded.data
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        findings.error(
            "file.encoding",
            "the file is UTF-16 text: save it as CSV UTF-8 (or plain CSV)",
            loaded.name,
        )
        return None
    if b"\x00" in data:
        findings.error(
            "file.encoding",
            "the file is binary, not text (an old Excel .xls workbook?): save it as CSV UTF-8",
            loaded.name,
        )
        return None
    body = data[3:] if data.startswith(codecs.BOM_UTF8) else data
    try:
        return Text(body.decode("utf-8"), body, "utf-8")
    except UnicodeDecodeError:
        pass
    try:
        text = body.decode("cp1252")
    except UnicodeDecodeError as exc:
        bad = body[exc.start : exc.start + 1].hex()
        findings.error(
            "file.encoding",
            f"the file is neither UTF-8 nor Windows-1252 text (byte 0x{bad} at offset "
            f"{exc.start}): save it as CSV UTF-8",
            loaded.name,
        )
        return None
    return Text(text, text.encode("utf-8"), "cp1252")


def resolve_la(la_code: str | None, *, kind: str, file: str, findings: Findings) -> str:
    """The authority code for an extract that does not carry one itself."""
    code = (la_code or "").strip()
    if not code:
        findings.error(
            "la.missing",
            f"a {kind} extract does not say which authority it is for: give the authority code",
            file,
        )
    return code
