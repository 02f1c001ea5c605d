"""What a new version changes in the output: `extract diff OLD NEW`.

A data team keeps the output of its own reports as golden files and compares a
new run against them. Documents are matched by doc_id. Figures are not matched by
`id`: ids are positions (one new figure shifts every later id), so they would make
every figure after it look changed. They are matched by span instead: the same
span first, then, among the rest, spans that overlap, in the same order (a figure
whose span grew from 5% to 5%以上 is one change of span, text and comparator, not
a removal and an addition); what is left is removed or added.

Spans are offsets into the report's text, so they only line up when both outputs
were made from the same bytes (the same sha256). When the text itself changed (a
corrected report), a deleted sentence would move every later span; then figures
that are the same in every other field are matched first, in order, and the rest
are matched by span within the stretch between two of them, with their spans
moved by as much as the figures around them moved. A span that moved by just that
much is not a change.

Fields are compared generically (a new field shows as added to every figure);
nested objects such as `quantity` by their own fields (`quantity.unit`).
"""

from __future__ import annotations

import json
from collections import defaultdict, deque
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from difflib import SequenceMatcher
from os.path import commonprefix
from pathlib import Path
from typing import Any

from .read import ReadError

# A string longer than LONG is cut there; two longer than EXCERPT (sentences) are
# shown around the part where they differ, with CONTEXT characters on either side.
LONG = 80
EXCERPT = 40
CONTEXT = 12
NOT_OUTPUT = "not a JSON output of `extract run` (no doc_id and indicators)"


class _Absent:
    """A field one side does not have, told apart from a field that is null."""

    def __repr__(self) -> str:
        return "(absent)"


ABSENT: Any = _Absent()


@dataclass(frozen=True)
class FieldChange:
    """A field (a dotted path for nested ones: quantity.unit) and its two values;
    ABSENT on the side that does not have it."""

    field: str
    old: Any
    new: Any


@dataclass(frozen=True)
class FigureChange:
    """A figure of both outputs whose fields differ."""

    old: dict
    new: dict
    fields: tuple[FieldChange, ...]


@dataclass(frozen=True)
class DocumentDiff:
    """One doc_id: only in OLD (`new` is None), only in NEW (`old` is None), or in
    both, with what differs."""

    doc_id: str
    old: dict | None
    new: dict | None
    fields: tuple[FieldChange, ...] = ()
    removed: tuple[dict, ...] = ()
    added: tuple[dict, ...] = ()
    changed: tuple[FigureChange, ...] = ()

    @property
    def status(self) -> str:
        if self.new is None:
            return "removed"
        if self.old is None:
            return "added"
        return "changed" if self.fields or self.removed or self.added or self.changed else "same"


@dataclass(frozen=True)
class Diff:
    """Every doc_id of either side, sorted."""

    documents: tuple[DocumentDiff, ...]

    @property
    def differing(self) -> tuple[DocumentDiff, ...]:
        return tuple(d for d in self.documents if d.status != "same")

    @property
    def differs(self) -> bool:
        return bool(self.differing)

    def summary(self) -> dict[str, int]:
        both = [d for d in self.documents if d.old is not None and d.new is not None]
        return {
            "documents": len(self.documents),
            "differ": len(self.differing),
            "figures_added": sum(len(d.added) for d in both),
            "figures_removed": sum(len(d.removed) for d in both),
            "figures_changed": sum(len(d.changed) for d in both),
            "documents_added": sum(d.status == "added" for d in self.documents),
            "documents_removed": sum(d.status == "removed" for d in self.documents),
        }


@dataclass(frozen=True, order=True)
class Pair:
    """Figure `old` of OLD is figure `new` of NEW; OLD's positions plus `shift` are
    where the figure would be in NEW's text if it had not changed."""

    old: int
    new: int
    shift: int = 0


@dataclass(frozen=True)
class Matching:
    pairs: tuple[Pair, ...]
    removed: tuple[int, ...]
    added: tuple[int, ...]


# Comparing


def diff_outputs(old: Mapping[str, dict], new: Mapping[str, dict], ignore: frozenset[str] = frozenset()) -> Diff:
    """OLD against NEW, documents by doc_id; `ignore` names fields to leave out
    (a field also leaves out its nested fields)."""
    ids = sorted(set(old) | set(new))
    return Diff(tuple(diff_document(i, old.get(i), new.get(i), ignore) for i in ids))


