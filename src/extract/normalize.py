"""Clean the original text into the text the rules read, keeping an offset map.

Steps, in order: take the article text of an HTML page (html.py), write every
line end as "\n" (CR, CRLF, NEL, U+2028 …: the rules and the sentence splitter
read one kind), drop web noise (pinyin after characters, boilerplate notices),
join lines broken inside a sentence, fold full-width forms, and convert
traditional script to simplified. Only the article, the CR of a CRLF and the
noise and line joins change the length; they are recorded in an OffsetMap so
every span can be mapped back to the original. Width folding and OpenCC t2s
replace one character by one character.
"""

from __future__ import annotations

import bisect
import itertools
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from . import patterns
from .html import article_pieces, entity_end, quote_of_html
from .rules import Rules

SCRIPT_SAMPLE = 20000
HAN_PREFIX = 1000
LATIN = patterns.compile(r"[A-Za-z]")
NOT_HAN = patterns.compile(r"[^\u4e00-\u9fff]+")
NOT_LATIN = patterns.compile(r"[^A-Za-z]+")
SCRIPT_HAN = 2000
TRADITIONAL_SHARE = 0.03


@dataclass(frozen=True)
class OffsetMap:
    """Maps offsets of the normalized text back to the original text.

    The normalized text is the original with some ranges removed; it is stored as
    runs (normalized start, original start) of unchanged length.
    """

    norm_starts: tuple[int, ...]
    orig_starts: tuple[int, ...]
    # A map applied after this one (the HTML article text -> the HTML source).
    inner: OffsetMap | None = None

    def to_original(self, index: int) -> int:
        run = bisect.bisect_right(self.norm_starts, index) - 1
        position = self.orig_starts[run] + index - self.norm_starts[run]
        return self.inner.to_original(position) if self.inner else position

    def span_to_original(self, start: int, end: int) -> tuple[int, int]:
        """Half-open span in the normalized text -> half-open span in the original."""
        return self.to_original(start), self.to_original(end - 1) + 1


@dataclass(frozen=True)
class Normalized:
    original: str
    text: str
    offsets: OffsetMap
    script: str | None
    # "html" when `original` is the source of a page whose article text was read.
    markup: str = "text"

    def original_span(self, start: int, end: int) -> tuple[int, int]:
        """A half-open span of the text -> the span of the original that holds it (of
        a page, through the whole entity its last character was written as)."""
        start, end = self.offsets.span_to_original(start, end)
        return start, entity_end(self.original, end) if self.markup == "html" else end

    def quote(self, start: int, end: int) -> str:
        """The original of a span as a reader quotes it (a page's without its tags)."""
        stretch = self.original[start:end]
        return quote_of_html(stretch) if self.markup == "html" else stretch


def detect_language(text: str) -> str:
    """'en' when Latin letters far outnumber Han characters, else 'zh'."""
    sample = text[:SCRIPT_SAMPLE]
    if not LATIN.search(sample):
        return "zh"
    # Counted by what is left when the others are taken out: no list of matches.
    latin = len(NOT_LATIN.sub("", sample))
    # The Han characters of a prefix are at most those of the sample: when they are
    # enough, the sample's (a pass over thousands of short runs) are not counted.
    if 3 * len(NOT_HAN.sub("", sample[:HAN_PREFIX])) >= latin:
        return "zh"
    return "en" if latin > 3 * len(NOT_HAN.sub("", sample)) else "zh"


@dataclass(frozen=True)
class Article:
    """The text a report's rules read before cleaning: a page's article text (with
    the map to its source), or the whole original of any other report."""

    text: str
    offsets: OffsetMap | None = None


def article(original: str, markup: str = "text") -> Article:
    """The article text of a page, or the original itself; what the language of a
    report is told by (the styles and scripts of a page's head are not its text)."""
    if markup != "html":
        return Article(original)
    text, offsets = _assemble(article_pieces(original))
    return Article(text, offsets)


