"""Records -> the JSON of spec CONTRACT.md, flat rows for JSONL/CSV, atomic files."""

from __future__ import annotations

import csv
import io
import json
import math
import os
import re
import tempfile
from collections.abc import Iterable, Iterator
from decimal import Decimal
from json.encoder import encode_basestring as _encode_string
from pathlib import Path
from typing import Any

import orjson

from .model import Extraction, Indicator

SCHEMA_VERSION = "1"
ROW_FIELDS = (
    "doc_id",
    "source",
    "language",
    "region",
    "report_year",
    "id",
    "span_start",
    "span_end",
    "text",
    "metric",
    "indicator",
    "metric_en",
    "value",
    "value_max",
    "unit",
    "quantity_value",
    "quantity_value_max",
    "quantity_unit",
    "comparator",
    "change",
    "kind",
    "year",
    "compared_with",
    "sentence",
    "sentence_start",
    "sentence_end",
    "quote",
)


def number(value: Decimal | None) -> int | float | None:
    """A Decimal as a JSON number: an int when whole (1900), else the shortest float."""
    if value is None:
        return None
    return int(value) if value == value.to_integral_value() else float(value)


def indicator_json(indicator: Indicator, doc_id: str, n: int) -> dict[str, Any]:
    return {
        "id": f"{doc_id}#{n}",
        "span": list(indicator.span),
        "text": indicator.text,
        "sentence": indicator.sentence,
        "sentence_span": list(indicator.sentence_span),
        "quote": indicator.quote,
        "metric": indicator.metric,
        "indicator": indicator.indicator,
        "metric_en": indicator.metric_en,
        "value": number(indicator.value),
        "value_max": number(indicator.value_max),
        "unit": indicator.unit,
        "quantity": {
            "value": number(indicator.base_value),
            "value_max": number(indicator.base_value_max),
            "unit": indicator.base_unit,
        },
        "comparator": indicator.comparator,
        "change": indicator.change,
        "kind": indicator.kind,
        "year": indicator.year,
        "compared_with": indicator.compared_with,
    }


def document_json(extraction: Extraction) -> dict[str, Any]:
    return {
        **_facts_json(extraction),
        "indicators": [indicator_json(ind, extraction.doc_id, n) for n, ind in enumerate(extraction.indicators, 1)],
    }


def _facts_json(extraction: Extraction) -> dict[str, Any]:
    return {
        "schema_version": SCHEMA_VERSION,
        "doc_id": extraction.doc_id,
        "source": extraction.source,
        "sha256": extraction.sha256,
        "language": extraction.language,
        "script": extraction.script,
        "region": extraction.region,
        "report_year": extraction.report_year,
    }


def rows(document: dict[str, Any]) -> list[dict[str, Any]]:
    """One flat row per indicator, with the document's fields copied in."""
    result = []
    for ind in document["indicators"]:
        row = {key: ind.get(key) for key in ROW_FIELDS if key in ind}
        row.update(
            doc_id=document["doc_id"],
            source=document["source"],
            language=document["language"],
            region=document["region"],
            report_year=document["report_year"],
            span_start=ind["span"][0],
            span_end=ind["span"][1],
            sentence_start=ind["sentence_span"][0],
            sentence_end=ind["sentence_span"][1],
            quantity_value=ind["quantity"]["value"],
            quantity_value_max=ind["quantity"]["value_max"],
            quantity_unit=ind["quantity"]["unit"],
        )
        result.append({key: row.get(key) for key in ROW_FIELDS})
    return result


COMPARATOR_SIGNS = {"eq": "", "ge": "≥", "gt": ">", "le": "≤", "lt": "<", "approx": "≈", "range": ""}
CHANGE_SIGNS = {"increase": "+", "decrease": "−", None: ""}