def diff_document(
    doc_id: str, old: dict | None, new: dict | None, ignore: frozenset[str] = frozenset()
) -> DocumentDiff:
    """One document of both sides (or of one)."""
    if old is None or new is None:
        return DocumentDiff(doc_id, old, new)
    before, after = old["indicators"], new["indicators"]
    matching = match_figures(before, after, same_text=old.get("sha256") == new.get("sha256"), ignore=ignore)
    changed = []
    for pair in matching.pairs:
        fields = field_changes(before[pair.old], after[pair.new], pair.shift, ignore | {"id"})
        if fields:
            changed.append(FigureChange(before[pair.old], after[pair.new], fields))
    return DocumentDiff(
        doc_id,
        old,
        new,
        fields=field_changes(old, new, 0, ignore | {"indicators"}),
        removed=tuple(before[i] for i in matching.removed),
        added=tuple(after[j] for j in matching.added),
        changed=tuple(changed),
    )


def field_changes(old: dict, new: dict, shift: int = 0, ignore: Iterable[str] = ()) -> tuple[FieldChange, ...]:
    """The fields whose values differ, in the order of the objects. A position
    (span, sentence_span) is compared after moving OLD's by `shift`."""
    skip = frozenset(ignore)
    flat_old, flat_new = _flat(old), _flat(new)
    changes = []
    for name in dict.fromkeys([*flat_old, *flat_new]):
        if _ignored(name, skip):
            continue
        was, now = flat_old.get(name, ABSENT), flat_new.get(name, ABSENT)
        if not _same(_shifted(name, was, shift), now):
            changes.append(FieldChange(name, was, now))
    return tuple(changes)


def _flat(value: dict, prefix: str = "") -> dict[str, Any]:
    """Nested objects as dotted fields, so that a change of quantity.unit names it."""
    flat: dict[str, Any] = {}
    for key, item in value.items():
        if isinstance(item, dict) and item:
            flat.update(_flat(item, f"{prefix}{key}."))
        else:
            flat[prefix + key] = item
    return flat


def _ignored(name: str, ignore: frozenset[str]) -> bool:
    parts = name.split(".")
    return any(".".join(parts[:n]) in ignore for n in range(1, len(parts) + 1))


def _same(a: Any, b: Any) -> bool:
    """Equal and of one JSON type: 0 is not false, and 5 is not 5.0 (the output's
    bytes differ)."""
    return type(a) is type(b) and a == b


def _is_position(name: str, value: Any) -> bool:
    """A [start, end] into the report's text: span, sentence_span and the like."""
    is_pair = isinstance(value, list) and len(value) == 2 and all(type(v) is int for v in value)
    return (name == "span" or name.endswith("_span")) and is_pair


def _shifted(name: str, value: Any, shift: int) -> Any:
    return [value[0] + shift, value[1] + shift] if shift and _is_position(name, value) else value


# Matching figures


def match_figures(
    old: Sequence[dict], new: Sequence[dict], same_text: bool = True, ignore: frozenset[str] = frozenset()
) -> Matching:
    """Which figure of OLD is which of NEW. Of the same text, by span; of texts that
    differ, by content first and then by span between the figures so matched."""
    if same_text:
        pairs = _by_span(old, new, range(len(old)), range(len(new)), 0)
    else:
        pairs = _by_content_then_span(old, new, ignore)
    olds, news = {p.old for p in pairs}, {p.new for p in pairs}
    return Matching(
        tuple(sorted(pairs)),
        tuple(i for i in range(len(old)) if i not in olds),
        tuple(j for j in range(len(new)) if j not in news),
    )


def _span(figure: dict, shift: int = 0) -> tuple[int, int]:
    start, end = figure["span"]
    return start + shift, end + shift


def _by_span(
    old: Sequence[dict], new: Sequence[dict], olds: Iterable[int], news: Iterable[int], shift: int
) -> list[Pair]:
    """The same span first; then, of the rest, overlapping spans in document order."""
    olds, news = list(olds), list(news)
    pairs = _same_span(old, new, olds, news, shift)
    paired_old, paired_new = {p.old for p in pairs}, {p.new for p in pairs}
    rest_old = [i for i in olds if i not in paired_old]
    rest_new = [j for j in news if j not in paired_new]
    return pairs + _overlapping(old, new, rest_old, rest_new, shift)


def _same_span(old: Sequence[dict], new: Sequence[dict], olds: list[int], news: list[int], shift: int) -> list[Pair]:
    at: defaultdict[tuple[int, int], deque[int]] = defaultdict(deque)
    for j in news:
        at[_span(new[j])].append(j)
    pairs = []
    for i in olds:
        candidates = at.get(_span(old[i], shift))
        if candidates:
            pairs.append(Pair(i, candidates.popleft(), shift))
    return pairs