def normalize(original: str, rules: Rules, markup: str = "text", base: Article | None = None) -> Normalized:
    """Clean `original` for extraction; see the module docstring for the steps.
    `base` is its article, when the caller already took it."""
    base = article(original, markup) if base is None else base
    text, carriage_returns = _unified_line_ends(base.text)
    joins, spaced = _line_ranges(text, rules)
    # The space a CR became stays where a joined line break leaves a space.
    kept_spaces = set(spaced)
    carriage_returns = [r for r in carriage_returns if r[0] not in kept_spaces]
    removed = _merge(_pinyin_ranges(text, rules) + _inline_ranges(text, rules) + joins + carriage_returns)
    kept, offsets = _keep(_spaced(text, spaced), removed)
    if base.offsets is not None:
        offsets = OffsetMap(offsets.norm_starts, offsets.orig_starts, inner=base.offsets)
    folded = fold_width(_without_surrogates(kept))
    script = detect_script(folded) if rules.han_script else None
    text = to_simplified(folded) if script == "traditional" else folded
    return Normalized(original=original, text=text, offsets=offsets, script=script, markup=markup)


LONE_SURROGATE = patterns.compile(r"[\ud800-\udfff]")


def _without_surrogates(text: str) -> str:
    """Lone surrogates (text cut out of UTF-16 data) as U+FFFD, one for one: they have
    no UTF-8 form, and the segmenter and the sentence splitter encode what they read.
    The original keeps them."""
    return LONE_SURROGATE.sub("\ufffd", text) if LONE_SURROGATE.search(text) else text


def _assemble(pieces: list[tuple[str, int]]) -> tuple[str, OffsetMap]:
    """Text pieces with their offsets in the source -> one text and its map."""
    norm_starts, orig_starts, position = [0], [0], 0
    for text, offset in pieces:
        norm_starts.append(position)
        orig_starts.append(offset)
        position += len(text)
    return "".join(text for text, _ in pieces), OffsetMap(tuple(norm_starts), tuple(orig_starts))


# Every character str.splitlines ends a line at, but "\n": CR (old Mac files), the
# CR of a CRLF, NEL, the Unicode line and paragraph separators, a form feed (a page
# break of pdftotext), a vertical tab (a Word line break) and the file separators.
OTHER_LINE_ENDS = patterns.compile(r"\r\n?|[\v\f\x1c-\x1e\x85\u2028\u2029]")


def _unified_line_ends(text: str) -> tuple[str, list[tuple[int, int]]]:
    """`text` with every line end written "\n" (same length: the CR of a CRLF is a
    space), and the ranges of those spaces, to remove. A text with "\n" alone is
    given back as it is."""
    ends = list(OTHER_LINE_ENDS.finditer(text))
    if not ends:
        return text, []
    chars = list(text)
    removed = []
    for end in ends:
        if end.group() == "\r\n":
            chars[end.start()] = " "
            removed.append((end.start(), end.start() + 1))
        else:
            chars[end.start()] = "\n"
    return "".join(chars), removed


def _pinyin_ranges(text: str, rules: Rules) -> list[tuple[int, int]]:
    return [m.span() for m in rules.pinyin.finditer(text)]


def _inline_ranges(text: str, rules: Rules) -> list[tuple[int, int]]:
    """Noise inside a line: a transcript's [Applause.], a scraper's Markdown marks,
    a paragraph number fused to its text (7.Last year)."""
    return [m.span() for pattern in rules.inline_noise for m in pattern.finditer(text)]


def _spaced(text: str, positions: list[int]) -> str:
    """`text` with the line breaks at `positions` turned into spaces (same length)."""
    if not positions:
        return text
    chars = list(text)
    for position in positions:
        chars[position] = " "
    return "".join(chars)


