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
from pathlib import Path

import charset_normalizer

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
        size = path.stat().st_size
        if size > max_bytes:
            limit = f"over the {max_bytes:,}-byte limit; split it into smaller files"
            raise ReadError(path, f"file is {size:,} bytes, {limit}")
        data = path.read_bytes()
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


def decode(data: bytes, path: str | Path = "<bytes>", max_bytes: int = MAX_BYTES) -> tuple[str, str]:
    """Decode report bytes, or extract the text of a PDF or DOCX; raise ReadError for
    empty, binary or undecodable input."""
    if not data.strip():
        raise ReadError(path, "file is empty; check that the download or copy finished")
    kind = document_kind(data)
    if kind is not None:
        return _document_text(data, kind, path, max_bytes), kind
    if data.startswith(ZIP_MAGIC):
        raise ReadError(path, BINARY)
    text, encoding = _decode_text(data, path)
    if "\x00" in text:
        raise ReadError(path, BINARY)
    if is_json(text):
        raise ReadError(path, JSON)
    return text, encoding


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


def _document_text(data: bytes, kind: str, path: str | Path, max_bytes: int) -> str:
    try:
        return pdf_text(data) if kind == "pdf" else docx_text(data, max_bytes)
    except DocumentError as exc:
        raise ReadError(path, str(exc)) from exc


def _decode_text(data: bytes, path: str | Path) -> tuple[str, str]:
    if data.startswith(b"\xef\xbb\xbf"):
        return _strict(data[3:], "utf-8", path), "utf-8-sig"
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return _strict(data, "utf-16", path), "utf-16"
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    if b"\x00" in data:
        raise ReadError(path, BINARY)
    best = charset_normalizer.from_bytes(data, cp_isolation=LEGACY_ENCODINGS).best()
    if best is None:
        raise ReadError(path, "cannot decode: not UTF-8, GB18030 or Big5 text; save it as UTF-8 text")
    encoding = best.encoding.replace("_", "-")
    return _strict(data, encoding, path), encoding


def _strict(data: bytes, encoding: str, path: str | Path) -> str:
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as exc:
        reason = f"cannot decode as {encoding}: bad byte at offset {exc.start}; save it as UTF-8 text"
        raise ReadError(path, reason) from exc