def figure(indicator: dict[str, Any]) -> str:
    """An indicator as a reader writes it: ≥+5.5%, 2.2万人, 5–6%."""
    value = f"{indicator['value']:g}"
    if indicator["value_max"] is not None:
        value += f"–{indicator['value_max']:g}"
    return f"{COMPARATOR_SIGNS[indicator['comparator']]}{CHANGE_SIGNS[indicator['change']]}{value}{indicator['unit']}"


def dumps(document: dict[str, Any]) -> str:
    """Deterministic JSON: stable key order, real characters, a final newline. The text
    is that of json.dumps(document, ensure_ascii=False, indent=2)."""
    fast = _orjson(document, orjson.OPT_INDENT_2 | orjson.OPT_APPEND_NEWLINE)
    if fast is not None:
        return fast.decode()
    return _indented(document, "") + "\n"


# orjson writes the text of json.dumps(value, ensure_ascii=False, indent=2) several
# times faster, but not for every value (tests/test_serialize.py finds the cases):
# - floats from 1e-10 to 1e-4: orjson writes 0.00001 and 1.5e-7 where Python writes
#   1e-05 and 1.5e-07 (from 1e16 up both write 1e+16, but that range is left to the
#   json module too, in case a later orjson writes it otherwise);
# - NaN and infinities, which orjson writes as null and the json module as NaN,
#   Infinity, -Infinity;
# - subclasses and other types (Enum, UUID, datetime, dataclasses), which orjson
#   writes where the json module writes otherwise or raises.
# Those values go to `_indented`, the json module's own text. What orjson refuses
# (integers beyond 64 bits, keys that are not str, strings with lone surrogates,
# nesting deeper than 254) it raises on, and goes there too.
_PLAIN_LEAVES = frozenset({str, int, bool, type(None)})
_PLAIN_NESTS = frozenset({dict, list, tuple})


def _orjson(value: Any, option: int) -> bytes | None:
    """orjson's text of `value`, or None where it is not that of the json module."""
    if not _orjson_writes_like_json(value):
        return None
    try:
        return orjson.dumps(value, option=option)
    except orjson.JSONEncodeError:
        return None


def _orjson_writes_like_json(value: Any) -> bool:
    """Whether `value` holds only dicts, lists, tuples, str, int, bool, None and floats
    that orjson writes as repr() does: 0 and from 1e-4 up to 1e16, either sign."""
    kind = type(value)
    if kind is dict:
        value = value.values()
    elif kind is not list and kind is not tuple:
        return kind in _PLAIN_LEAVES or (kind is float and (1e-4 <= abs(value) < 1e16 or value == 0.0))
    for item in value:
        kind = type(item)
        if kind in _PLAIN_LEAVES:
            continue
        if kind is float:
            if 1e-4 <= abs(item) < 1e16 or item == 0.0:
                continue
            return False
        if kind not in _PLAIN_NESTS or not _orjson_writes_like_json(item):
            return False
    return True


def _indented(value: Any, indent: str) -> str:
    """json.dumps(value, ensure_ascii=False, indent=2) nested at `indent`, for what
    orjson does not write as the json module does. With an indent, the json module
    gives up its C encoder for a Python one built of generators; this is several
    times faster than that."""
    if isinstance(value, dict):
        if not value:
            return "{}"
        inner = indent + "  "
        items = [f"{inner}{_key(key)}: {_indented(item, inner)}" for key, item in value.items()]
        return "{\n" + ",\n".join(items) + "\n" + indent + "}"
    if isinstance(value, list | tuple):
        if not value:
            return "[]"
        inner = indent + "  "
        return "[\n" + ",\n".join(inner + _indented(item, inner) for item in value) + "\n" + indent + "]"
    return _scalar(value)


def _key(key: Any) -> str:
    """A dict key as the json module writes it: str as is, 1 as "1", None as "null"."""
    if isinstance(key, str):
        return _encode_string(key)
    if isinstance(key, float) or key is None or isinstance(key, int):
        return _encode_string(_scalar(key))
    raise TypeError(f"keys must be str, int, float, bool or None, not {key.__class__.__name__}")