def _overlapping(old: Sequence[dict], new: Sequence[dict], olds: list[int], news: list[int], shift: int) -> list[Pair]:
    """Walks both lists in span order; pairs never cross, so one figure that grew
    takes its own successor, not a later one's."""
    olds = sorted(olds, key=lambda i: _span(old[i]))
    news = sorted(news, key=lambda j: _span(new[j]))
    pairs, a, b = [], 0, 0
    while a < len(olds) and b < len(news):
        (s1, e1), (s2, e2) = _span(old[olds[a]], shift), _span(new[news[b]])
        if s1 < e2 and s2 < e1:
            pairs.append(Pair(olds[a], news[b], shift))
            a, b = a + 1, b + 1
        elif e1 <= s2:
            a += 1
        else:
            b += 1
    return pairs


def _by_content_then_span(old: Sequence[dict], new: Sequence[dict], ignore: frozenset[str]) -> list[Pair]:
    """Figures equal but for id and positions are matched in order (their spans tell
    how far the text moved there); the figures between two such are matched by span,
    moved as the figure before them moved, then the rest as the one after them."""
    common = (set().union(*old) & set().union(*new)) - ignore if old and new else set()
    keys_old, keys_new = ([_content(f, common) for f in side] for side in (old, new))
    matcher = SequenceMatcher(None, keys_old, keys_new, autojunk=False)
    pairs: list[Pair] = []
    before = 0
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            pairs += [
                Pair(i, j, _span(new[j])[0] - _span(old[i])[0])
                for i, j in zip(range(i1, i2), range(j1, j2), strict=True)
            ]
            before = pairs[-1].shift
        elif i1 < i2 and j1 < j2:
            after = _span(new[j2])[0] - _span(old[i2])[0] if i2 < len(old) and j2 < len(new) else before
            pairs += _in_gap(old, new, range(i1, i2), range(j1, j2), (before, after))
    return pairs


def _in_gap(old: Sequence[dict], new: Sequence[dict], olds: range, news: range, shifts: tuple[int, int]) -> list[Pair]:
    pairs = _by_span(old, new, olds, news, shifts[0])
    if shifts[1] != shifts[0]:
        paired_old, paired_new = {p.old for p in pairs}, {p.new for p in pairs}
        rest_old = [i for i in olds if i not in paired_old]
        pairs += _by_span(old, new, rest_old, [j for j in news if j not in paired_new], shifts[1])
    return pairs


def _content(figure: dict, fields: set[str]) -> str:
    """A figure's fields but its id and positions, as one comparable string."""
    kept = {k: v for k, v in figure.items() if k in fields and k != "id" and not _is_position(k, v)}
    return json.dumps(kept, ensure_ascii=False, sort_keys=True)


# Loading


def load_documents(path: Path) -> dict[str, dict]:
    """The documents of an output of `extract run` by doc_id: a folder of
    <doc_id>.json files (other files, such as indicators.csv, are not documents), or
    one file of one document or of several (JSON Lines, one after another, or one
    array)."""
    if path.is_dir():
        files = sorted(p for p in path.glob("*.json") if p.is_file())
        if not files:
            raise ReadError(path, "no JSON outputs of `extract run` (<doc_id>.json files) in this folder")
    elif path.is_file():
        files = [path]
    else:
        raise ReadError(path, "no such file or folder")
    documents: dict[str, dict] = {}
    for file in files:
        for document in _file_documents(file):
            if document["doc_id"] in documents:
                raise ReadError(file, f"doc_id {document['doc_id']} appears twice")
            documents[document["doc_id"]] = document
    return documents


def _file_documents(path: Path) -> list[dict]:
    from .cli import _json_values  # the reader `extract audit` uses for the same files

    try:
        values = list(_json_values(path.read_text(encoding="utf-8")))
    except (OSError, UnicodeDecodeError) as exc:
        raise ReadError(path, f"cannot be read ({exc})") from exc
    except ValueError as exc:
        raise ReadError(path, f"not JSON ({exc})") from exc
    # `extract run --array` prints one array of the documents.
    documents = [item for value in values for item in (value if isinstance(value, list) else [value])]
    if not documents:
        raise ReadError(path, "no JSON document in it")
    for document in documents:
        _check_document(path, document)
    return documents


def _check_document(path: Path, value: Any) -> None:
    """The shape the comparison relies on: a doc_id, and figures with spans."""
    if isinstance(value, dict) and "span_start" in value:
        raise ReadError(path, "rows of `extract run --format jsonl`, not documents; compare the --format json outputs")
    if not (
        isinstance(value, dict) and isinstance(value.get("doc_id"), str) and isinstance(value.get("indicators"), list)
    ):
        raise ReadError(path, NOT_OUTPUT)
    for n, figure in enumerate(value["indicators"], 1):
        if not (isinstance(figure, dict) and _is_position("span", figure.get("span"))):
            raise ReadError(path, f"figure {n} of {value['doc_id']} has no span [start, end]")


# Showing


