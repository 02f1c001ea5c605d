"""PDF and Word (.docx) reports: the text of their pages or paragraphs.

The kind is told by the bytes, not the file name: a PDF starts with `%PDF-`, a
DOCX is a zip archive holding `word/document.xml`.

PDFs are read with pypdfium2, Python bindings to PDFium (the PDF engine of
Chromium): it is actively maintained, ships prebuilt wheels for every common
platform (nothing to compile, no system library), is fast, and orders the text of
a page as it is read. Only the text layer is read: a scanned PDF has none and
needs OCR first.

DOCX is read from its document XML with zipfile and lxml (already installed, for
HTML pages): the body's paragraphs and table rows in order are all a report needs,
so python-docx would only add a dependency.
"""

from __future__ import annotations

import io
import re
import threading
from collections.abc import Iterator
from typing import TYPE_CHECKING

# Loaded when a PDF or DOCX comes in, not at start-up (`extract --help`, text reports).
if TYPE_CHECKING:
    import pypdfium2
    from lxml import etree

PDF_MAGIC = b"%PDF-"
# Readers accept the header anywhere in the first KiB (a mail or web server, or an
# editor's byte-order mark, may come before it).
PDF_HEADER = re.compile(rb"%PDF-\d\.\d")
PDF_HEADER_WITHIN = 1024
ZIP_MAGIC = b"PK\x03\x04"
DOCX_PART = "word/document.xml"
# A hyphen that PDFium found at a line end: it joins the two lines and puts this
# mark in place of the hyphen. The line is given back, so that the normaliser
# treats the hyphen as it does in plain text.
PDFIUM_HYPHEN = "\x02"
NO_TEXT = "PDF has no text layer (a scanned document?); run OCR on it first"
# PDFium is not thread-safe: one document at a time in a process.
_PDFIUM_LOCK = threading.Lock()

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
# Parts of a paragraph that are not its visible text: deleted revisions, field codes,
# the fallback copy of a drawing, text boxes (their own paragraphs, out of the flow).
SKIPPED = {
    f"{W}delText",
    f"{W}instrText",
    f"{W}txbxContent",
    "{http://schemas.openxmlformats.org/markup-compatibility/2006}Fallback",
}
CHARACTERS = {f"{W}tab": "\t", f"{W}br": "\n", f"{W}cr": "\n", f"{W}noBreakHyphen": "-"}


class DocumentError(Exception):
    """A PDF or DOCX whose text cannot be had; the message is the reason, one line."""


def document_kind(data: bytes) -> str | None:
    """'pdf', 'docx', or None for anything else (text, or another binary)."""
    if data.startswith(PDF_MAGIC) or PDF_HEADER.search(data, 0, PDF_HEADER_WITHIN):
        return "pdf"
    if data.startswith(ZIP_MAGIC) and DOCX_PART.encode() in data:
        # Member names are stored uncompressed, so even a damaged archive is known.
        return "docx"
    return None


def pdf_text(data: bytes) -> str:
    """The text layer of a PDF, page by page, pages joined with a line break."""
    import pypdfium2

    with _PDFIUM_LOCK:
        try:
            pages = _pdf_pages(data)
        except pypdfium2.PdfiumError as exc:
            raise DocumentError(_pdf_failure(str(exc))) from exc
    text = "\n".join(page.replace("\r\n", "\n").replace(PDFIUM_HYPHEN, "-\n") for page in pages)
    if not text.strip():
        raise DocumentError(NO_TEXT)
    return text


def _pdf_pages(data: bytes) -> list[str]:
    import pypdfium2

    document = pypdfium2.PdfDocument(data)
    try:
        return [_page_text(page) for page in document]
    finally:
        document.close()


def _page_text(page: pypdfium2.PdfPage) -> str:
    textpage = page.get_textpage()
    try:
        # get_text_bounded: full Unicode (get_text_range is limited to UCS-2).
        return textpage.get_text_bounded()
    finally:
        textpage.close()
        page.close()


def _pdf_failure(error: str) -> str:
    if "password" in error.lower():
        return "PDF is encrypted (it needs a password to open); save an unencrypted copy"
    # pypdfium2 says "Failed to load document (PDFium: Data format error)."
    detail = re.search(r"PDFium: [^)]*", error)
    reason = detail.group(0) if detail else " ".join(error.split()).rstrip(".")
    return f"cannot read the PDF, it is damaged or cut short ({reason}); download or export it again"


def docx_text(data: bytes, max_bytes: int | None = None) -> str:
    """The paragraphs of a DOCX body in order, one a line; a table row is one line,
    its cells separated by a tab."""
    root = _docx_root(data, max_bytes)
    body = root.find(f"{W}body")
    if body is None:
        raise DocumentError(f"not a Word document: {DOCX_PART} has no body; save it again as .docx")
    text = "\n".join(_blocks(body))
    if not text.strip():
        raise DocumentError("Word document has no text in its body")
    return text


def _docx_root(data: bytes, max_bytes: int | None) -> etree._Element:
    import zipfile  # here, as lxml: only a Word file needs it

    from lxml import etree

    damaged = "cannot read the Word file, it is damaged or cut short"
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            info = archive.getinfo(DOCX_PART)
            if max_bytes is not None and info.file_size > max_bytes:
                raise DocumentError(f"{DOCX_PART} unpacks to {info.file_size:,} bytes, over the limit")
            xml = archive.read(info)
    except (zipfile.BadZipFile, KeyError, OSError, EOFError, ValueError, NotImplementedError) as exc:
        raise DocumentError(f"{damaged} ({_one_line(exc)}); save it again as .docx") from exc
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
    try:
        return etree.fromstring(xml, parser)
    except etree.XMLSyntaxError as exc:
        raise DocumentError(f"{damaged} (bad XML: {_one_line(exc)}); save it again as .docx") from exc


def _one_line(exc: BaseException) -> str:
    return " ".join(str(exc).split()) or type(exc).__name__


def _blocks(element: etree._Element) -> Iterator[str]:
    """Lines of the paragraphs and table rows under `element`, in document order;
    content controls and custom XML are looked into."""
    for child in element:
        if child.tag == f"{W}p":
            yield _paragraph(child)
        elif child.tag == f"{W}tbl":
            yield from (_row(row) for row in child.iter(f"{W}tr") if _table_of(row) is child)
        elif child.tag not in SKIPPED:
            yield from _blocks(child)


def _table_of(row: etree._Element) -> etree._Element | None:
    return next(row.iterancestors(f"{W}tbl"), None)


def _row(row: etree._Element) -> str:
    cells = row.iter(f"{W}tc")
    return "\t".join(" ".join(" ".join(_blocks(cell)).split()) for cell in cells if _row_of(cell) is row)


def _row_of(cell: etree._Element) -> etree._Element | None:
    return next(cell.iterancestors(f"{W}tr"), None)


def _paragraph(paragraph: etree._Element) -> str:
    return "".join(_characters(paragraph))


def _characters(element: etree._Element) -> Iterator[str]:
    for child in element:
        if child.tag in SKIPPED:
            continue
        if child.tag == f"{W}t":
            yield child.text or ""
        elif child.tag in CHARACTERS:
            yield CHARACTERS[child.tag]
        else:
            yield from _characters(child)
