"""Extraction over many files: in this process, over worker processes, or on a Dask
cluster. Outputs do not depend on which: every report is extracted alone, by the
same code, and results come back in the order of the files.

With an output folder, a report's JSON is streamed to OUT/<doc_id>.json by whoever
extracted it (one indicator at a time, atomically), and only a summary travels
back; without one, the whole document comes back to be printed or collected.
"""

from __future__ import annotations

import gc
import hashlib
import multiprocessing
from collections.abc import Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

import regex

from .model import Indicator
from .pipeline import Extractor
from .read import ReadError, read_document
from .serialize import document_chunks, document_json, write_atomic


@dataclass(frozen=True)
class Done:
    """A report extracted. `document` is None when it was written to the folder already."""

    doc_id: str
    region: str | None
    report_year: int | None
    indicators: int
    document: dict[str, Any] | None = None


# One outcome per file: (path, what was done) or (path, the one-line error).
Outcome = tuple[Path, Done | str]

# The extractor of a worker process: inherited from the parent when processes are
# forked (jieba's dictionary is then loaded once, not once per worker).
_worker_extractor: Extractor | None = None


def extract_all(files: Iterable[Path], workers: int = 1, out: Path | None = None) -> Iterator[Outcome]:
    """The outcome of every file, in file order; with `out`, each JSON is written there."""
    files = list(files)
    if workers <= 1 or len(files) <= 1:
        extractor = Extractor()
        return (extract_one(path, extractor, out) for path in files)
    return _over_processes(files, workers, out)


def _over_processes(files: list[Path], workers: int, out: Path | None) -> Iterator[Outcome]:
    global _worker_extractor
    if "fork" in multiprocessing.get_all_start_methods():
        _worker_extractor = Extractor()
        _worker_extractor.tokenizer.load()
        # Keep the collector off the inherited objects (jieba's dictionary above all):
        # its passes would write to every page and undo the sharing of memory.
        gc.freeze()
        pool = ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("fork"))
    else:
        pool = ProcessPoolExecutor(workers, initializer=_start_worker)
    # Submitted now, so that processes start before the caller shows any progress.
    results = pool.map(partial(_extract_in_worker, out=out), files, chunksize=1)
    return _draining(results, pool)


def _draining(results: Iterator[Outcome], pool: ProcessPoolExecutor) -> Iterator[Outcome]:
    with pool:
        yield from results


def extract_on_dask(files: Iterable[Path], scheduler: str | None = None) -> Iterator[Outcome]:
    """The same outcomes, computed on a Dask cluster (at `scheduler`, or a local one).

    Workers read the files themselves, so the paths must be readable there (a
    shared file system); documents come back in file order and are written here.
    """
    from dask.distributed import Client, LocalCluster

    cluster = None if scheduler else LocalCluster(threads_per_worker=1, processes=True)
    client = Client(scheduler or cluster)
    try:
        futures = client.map(_extract_on_dask_worker, [str(p) for p in files], pure=False)
        for future in futures:
            path, outcome = future.result()
            yield Path(path), outcome
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


def _extract_on_dask_worker(path: str) -> tuple[str, Done | str]:
    global _worker_extractor
    if _worker_extractor is None:
        _worker_extractor = Extractor()
    return path, extract_one(Path(path), _worker_extractor, None)[1]


def _start_worker() -> None:
    global _worker_extractor
    _worker_extractor = Extractor()


def _extract_in_worker(path: Path, out: Path | None) -> Outcome:
    assert _worker_extractor is not None
    return extract_one(path, _worker_extractor, out)


def extract_one(path: Path, extractor: Extractor, out: Path | None) -> Outcome:
    """Extract one file: stream its JSON to `out` if given, else return the document."""
    try:
        raw = read_document(path)
    except ReadError as exc:
        return path, str(exc)
    target = None if out is None else out / f"{raw.doc_id}.json"
    try:
        if target is None:
            document = document_json(extractor.extract(raw))
            done = Done(raw.doc_id, document["region"], document["report_year"], len(document["indicators"]), document)
            return path, done
        facts, indicators = extractor.stream(raw)
        counted = _Counted(indicators)
        write_atomic(target, document_chunks(facts, counted))
        return path, Done(raw.doc_id, facts.region, facts.report_year, counted.count)
    except OSError as exc:
        return path, f"{path}: cannot write {target}: {exc.strerror or exc}; check the output folder and free space"
    except Exception as exc:  # noqa: BLE001 - one report's failure must not end a batch of thousands
        reason = " ".join(f"{type(exc).__name__}: {exc}".split())
        return path, f"{path}: internal error ({reason}); please report it with this file"


class _Counted:
    """Indicators passed through, counted."""

    def __init__(self, indicators: Iterator[Indicator]):
        self._indicators = indicators
        self.count = 0

    def __iter__(self) -> Iterator[Indicator]:
        for indicator in self._indicators:
            self.count += 1
            yield indicator


HEAD_CHARS = 4096
SHA256_FIELD = regex.compile(r'^  "sha256": "([0-9a-f]{64})",$', regex.MULTILINE)


def already_done(path: Path, out: Path) -> bool:
    """Whether OUT/<stem>.json was written from these very bytes (for --resume)."""
    done = out / f"{path.stem}.json"
    if not done.exists():
        return False
    try:
        # The facts come first in the file: no need to read a large output whole.
        with done.open(encoding="utf-8") as handle:
            written = SHA256_FIELD.search(handle.read(HEAD_CHARS))
        return bool(written) and written.group(1) == _sha256(path)
    except (OSError, ValueError):
        return False


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while block := handle.read(1 << 20):
            digest.update(block)
    return digest.hexdigest()