def _line_spans(text: str) -> Iterator[tuple[int, int]]:
    """(start, end) of every line, without its line break, one at a time: a text of a
    million short lines holds no list of them (line ends are all "\n" by now)."""
    start = 0
    while start <= len(text):
        end = text.find("\n", start)
        end = len(text) if end < 0 else end
        yield start, end
        start = end + 1


def _body_lines(text: str, dropped: set[int]) -> Iterator[tuple[int, int, int]]:
    """The non-blank lines whose starts are not `dropped`, each with its place among
    the non-blank lines: a gap in the places is a dropped line between two body
    lines (a page's footer and header)."""
    place = 0
    for s, e in _line_spans(text):
        if text[s:e].strip():
            if s not in dropped:
                yield place, s, e
            place += 1


def _line_ranges(text: str, rules: Rules) -> tuple[list[tuple[int, int]], list[int]]:
    """Boilerplate lines to drop (page numbers, headers), line breaks to remove inside
    sentences, and the breaks that become a space instead (English words do not run
    on across a line end: `will be / created`)."""
    removed: list[tuple[int, int]] = []
    spaced: list[int] = []
    for s, e in _line_spans(text):
        line = text[s:e]
        if line.strip() and rules.boilerplate is not None and rules.boilerplate.search(line):
            removed.append((s, e))
    dropped = {s for s, _ in removed}
    joiner = rules.line_join.joiner
    full = _wrap_width(_prose_widths(text, dropped), rules.line_join.wrapped_share)
    for (n, s, e), (next_n, next_s, _) in itertools.pairwise(_body_lines(text, dropped)):
        line = text[s:e].rstrip()
        adjacent = not text[e:next_s].strip("\r\n ") and text[e:next_s].count("\n") == 1
        following = text[next_s : next_s + 64].lstrip()
        # Wrapped text runs on over a page break, the page's footer and header between.
        full_line = full is not None and _width(line) >= full - WRAP_SLACK and _prose(line)
        wrapped = full_line and (adjacent or next_n > n + 1)
        goes_on = wrapped and _goes_on(line, text[next_s : next_s + 1], rules)
        if goes_on or _breaks_inside_sentence(line, following, adjacent, rules):
            end = s + len(line)
            # A hyphen at the line end joins the word (new-/age): no space after it.
            space = _joined_with_space(line, following, joiner) and not line.endswith("-")
            if space:
                spaced.append(end)
            removed.append((end + space, next_s + _leading_space(text, next_s)))
    return removed, spaced


def _prose_widths(text: str, dropped: set[int]) -> Counter[int]:
    """How many body lines that can be prose have each width (rounded)."""
    return Counter(round(_width(text[s:e].rstrip())) for _, s, e in _body_lines(text, dropped) if _prose(text[s:e]))


# How much narrower than the common width a full line of wrapped text may be: an
# indent of two ideographic spaces that the PDF left out, a few narrow characters.
WRAP_SLACK = 2.5
WRAP_MIN_LINES = 8
WRAP_MIN_WIDTH = 12


# Space inside a line that no wrapped prose line holds: a tab or a run of spaces
# between cells, or a space beside a Chinese character (地区生产总值 5.5%).
CELL_GAP = patterns.compile(r"\S(?:[\t\u3000]|\s{2,}|(?<=\p{Han})\s|\s(?=\p{Han}))\S")


def _prose(line: str) -> bool:
    """Whether a line can be part of a wrapped paragraph, not a row of a table."""
    body = line.strip()
    # Most lines of Chinese prose hold no space at all: no need to look further.
    if " " not in body and "\t" not in body and "\u3000" not in body:
        return True
    return not CELL_GAP.search(body)


def _width(line: str) -> float:
    """A line's width in full-width characters: ASCII counts ½, the rest 1 (Chinese
    fonts set “”—… full width too)."""
    return len(line) - len(line.encode("ascii", "ignore")) / 2


