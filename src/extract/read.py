"""Read a report from disk: bytes -> decoded text, or a clear ReadError.

Encodings are detected from the bytes, never guessed from the file name: UTF-8
(with or without BOM) and UTF-16 with a BOM are recognised directly; other bytes
are offered to charset-normalizer limited to the encodings Chinese reports come
in (GB18030, which covers GBK and GB2312, and Big5).

PDF and Word (.docx) files are told by their bytes too, whatever their name, and
read by `documents`: their text is the extracted text (encoding "pdf" or "docx"),
and spans index it.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import stat
import time
from pathlib import Path
from typing import BinaryIO

from .documents import ZIP_MAGIC, DocumentError, document_kind, docx_text, pdf_text
from .html import looks_like_html
from .model import RawDocument

MAX_BYTES = 64 * 1024 * 1024
BINARY = "file looks binary (it contains NUL bytes), not a text, PDF or Word (.docx) report; convert it to text first"
LEGACY_ENCODINGS = ["gb18030", "big5"]
# Encodings of text extracted from a document rather than decoded.
DOCUMENTS = ("pdf", "docx")


class ReadError(Exception):
    """A file that cannot be used as a report; the message names file and reason."""

    def __init__(self, path: str | Path, reason: str):
        super().__init__(f"{path}: {reason}")
        self.path = str(path)
        self.reason = reason


def read_document(path: str | Path, doc_id: str | None = None, max_bytes: int = MAX_BYTES) -> RawDocument:
    """Read and decode one report file."""
    path = Path(path)
    try:
        data = _read_bytes(path, max_bytes)
    except OSError as exc:
        raise ReadError(path, f"cannot read file: {exc.strerror or exc}; check the path and its permissions") from exc
    text, encoding = decode(data, path, max_bytes)
    return RawDocument(
        doc_id=doc_id or path.stem,
        source=str(path),
        sha256=hashlib.sha256(data).hexdigest(),
        text=text,
        encoding=encoding,
        markup="html" if encoding not in DOCUMENTS and looks_like_html(text) else "text",
    )


CHUNK = 1 << 20
# Seconds a FIFO with no writer is waited for, and between looks.
FIFO_WAIT = 3.0
FIFO_POLL = 0.05


def _read_bytes(path: Path, max_bytes: int) -> bytes:
    """The bytes of a regular file or a pipe, never more than `max_bytes`: a FIFO is
    opened without waiting for a writer, a writer is waited for a few seconds only,
    and it is read up to the limit, as a file that grows while it is read is; a
    device or socket is refused."""
    status = path.stat()
    mode = status.st_mode
    if not (stat.S_ISREG(mode) or stat.S_ISFIFO(mode)):
        raise ReadError(path, f"is not a regular file ({_file_type(mode)}); give the report as a file")
    if status.st_size > max_bytes:
        raise ReadError(path, f"file is {status.st_size:,} bytes, {_over(max_bytes)}")
    fifo = stat.S_ISFIFO(mode)
    # O_NONBLOCK only for the open (a FIFO's open waits for a writer); reads block.
    descriptor = os.open(path, os.O_RDONLY | (os.O_NONBLOCK if fifo else 0))
    with os.fdopen(descriptor, "rb", buffering=0) as handle:
        if fifo:
            os.set_blocking(descriptor, True)
        data = _read_at_most(handle, max_bytes + 1)
        # A FIFO reads as empty while it has no writer: one started with the reader
        # (`extract run f & cat report > f`) is given a moment to open it.
        deadline = time.monotonic() + FIFO_WAIT
        while fifo and not data and time.monotonic() < deadline:
            time.sleep(FIFO_POLL)
            data = _read_at_most(handle, max_bytes + 1)
    if len(data) > max_bytes:
        raise ReadError(path, f"file is more than {max_bytes:,} bytes, {_over(max_bytes)}")
    if fifo and not data:
        waited = f"is a pipe (FIFO) that nothing was written to in {FIFO_WAIT:g} s"
        raise ReadError(path, f"{waited}; write the report to it or give a file")
    return data


def _read_at_most(handle: BinaryIO, limit: int) -> bytes:
    chunks, size = [], 0
    while size < limit:
        chunk = handle.read(min(CHUNK, limit - size))
        if not chunk:
            break
        chunks.append(chunk)
        size += len(chunk)
    return b"".join(chunks)


def _over(max_bytes: int) -> str:
    return f"over the {max_bytes:,}-byte limit; split it into smaller files"


def _file_type(mode: int) -> str:
    kinds = [(stat.S_ISCHR, "a character device"), (stat.S_ISBLK, "a block device"), (stat.S_ISSOCK, "a socket")]
    kinds.append((stat.S_ISDIR, "a folder"))
    return next((name for test, name in kinds if test(mode)), "not a file")


def decode(data: bytes, path: str | Path = "<bytes>", max_bytes: int = MAX_BYTES) -> tuple[str, str]:
    """Decode report bytes, or extract the text of a PDF or DOCX; raise ReadError for
    empty, binary or undecodable input."""
    if not data.strip():
        raise ReadError(path, EMPTY)
    kind = document_kind(data)
    if kind is not None:
        return _document_text(data, kind, path, max_bytes), kind
    if data.startswith(ZIP_MAGIC):
        raise ReadError(path, BINARY)
    text, encoding = _decode_text(data, path)
    if "\x00" in text:
        raise ReadError(path, BINARY)
    if BLANK.fullmatch(text):
        # A byte-order mark, ideographic spaces or zero-width spaces alone are as
        # empty as ASCII spaces are.
        raise ReadError(path, EMPTY)
    if is_json(text):
        raise ReadError(path, JSON)
    if is_pdf_source(text):
        raise ReadError(path, PDF_SOURCE)
    return text, encoding


EMPTY = "file is empty; check that the download or copy finished"
BLANK = re.compile(r"[\s\ufeff\u200b-\u200d\u2060]*")
PDF_SOURCE = "file is the inside of a PDF (its `1 0 obj` objects), not text; give the PDF file itself"
PDF_SAMPLE = 65536
PDF_OBJECT = re.compile(r"^\s*\d+ \d+ obj\b", re.MULTILINE)


JSON = "file is JSON, not a report (an output of extract is read by `extract show`, `track`, `audit` and `diff`)"


def is_json(text: str) -> bool:
    """Whether a text is one JSON object or array, or JSON Lines of objects: data,
    never a report, whose numbers would come out as invented figures. A report may
    open with a bracket ([导读], [1]): only what parses as JSON counts."""
    stripped = text.lstrip("\ufeff \t\r\n")
    if stripped[:1] not in {"{", "["}:
        return False
    try:
        json.loads(stripped)
        return True
    except ValueError:
        pass
    try:
        return isinstance(json.loads(stripped.split("\n", 1)[0]), dict)
    except ValueError:
        return False


def is_pdf_source(text: str) -> bool:
    """Whether a text is the object syntax of a PDF (a PDF whose header is missing):
    numbers of its streams and tables would come out as invented figures."""
    head = text[:PDF_SAMPLE]
    return "endobj" in head and PDF_OBJECT.search(head) is not None


def _document_text(data: bytes, kind: str, path: str | Path, max_bytes: int) -> str:
    try:
        return pdf_text(data) if kind == "pdf" else docx_text(data, max_bytes)
    except DocumentError as exc:
        raise ReadError(path, str(exc)) from exc


def _decode_text(data: bytes, path: str | Path) -> tuple[str, str]:
    if data.startswith(b"\xef\xbb\xbf"):
        return _strict(data[3:], "utf-8", path), "utf-8-sig"
    # UTF-32's marks begin with UTF-16's little-endian one: tested first.
    if data.startswith((b"\xff\xfe\x00\x00", b"\x00\x00\xfe\xff")):
        return _strict(data, "utf-32", path), "utf-32"
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return _strict(data, "utf-16", path), "utf-16"
    if b"\x00" in data:
        # Text with NUL bytes is UTF-16 or UTF-32 without a mark (ASCII in them is
        # half or three quarters NUL), or no text at all.
        wide = _wide_unicode(data)
        if wide is None:
            raise ReadError(path, BINARY)
        return wide
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    # Imported here: most reports are UTF-8, and the import costs every run's start.
    import charset_normalizer

    best = charset_normalizer.from_bytes(data, cp_isolation=LEGACY_ENCODINGS).best()
    if best is None:
        return _undetected(data, path)
    encoding = best.encoding.replace("_", "-")
    return _strict(data, encoding, path), encoding


# Tried in this order: UTF-32 read as UTF-16 has NUL characters, UTF-16 read as
# UTF-32 is mostly out of Unicode's range.
WIDE_ENCODINGS = ("utf-32-le", "utf-32-be", "utf-16-le", "utf-16-be")


def _wide_unicode(data: bytes) -> tuple[str, str] | None:
    for encoding in WIDE_ENCODINGS:
        # The head first: a binary file of 64 MiB is not decoded four times whole.
        head = data[: 4 * SAMPLE].decode(encoding, "replace")
        head = head[:-1] if len(data) > 4 * SAMPLE else head  # the last may be cut
        if "\x00" in head or not _looks_like_text(head):
            continue
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        if "\x00" not in text and _looks_like_text(text):
            return text, encoding
    return None


# Characters of the text of a report in any of its languages: ASCII, Latin letters,
# punctuation, CJK and its symbols and full-width forms. Bytes that are not text,
# decoded in a wrong encoding, give mostly others (Hangul, rare CJK, private use).
USUAL = re.compile(r"[\t\n\r\x20-\x7e\xa0-\u024f\u2000-\u206f\u2100-\u27bf\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]")
USUAL_SHARE = 0.95
SAMPLE = 8192


def _looks_like_text(text: str) -> bool:
    sample = text[:SAMPLE]
    return bool(sample) and len(USUAL.findall(sample)) >= USUAL_SHARE * len(sample)


# Encodings whose one bad byte (a file damaged in a copy) makes the detector give up.
DAMAGED_ENCODINGS = ("utf-8", "gb18030", "big5")
# At most this many bad bytes per 1,000, and the rest reads as text: the file is in
# that encoding, damaged where its first bad byte is.
DAMAGE_PER_MILLE = 5
UNDECODABLE = "cannot decode: not UTF-8, GB18030 or Big5 text; save it as UTF-8 text"


def _undetected(data: bytes, path: str | Path) -> tuple[str, str]:
    """Big5-HKSCS text (Hong Kong's Big5, with the characters Cantonese writes; asked
    for only now, since plain Big5 files would be named by it), or the one-line
    reason why the bytes cannot be decoded: the encoding they are nearly in, and
    where its first bad byte is."""
    import charset_normalizer

    hong_kong = charset_normalizer.from_bytes(data, cp_isolation=["big5hkscs"]).best()
    if hong_kong is not None:
        return _strict(data, "big5hkscs", path), "big5hkscs"
    encoding = min(DAMAGED_ENCODINGS, key=lambda encoding: _bad_bytes(data, encoding))
    bad = _bad_bytes(data, encoding)
    damaged = 0 < bad * 1000 <= DAMAGE_PER_MILLE * len(data) and _looks_like_text(data.decode(encoding, "replace"))
    if not damaged:
        raise ReadError(path, UNDECODABLE)
    try:
        data.decode(encoding)
    except UnicodeDecodeError as exc:
        raise ReadError(path, _bad_byte(data, encoding, exc)) from exc
    raise ReadError(path, UNDECODABLE)


def _bad_bytes(data: bytes, encoding: str) -> int:
    """How many places of `data` do not decode in `encoding` (and U+FFFD written in it)."""
    return data.decode(encoding, "replace").count("\ufffd")


def _strict(data: bytes, encoding: str, path: str | Path) -> str:
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as exc:
        raise ReadError(path, _bad_byte(data, encoding, exc)) from exc


def _bad_byte(data: bytes, encoding: str, error: UnicodeDecodeError) -> str:
    line = data.count(b"\n", 0, error.start) + 1
    where = f"bad byte 0x{data[error.start]:02X} at offset {error.start:,} (line {line:,})"
    return f"cannot decode as {encoding}: {where}; fix or remove it, or save the file as UTF-8 text"