def text_lines(diff: Diff) -> Iterator[str]:
    """A heading per differing document and a line per difference, then a summary."""
    for document in diff.differing:
        yield from _document_lines(document)
    yield summary_line(diff)


def summary_line(diff: Diff) -> str:
    s = diff.summary()
    if not s["differ"]:
        return f"extract diff: no differences in {_count(s['documents'], 'document')}"
    line = (
        f"extract diff: {s['differ']} of {_count(s['documents'], 'document')} {_verb(s['differ'])}: "
        f"{_count(s['figures_added'], 'figure')} added, {s['figures_removed']} removed, {s['figures_changed']} changed"
    )
    if s["documents_added"] or s["documents_removed"]:
        line += f" ({_count(s['documents_added'], 'document')} added, {s['documents_removed']} removed)"
    return line


def _verb(n: int) -> str:
    return "differs" if n == 1 else "differ"


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"


def _document_lines(document: DocumentDiff) -> Iterator[str]:
    if document.old is None or document.new is None:
        figures = (document.old or document.new or {}).get("indicators", [])
        yield f"{document.doc_id}: document {document.status} ({_count(len(figures), 'figure')})"
        return
    yield (
        f"{document.doc_id}: {_count(len(document.added), 'figure')} added, "
        f"{len(document.removed)} removed, {len(document.changed)} changed"
    )
    for change in document.fields:
        yield _one_line(f"  {_change_text(change)}")
    yield from (line for _, line in sorted(_figure_lines(document), key=lambda entry: entry[0]))


def _figure_lines(document: DocumentDiff) -> Iterator[tuple[tuple[int, int], str]]:
    """(where, line) for every figure difference, to be put in document order."""
    for figure in document.removed:
        yield _span(figure), _one_line(f"- removed  {_figure_text(figure)}")
    for figure in document.added:
        yield _span(figure), _one_line(f"+ added    {_figure_text(figure)}")
    for change in document.changed:
        fields = "; ".join(_change_text(field) for field in change.fields)
        yield _span(change.old), _one_line(f"~ changed  {_where(change.old)}: {fields}")


def _one_line(line: str) -> str:
    """A difference on one line: a line break of the text (a PDF's) written as ⏎."""
    return line.replace("\r\n", "⏎").replace("\n", "⏎").replace("\r", "⏎")


def _where(figure: dict) -> str:
    start, end = figure["span"]
    return f"[{start},{end}] {figure.get('text', '')}"


def _figure_text(figure: dict) -> str:
    metric = figure.get("metric")
    return f"{_where(figure)}  {metric}" if metric else _where(figure)


def _change_text(change: FieldChange) -> str:
    was, now = change.old, change.new
    if isinstance(was, str) and isinstance(now, str):
        was, now = _excerpts(was, now)
    return f"{change.field} {_shown(was)} → {_shown(now)}"


def _shown(value: Any) -> str:
    if value is ABSENT:
        return "(absent)"
    if isinstance(value, str):
        text = value if len(value) <= LONG else value[:LONG] + "…"
        return text or '""'
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def _excerpts(old: str, new: str) -> tuple[str, str]:
    """Two long strings (sentences) around the part where they differ."""
    if max(len(old), len(new)) <= EXCERPT:
        return old, new
    head = len(commonprefix([old, new]))
    tail = len(commonprefix([old[head:][::-1], new[head:][::-1]]))
    start = max(head - CONTEXT, 0)

    def cut(text: str) -> str:
        end = len(text) - max(tail - CONTEXT, 0)
        return ("…" if start else "") + text[start:end] + ("…" if end < len(text) else "")

    return cut(old), cut(new)


def diff_json(diff: Diff, old: str = "", new: str = "") -> dict[str, Any]:
    """One object: the differing documents by doc_id (an added or removed one whole,
    the others with their field changes and full figures) and the summary."""
    return {
        "old": old,
        "new": new,
        "documents": {d.doc_id: _document_json(d) for d in diff.differing},
        "summary": diff.summary(),
    }


def _document_json(document: DocumentDiff) -> dict[str, Any]:
    if document.old is None or document.new is None:
        return {"status": document.status, "document": document.old or document.new}
    return {
        "status": document.status,
        "fields": [_field_json(change) for change in document.fields],
        "removed": list(document.removed),
        "added": list(document.added),
        "changed": [
            {"old": c.old, "new": c.new, "fields": [_field_json(f) for f in c.fields]} for c in document.changed
        ],
    }


def _field_json(change: FieldChange) -> dict[str, Any]:
    """A side that does not have the field has no key (null is a value)."""
    entry: dict[str, Any] = {"field": change.field}
    if change.old is not ABSENT:
        entry["old"] = change.old
    if change.new is not ABSENT:
        entry["new"] = change.new
    return entry