def _wrap_width(widths: Counter[int], share: float) -> float | None:
    """The width text is wrapped at, when at least `share` of its lines (`widths`: how
    many lines have each width) are that wide (within a character): the lines of a
    page, not paragraphs of a web page, which are as long as they happen to be. None
    for text that is not hard-wrapped."""
    count = widths.total()
    if not share or count < WRAP_MIN_LINES:
        return None

    def near(width: int) -> int:
        return widths[width - 1] + widths[width] + widths[width + 1]

    wide = [w for w in widths if w >= WRAP_MIN_WIDTH]
    if not wide:
        return None
    common = max(wide, key=lambda w: (near(w), w))
    return float(common - 1) if near(common) >= share * count else None


CLOSERS = "”’」』）)"


def _goes_on(line: str, next_start: str, rules: Rules) -> bool:
    """A full line of wrapped text goes on in the next line unless it ends a sentence
    (。 or 。” …) or the next line is indented (a new paragraph). Where the page broke
    it does not matter: inside a word, a quotation or a number (14 / .2万台)."""
    ends = line.rstrip(CLOSERS)[-1:]
    return bool(ends) and ends not in rules.line_join.sentence_ends and not next_start.isspace()


# The Latin words at the end of a line and at the start of the next one.
LATIN_BEFORE = patterns.compile(r"[A-Za-z][A-Za-z ]*$")
LATIN_AFTER = patterns.compile(r"[A-Za-z][A-Za-z ]*")


def _joined_with_space(line: str, following: str, joiner: str) -> bool:
    """Whether a joined line break leaves a space: always in a language written with
    spaces; in one written without them, only between the words of an English phrase
    (a Latin run that holds a space on either side: grew steadily / by), never inside
    a name or a number (5 / G基站, A / 5级景区, 10 / 87家, A / I产业)."""
    if joiner == " ":
        return True
    before, after = LATIN_BEFORE.search(line), LATIN_AFTER.match(following)
    return bool(before and after and (" " in before.group().strip() or " " in after.group().strip()))


def _leading_space(text: str, start: int) -> int:
    return len(text[start : start + 64]) - len(text[start : start + 64].lstrip())


def _breaks_inside_sentence(line: str, following: str, adjacent: bool, rules: Rules) -> bool:
    join = rules.line_join
    has_end = any(end in line for end in join.sentence_ends)  # a few searches in C, not a test per character
    long_enough = len(line) >= join.min_chars_without_sentence_end
    if not ((has_end or long_enough) and join.ends_inside.search(line)):
        return False
    if join.continues.match(following):
        return True
    # A full-width line of a PDF page that ends inside a sentence goes on in the next
    # line, whatever that starts with (a name: under the / National Health Scheme).
    wide = join.wide_line_chars and len(line.strip()) >= join.wide_line_chars and not line.rstrip()[-1:].isdigit()
    # A short next line is a heading or a table row, not the rest of the sentence,
    # unless it ends the sentence (… announced in the July / Budget.).
    next_line = following.split("\n", 1)[0].strip()
    long_next = len(next_line) >= join.wide_line_chars // 2 or next_line[-1:] in join.sentence_ends
    return bool(wide and adjacent and long_next and join.continues_wide.match(following))


def _merge(ranges: list[tuple[int, int]]) -> list[tuple[int, int]]:
    merged: list[tuple[int, int]] = []
    for start, end in sorted(r for r in ranges if r[1] > r[0]):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def _keep(text: str, removed: list[tuple[int, int]]) -> tuple[str, OffsetMap]:
    pieces, norm_starts, orig_starts = [], [], []
    position, length = 0, 0
    for start, end in removed + [(len(text), len(text))]:
        if start > position:
            norm_starts.append(length)
            orig_starts.append(position)
            pieces.append(text[position:start])
            length += start - position
        position = max(position, end)
    if not norm_starts:
        norm_starts, orig_starts = [0], [0]
    return "".join(pieces), OffsetMap(tuple(norm_starts), tuple(orig_starts))