def _scalar(value: Any) -> str:
    if isinstance(value, str):
        return _encode_string(value)
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, int):
        return int.__repr__(value)
    if isinstance(value, float) and math.isfinite(value):
        return float.__repr__(value)
    # What the fast path does not cover (NaN, other types) goes to the json module.
    return json.dumps(value, ensure_ascii=False)


def document_chunks(facts: Extraction, indicators: Iterable[Indicator]) -> Iterator[str]:
    """The text of `dumps(document_json(...))`, piece by piece, one indicator at a time,
    so that a report of any size is written without holding its JSON whole."""
    head = dumps(_facts_json(facts))
    # The facts object ends "\n}\n"; the indicators list goes on where it closed.
    yield head[: -len("\n}\n")] + ',\n  "indicators": ['
    n = 0
    for n, indicator in enumerate(indicators, 1):
        yield ("\n    " if n == 1 else ",\n    ") + _nested(indicator_json(indicator, facts.doc_id, n))
    yield "\n  ]\n}\n" if n else "]\n}\n"


def _nested(item: dict[str, Any]) -> str:
    """An indicator as it stands in the document's list, 4 spaces in. orjson writes
    a newline in a string as \\n, so every newline of its text is one of the layout."""
    fast = _orjson(item, orjson.OPT_INDENT_2)
    if fast is not None:
        return fast.replace(b"\n", b"\n    ").decode()
    return _indented(item, "    ")


def jsonl_lines(document: dict[str, Any]) -> str:
    return "".join(json.dumps(row, ensure_ascii=False) + "\n" for row in rows(document))


def document_line(document: dict[str, Any]) -> str:
    """A document on one line: several of them on stdout are JSON Lines."""
    return json.dumps(document, ensure_ascii=False) + "\n"


# Excel takes a CSV file for UTF-8 only when it starts with a byte order mark (else
# Chinese shows as mojibake); pandas, DuckDB and csv with encoding="utf-8-sig" skip it.
BOM = "\ufeff"


def csv_text(documents: list[dict[str, Any]], header: bool = True) -> str:
    """CSV rows of the documents; with the header, the text starts with a BOM."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=ROW_FIELDS, lineterminator="\n")
    if header:
        buffer.write(BOM)
        writer.writeheader()
    for document in documents:
        writer.writerows(rows(document))
    return buffer.getvalue()


# What an XML cell cannot hold (control characters) and the longest text Excel keeps.
XML_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
EXCEL_CELL_CHARS = 32767


def write_xlsx(path: Path, documents: Iterable[dict[str, Any]], sheet: str = "indicators") -> None:
    """One sheet of rows (a header, then one row per indicator), written as documents
    come and renamed into place whole, as `write_atomic` does."""
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    rows_sheet = book.create_sheet(sheet)
    rows_sheet.freeze_panes = "A2"
    rows_sheet.append(list(ROW_FIELDS))
    for document in documents:
        for row in rows(document):
            rows_sheet.append([_cell(row[key]) for key in ROW_FIELDS])
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    try:
        book.save(temp)
        os.chmod(temp, 0o666 & ~_umask())
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise


def _cell(value: Any) -> Any:
    if isinstance(value, str):
        return XML_ILLEGAL.sub("\ufffd", value)[:EXCEL_CELL_CHARS]
    return value


def remove_stale_temporaries(folder: Path) -> None:
    """Temporary files that a killed run left behind (it never got to rename them)."""
    if folder.is_dir():
        for temp in folder.glob(".*.tmp"):
            temp.unlink(missing_ok=True)


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def write_atomic(path: Path, content: str | Iterable[str]) -> None:
    """Write a file so that readers see either the old content or the whole new one.
    `content` is a string or pieces of one, written as they come."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        # mkstemp makes the file private (0600); an output gets the usual mode.
        os.chmod(temp, 0o666 & ~_umask())
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
            handle.writelines([content] if isinstance(content, str) else content)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise
