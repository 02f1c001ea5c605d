"""Records -> the JSON of spec CONTRACT.md, flat rows for JSONL/CSV, atomic files."""

from __future__ import annotations

import contextlib
import csv
import errno
import io
import json
import math
import os
import re
import sys
import tempfile
from collections.abc import Iterable, Iterator
from decimal import Context, Decimal
from json.encoder import encode_basestring as _encode_string
from pathlib import Path
from typing import Any

import orjson

try:
    import fcntl
except ImportError:  # Windows: runs on one folder are not kept apart there
    fcntl = None

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


# Python refuses to turn an int of more digits than this into text or back (json.loads
# of the output included; it is the default of sys.set_int_max_str_digits, fixed here
# so that outputs do not depend on the setting), and a float ends at 1.8e308. A value
# beyond either is written as a JSON number in E-notation to 17 significant digits, as
# a float would show it (1.1111111111111111e+4399), rather than lose its report; null
# would break the schema (value is a number) and a string every reader's arithmetic.
# The figure's `text` keeps every digit as written.
INT_DIGITS_MAX = 4300
SIGNIFICANT = Context(prec=17)


def number(value: Decimal | None) -> int | float | Decimal | None:
    """A Decimal as a JSON number: an int when whole (1900), else the shortest float;
    beyond what int and float can carry, a Decimal written in E-notation (see above)."""
    if value is None:
        return None
    if not value.is_finite():
        return float(value)  # NaN and infinities, as the json module writes them
    if value == value.to_integral_value():
        return int(value) if value.adjusted() < INT_DIGITS_MAX else _rounded(value)
    as_float = float(value)
    return as_float if math.isfinite(as_float) else _rounded(value)


def _rounded(value: Decimal) -> Decimal:
    return value.normalize(SIGNIFICANT)


def _number_text(value: Decimal) -> str:
    """A Decimal as a JSON number: 1.1111111111111111e+4399, 2.5e+5001."""
    return format(value, "e")


# Surrogates stand for the bytes of a file name that are not UTF-8 (os.fsdecode) and
# cannot be written as UTF-8; a control character (a newline) in a doc_id would break
# the pattern of every figure's id. Names are written with U+FFFD in their place.
NOT_NAME_CHARACTER = re.compile(r"[\ud800-\udfff]")
NOT_ID_CHARACTER = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff]")


def _writable_name(name: str, unwritable: re.Pattern[str] = NOT_NAME_CHARACTER) -> str:
    return unwritable.sub("\ufffd", name)


def _writable_id(doc_id: str) -> str:
    return _writable_name(doc_id, NOT_ID_CHARACTER)


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
    doc_id = _writable_id(extraction.doc_id)
    return {
        **_facts_json(extraction),
        "indicators": [indicator_json(ind, doc_id, n) for n, ind in enumerate(extraction.indicators, 1)],
    }