# Full-width ASCII (！ to ～) and the ideographic space fold to their ASCII forms.
_WIDTH = {chr(code): chr(code - 0xFEE0) for code in range(0xFF01, 0xFF5F)} | {"\u3000": " "}
_WIDE = patterns.compile("[\uff01-\uff5e\u3000]")


def fold_width(text: str) -> str:
    # A report uses a dozen of these characters: one replace (a C loop) for each of
    # them is several times faster than str.translate's lookup per character. They
    # are found by a search, which makes an object per wide character only, not per
    # character of the text.
    for wide in set(_WIDE.findall(text)):
        text = text.replace(wide, _WIDTH[wide])
    return text


@cache
def _converter():
    # Imported here: OpenCC's dictionaries are only needed for traditional text.
    from opencc import OpenCC

    return OpenCC("t2s")


def converter_name() -> str:
    """Which OpenCC converts: the C++ library (the `opencc` package, a separate install
    choice, see the README) or opencc-python-reimplemented (the default). Both are
    imported as `opencc` and cannot share an environment; the code works with either."""
    import opencc

    return "opencc (C++)" if hasattr(opencc, "opencc_clib") else "opencc-python-reimplemented"


CONVERT_BLOCK = 1 << 16


def to_simplified(text: str) -> str:
    """OpenCC t2s, checked to keep every character at its offset. Converted a block of
    lines at a time: the converter's working memory grows with what it is given."""
    return "".join(_simplified_block(block) for block in _line_blocks(text, CONVERT_BLOCK))


def _line_blocks(text: str, size: int) -> Iterator[str]:
    """`text` in consecutive pieces of about `size` characters, cut after a line break
    (a phrase never spans one) unless a line is longer than `size`."""
    start = 0
    while start < len(text):
        end = text.rfind("\n", start, start + size) + 1 if start + size < len(text) else len(text)
        end = end if end > start else min(len(text), start + size)
        yield text[start:end]
        start = end


def _simplified_block(text: str) -> str:
    converted = _converter().convert(text)
    if len(converted) == len(text):
        return converted
    # A phrase rule changed the length: fall back to character by character.
    convert = _converter().convert
    return "".join(c if len(s := convert(c)) != 1 else s for c in text)


def detect_script(text: str) -> str:
    """'traditional' when a noticeable share of the first Han characters are ones
    that OpenCC's t2s would change."""
    # The first SCRIPT_HAN Han characters of the sample: in a Chinese text they are
    # within its first few thousand characters, and the rest is not searched.
    han = NOT_HAN.sub("", text[: 4 * SCRIPT_HAN])[:SCRIPT_HAN]
    if len(han) < SCRIPT_HAN:
        han = NOT_HAN.sub("", text[:SCRIPT_SAMPLE])[:SCRIPT_HAN]
    if not han:
        return "simplified"
    changed = len(han) - len(han.translate(_drop_traditional()))
    return "traditional" if changed / len(han) >= TRADITIONAL_SHARE else "simplified"


@cache
def _drop_traditional() -> dict[int, None]:
    """A str.translate table that deletes the characters t2s would change."""
    return dict.fromkeys(map(ord, _traditional_characters()))


@cache
def _traditional_characters() -> frozenset[str]:
    """Characters with a different simplified form: the keys of OpenCC's character
    table, or, where that file is not shipped, the characters t2s changes."""
    import opencc

    table = Path(opencc.__file__).with_name("dictionary") / "TSCharacters.txt"
    if table.exists():
        lines = table.read_text(encoding="utf-8").splitlines()
        return frozenset(line.split("\t", 1)[0] for line in lines if "\t" in line)
    candidates = "".join(chr(c) for c in range(0x4E00, 0xA000))
    return frozenset(a for a, b in zip(candidates, to_simplified(candidates), strict=True) if a != b)
