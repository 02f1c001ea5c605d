"""The article text of an HTML page, as pieces that keep their place in the source.

trafilatura (a well-kept article extractor) decides which paragraphs are the
article; the standard library's HTMLParser walks the source to know where each
piece of text stands in it, so that spans point into the original HTML. Entities
(&nbsp;, &#20154;) become one character mapped to where the entity is written.
"""

from __future__ import annotations

import html
from html.parser import HTMLParser

import regex

BLOCK_TAGS = {
    "address",
    "article",
    "aside",
    "blockquote",
    "br",
    "dd",
    "div",
    "dl",
    "dt",
    "figcaption",
    "footer",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "header",
    "hr",
    "li",
    "main",
    "nav",
    "ol",
    "p",
    "pre",
    "section",
    "table",
    "td",
    "th",
    "tr",
    "ul",
}
SKIPPED_TAGS = {"script", "style", "noscript", "template", "head", "title", "svg"}
SPACE = regex.compile(r"\s+")

Piece = tuple[str, int]


def looks_like_html(text: str) -> bool:
    head = text[:5000]
    if regex.match(r"\s*(?:<!doctype\s+html|<html[\s>])", head, regex.I):
        return True
    return len(regex.findall(r"</?(?:p|div|br|span|td|li|body|article)\b[^>]*>", head, regex.I)) >= 3


# trafilatura holds about eight bytes per byte of a page (an lxml tree and copies
# of it): past this size (no real article page comes near it) every text block is
# kept instead, so that any page the size limit admits stays within memory.
ARTICLE_MAX_CHARS = 4_000_000


def article_pieces(source: str) -> list[Piece]:
    """Text pieces of the article with their offsets in `source`; blocks end in "\\n"."""
    blocks = _blocks(source)
    article = _article_text(source) if len(source) <= ARTICLE_MAX_CHARS else None
    if article:
        wanted = SPACE.sub("", article)
        blocks = [b for b in blocks if SPACE.sub("", _text(b)) and SPACE.sub("", _text(b)) in wanted]
    pieces: list[Piece] = []
    for block in blocks:
        if SPACE.sub("", _text(block)):
            pieces += block + [("\n", block[-1][1])]
    return pieces


def _text(block: list[Piece]) -> str:
    return "".join(text for text, _ in block)


def _article_text(source: str) -> str | None:
    import trafilatura  # loaded only when an HTML page comes in

    return trafilatura.extract(source, include_comments=False, include_tables=True, favor_recall=True)


def _blocks(source: str) -> list[list[Piece]]:
    walker = _Walker(source)
    walker.feed(source)
    walker.close()
    walker.end_block()
    return walker.blocks


class _Walker(HTMLParser):
    """Collects text pieces with their source offsets, split at block tags."""

    def __init__(self, source: str):
        super().__init__(convert_charrefs=False)
        self.line_starts = [0] + [m.end() for m in regex.finditer(r"\n", source)]
        self.blocks: list[list[Piece]] = []
        self.current: list[Piece] = []
        self.skipping = 0

    def _offset(self) -> int:
        line, column = self.getpos()
        return self.line_starts[line - 1] + column

    def end_block(self) -> None:
        if self.current:
            self.blocks.append(self.current)
            self.current = []

    def handle_starttag(self, tag: str, attrs) -> None:
        if tag in SKIPPED_TAGS:
            self.skipping += 1
        elif tag in BLOCK_TAGS:
            self.end_block()

    def handle_startendtag(self, tag: str, attrs) -> None:
        if tag in BLOCK_TAGS:
            self.end_block()

    def handle_endtag(self, tag: str) -> None:
        if tag in SKIPPED_TAGS:
            self.skipping = max(0, self.skipping - 1)
        elif tag in BLOCK_TAGS:
            self.end_block()

    def handle_data(self, data: str) -> None:
        if not self.skipping and data:
            self.current.append((data, self._offset()))

    def handle_entityref(self, name: str) -> None:
        self._entity(f"&{name};")

    def handle_charref(self, name: str) -> None:
        self._entity(f"&#{name};")

    def _entity(self, written: str) -> None:
        if not self.skipping:
            char = html.unescape(written)
            self.current.append((" " if char == "\xa0" else char, self._offset()))


# A tag as HTML writes one: `<` then a name, a `/`, or `!` (a comment). A bare `<`
# or `>` in the text (增速<3%) is text.
TAG = regex.compile(r"<(?:[A-Za-z/!?][^<>]*)>")
# An entity as HTMLParser reads one (its `charref` and `entityref`): any number of
# digits (&#00000037; is %), a name with dots and hyphens.
ENTITY = regex.compile(r"&(?:#[0-9]+|#[xX][0-9a-fA-F]+|[A-Za-z][-.A-Za-z0-9]*);?")


def quote_of_html(source: str) -> str:
    """A stretch of HTML source as a reader quotes it: tags left out, entities written
    as their characters, runs of space as one."""
    return SPACE.sub(" ", html.unescape(TAG.sub("", source))).strip()


def entity_end(source: str, end: int) -> int:
    """The end of a span of the source that stops after the first character of an
    entity (the text's last character was written &#12290;): after the entity."""
    if end and source[end - 1] == "&":
        written = ENTITY.match(source, end - 1)
        if written:
            return written.end()
    return end