def _facts_json(extraction: Extraction) -> dict[str, Any]:
    return {
        "schema_version": SCHEMA_VERSION,
        "doc_id": _writable_id(extraction.doc_id),
        "source": _writable_name(extraction.source),
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
    return _orjson_dumps(value, option) if _orjson_writes_like_json(value) else None


def _orjson_dumps(value: Any, option: int) -> bytes | None:
    """orjson's text, or None for what it refuses (see above)."""
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
        return kind in _PLAIN_LEAVES or (kind is float and _float_plain(value))
    for item in value:
        kind = type(item)
        if kind in _PLAIN_LEAVES:
            continue
        if kind is float:
            if _float_plain(item):
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
    if isinstance(value, Decimal) and value.is_finite():
        return _number_text(value)
    # What the fast path does not cover (NaN, other types) goes to the json module.
    return json.dumps(value, ensure_ascii=False)


def document_chunks(facts: Extraction, indicators: Iterable[Indicator]) -> Iterator[str]:
    """The text of `dumps(document_json(...))`, piece by piece, one indicator at a time,
    so that a report of any size is written without holding its JSON whole."""
    head = dumps(_facts_json(facts))
    # The facts object ends "\n}\n"; the indicators list goes on where it closed.
    yield head[: -len("\n}\n")] + ',\n  "indicators": ['
    doc_id = _writable_id(facts.doc_id)
    n = 0
    for n, indicator in enumerate(indicators, 1):
        yield ("\n    " if n == 1 else ",\n    ") + _nested(indicator_json(indicator, doc_id, n))
    yield "\n  ]\n}\n" if n else "]\n}\n"


def _nested(item: dict[str, Any]) -> str:
    """An indicator as it stands in the document's list, 4 spaces in. orjson writes
    a newline in a string as \\n, so every newline of its text is one of the layout."""
    fast = _orjson_dumps(item, orjson.OPT_INDENT_2) if _numbers_plain(item) else None
    if fast is not None:
        return fast.replace(b"\n", b"\n    ").decode()
    return _indented(item, "    ")


def _numbers_plain(item: dict[str, Any]) -> bool:
    """What `_orjson_writes_like_json` finds in an indicator of `indicator_json`, told
    by its numbers alone: its other fields are str, int, None and lists of ints, as
    `indicator_json` builds them; only a number may be a float orjson writes
    otherwise, or a Decimal (see `number`)."""
    quantity = item["quantity"]
    return all(
        type(value) is int or value is None or (type(value) is float and _float_plain(value))
        for value in (item["value"], item["value_max"], quantity["value"], quantity["value_max"])
    )


def _float_plain(value: float) -> bool:
    return 1e-4 <= abs(value) < 1e16 or value == 0.0


def jsonl_lines(document: dict[str, Any]) -> str:
    return "".join(_line(row) for row in rows(document))


def document_line(document: dict[str, Any]) -> str:
    """A document on one line: several of them on stdout are JSON Lines."""
    return _line(document)


def _line(value: Any) -> str:
    """json.dumps(value, ensure_ascii=False) and a newline; a value with a number
    beyond int and float (a Decimal, see `number`) is written by `_compact`."""
    try:
        return json.dumps(value, ensure_ascii=False) + "\n"
    except TypeError:
        return _compact(value) + "\n"


def _compact(value: Any) -> str:
    """The text of json.dumps(value, ensure_ascii=False), numbers of `number` included."""
    if isinstance(value, dict):
        return "{" + ", ".join(f"{_key(key)}: {_compact(item)}" for key, item in value.items()) + "}"
    if isinstance(value, list | tuple):
        return "[" + ", ".join(map(_compact, value)) + "]"
    return _scalar(value)


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
    fd, temp = _temporary(path)
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
    if isinstance(value, Decimal):
        return _number_text(value)  # beyond what a cell's number holds: its text
    return value


# Every temporary file of extract is .extract-<8 random characters>.tmp: the prefix
# tells them from the user's own files (only they are ever removed), and the name is
# 21 bytes whatever the output's, so it fits wherever the output's name does.
TEMP_PREFIX = ".extract-"
TEMP_SUFFIX = ".tmp"


def _temporary(path: Path) -> tuple[int, str]:
    """A new temporary file beside `path`: its descriptor and its name."""
    return tempfile.mkstemp(prefix=TEMP_PREFIX, suffix=TEMP_SUFFIX, dir=path.parent)


def remove_stale_temporaries(folder: Path) -> None:
    """Temporary files that a killed run left behind (it never got to rename them).
    Call it only while holding the folder (`claim_output`): another run's would be live."""
    if folder.is_dir():
        for temp in folder.glob(f"{TEMP_PREFIX}*{TEMP_SUFFIX}"):
            temp.unlink(missing_ok=True)


class OutputInUse(Exception):
    """Another run of extract holds the output folder."""

    def __init__(self, folder: Path, pid: int | None):
        holder = f" (pid {pid})" if pid else ""
        super().__init__(f"{folder} is in use by another extract run{holder}")


@contextlib.contextmanager
def claim_output(folder: Path) -> Iterator[None]:
    """Hold the output folder for a whole run, then remove what a killed run left in it.

    Two runs writing to one folder would remove each other's temporary files and
    overwrite each other's outputs. A second run fails at once (OutputInUse) rather
    than wait: a user who started it by mistake learns it now, not after a batch of
    hours that looked hung, and a script can run the two one after the other. The
    lock is the kernel's flock on the folder itself: no lock file is left among the
    outputs, and it ends with the run however the run ends (forked workers hold it
    while they live, as they are still writing there). Where the file system cannot
    lock a folder (some network file systems), the run goes on unlocked."""
    fd = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    try:
        _lock(fd, folder)
        remove_stale_temporaries(folder)
        yield
        # A worker killed while writing (its report was redone) left its temporary file.
        remove_stale_temporaries(folder)
    finally:
        os.close(fd)


def _lock(fd: int, folder: Path) -> None:
    if fcntl is None:
        return
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        raise OutputInUse(folder, _lock_holder(fd)) from None
    except OSError as exc:
        if exc.errno not in (errno.EBADF, errno.EINVAL, errno.ENOLCK, errno.EOPNOTSUPP):
            raise


def _lock_holder(fd: int) -> int | None:
    """The process holding the flock on the file of `fd`, from /proc/locks (Linux):
    lines such as `1: FLOCK  ADVISORY  WRITE 4242 08:01:1311 0 EOF`."""
    if not sys.platform.startswith("linux"):
        return None
    stat = os.fstat(fd)
    inode = f"{os.major(stat.st_dev):02x}:{os.minor(stat.st_dev):02x}:{stat.st_ino}"
    try:
        with open("/proc/locks", encoding="ascii", errors="replace") as locks:
            for line in locks:
                fields = line.split()
                if len(fields) > 5 and fields[1] == "FLOCK" and fields[5] == inode:
                    return int(fields[4])
    except (OSError, ValueError):
        pass
    return None


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def write_atomic(path: Path, content: str | Iterable[str]) -> None:
    """Write a file so that readers see either the old content or the whole new one.
    `content` is a string or pieces of one, written as they come."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temp = _temporary(path)
    try:
        # mkstemp makes the file private (0600); an output gets the usual mode.
        os.chmod(temp, 0o666 & ~_umask())
        # A lone surrogate (text given through the API, a damaged PDF) has no UTF-8:
        # it is written as its escape, \udd0b, which is the JSON for it, and the
        # file stays valid UTF-8.
        with os.fdopen(fd, "w", encoding="utf-8", errors="backslashreplace", newline="") as handle:
            handle.writelines([content] if isinstance(content, str) else content)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise
