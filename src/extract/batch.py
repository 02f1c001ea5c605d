"""Extraction over many files: in this process, over worker processes, or on a Dask
cluster. Outputs do not depend on which: every report is extracted alone, by the
same code, and results come back in the order of the files.

With an output folder, a report's JSON is streamed to OUT/<doc_id>.json by whoever
extracted it (one indicator at a time, atomically), and only a summary travels
back; without one, the whole document comes back to be printed or collected.
"""

from __future__ import annotations

import contextlib
import gc
import hashlib
import json
import multiprocessing
import os
from collections import Counter
from collections.abc import Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

import regex

from .model import Indicator
from .normalize import detect_language
from .pipeline import Extractor
from .read import ReadError, read_document
from .serialize import document_chunks, document_json, write_atomic


@dataclass(frozen=True)
class Job:
    """One file of a run: where it is, its doc_id, and the document facts given for
    every file of the run (--region, --report-year), which override what the text says."""

    path: Path
    doc_id: str
    region: str | None = None
    report_year: int | None = None
    # A folder for the text each report was read as (--save-text): the text its spans
    # index, which for a PDF or Word file exists nowhere else.
    save_text: Path | None = None


def doc_ids(files: Iterable[Path]) -> list[tuple[Path, str]]:
    """Every file (each once) with its doc_id: its stem when no other file of the batch
    has that stem, else the stem qualified by as many parent folders as it takes to
    tell it from every other doc_id (anhui/2025.txt -> anhui-2025), so that files of the
    same name in different folders do not overwrite each other's output."""
    # One file given twice (a.txt, ./a.txt, or in a folder given as well) is extracted once.
    unique: dict[str, Path] = {}
    for path in files:
        unique.setdefault(os.path.normpath(path.absolute()), path)
    files = list(unique.values())
    folders = {path: _folder_names(path) for path in files}
    stems = Counter(path.stem for path in files)
    # Files of one stem in one folder (2025.txt, 2025.html): only their suffix differs.
    twins = Counter((folders[path], path.stem) for path in files)
    names = {path: path.name if twins[folders[path], path.stem] > 1 else path.stem for path in files}
    depth = {path: int(stems[path.stem] > 1) for path in files}
    while True:
        ids = {path: "-".join([*reversed(folders[path][: depth[path]]), names[path]]) for path in files}
        taken = Counter(ids.values())
        # Only files whose own stem collides go further up; a unique stem stays as it is.
        clashing = [p for p in files if taken[ids[p]] > 1 and 0 < depth[p] < len(folders[p])]
        if not clashing:
            return [(path, ids[path]) for path in files]
        for path in clashing:
            depth[path] += 1


def _folder_names(path: Path) -> tuple[str, ...]:
    """The names of the folders a file is in, nearest first, as the user sees them
    (an absolute path without resolving links)."""
    return tuple(part for part in reversed(Path(os.path.normpath(path.absolute())).parent.parts) if part != "/")


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


def extract_all(jobs: Iterable[Job], workers: int = 1, out: Path | None = None) -> Iterator[Outcome]:
    """The outcome of every job, in order; with `out`, each JSON is written there."""
    jobs = list(jobs)
    if workers <= 1 or len(jobs) <= 1:
        extractor = Extractor()
        return (extract_one(job, extractor, out) for job in jobs)
    return _over_processes(jobs, workers, out)


def _over_processes(jobs: list[Job], workers: int, out: Path | None) -> Iterator[Outcome]:
    global _worker_extractor
    if "fork" in multiprocessing.get_all_start_methods():
        _worker_extractor = Extractor()
        # The language of the first report only: loading spaCy for English takes a
        # second, spent before any worker starts, for batches with no English in them
        # (a worker loads what another language needs when it meets it).
        _worker_extractor.warm_up(_languages(jobs[:1]))
        # Keep the collector off the inherited objects (jieba's dictionary above all):
        # its passes would write to every page and undo the sharing of memory.
        gc.freeze()
        pool = ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("fork"))
    else:
        pool = ProcessPoolExecutor(workers, initializer=_start_worker)
    # Submitted now, so that processes start before the caller shows any progress.
    results = pool.map(partial(_extract_in_worker, out=out), jobs, chunksize=1)
    return _draining(results, pool)


def _languages(jobs: list[Job]) -> set[str] | None:
    """The languages of these reports, None when none of them can be read."""
    codes = set()
    for job in jobs:
        with contextlib.suppress(ReadError):
            codes.add(detect_language(read_document(job.path).text))
    return codes or None


def _draining(results: Iterator[Outcome], pool: ProcessPoolExecutor) -> Iterator[Outcome]:
    with pool:
        yield from results


def extract_on_dask(jobs: Iterable[Job], scheduler: str | None = None) -> Iterator[Outcome]:
    """The same outcomes, computed on a Dask cluster (at `scheduler`, or a local one).

    Workers read the files themselves, so the paths must be readable there (a
    shared file system); documents come back in file order and are written here.
    """
    from dask.distributed import Client, LocalCluster

    cluster = None if scheduler else LocalCluster(threads_per_worker=1, processes=True)
    client = Client(scheduler or cluster)
    try:
        futures = client.map(_extract_on_dask_worker, list(jobs), pure=False)
        for future in futures:
            path, outcome = future.result()
            yield Path(path), outcome
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


def _extract_on_dask_worker(job: Job) -> tuple[str, Done | str]:
    global _worker_extractor
    if _worker_extractor is None:
        _worker_extractor = Extractor()
    return str(job.path), extract_one(job, _worker_extractor, None)[1]


def _start_worker() -> None:
    global _worker_extractor
    _worker_extractor = Extractor()


def _extract_in_worker(job: Job, out: Path | None) -> Outcome:
    assert _worker_extractor is not None
    return extract_one(job, _worker_extractor, out)


def extract_one(job: Job, extractor: Extractor, out: Path | None) -> Outcome:
    """Extract one file: stream its JSON to `out` if given, else return the document."""
    path = job.path
    try:
        raw = read_document(path, job.doc_id)
    except ReadError as exc:
        return path, str(exc)
    if job.save_text is not None:
        text_file = job.save_text / f"{raw.doc_id}.txt"
        try:
            write_atomic(text_file, raw.text)
        except OSError as exc:
            return path, _unwritable(path, text_file, exc)
    target = None if out is None else out / f"{raw.doc_id}.json"
    try:
        if target is None:
            document = document_json(extractor.extract(raw, job.report_year, region=job.region))
            done = Done(raw.doc_id, document["region"], document["report_year"], len(document["indicators"]), document)
            return path, done
        facts, indicators = extractor.stream(raw, job.report_year, region=job.region)
        counted = _Counted(indicators)
        write_atomic(target, document_chunks(facts, counted))
        return path, Done(raw.doc_id, facts.region, facts.report_year, counted.count)
    except OSError as exc:
        return path, _unwritable(path, target, exc)
    except Exception as exc:  # noqa: BLE001 - one report's failure must not end a batch of thousands
        reason = " ".join(f"{type(exc).__name__}: {exc}".split())
        return path, f"{path}: internal error ({reason}); please report it with this file"


def _unwritable(path: Path, target: Path | None, exc: OSError) -> str:
    return f"{path}: cannot write {target}: {exc.strerror or exc}; check the output folder and free space"


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
# A document fact of the head of an output: "region": "崂山区", or "report_year": 2025.
FACT_FIELD = regex.compile(r'^  "(region|report_year)": (.*),$', regex.MULTILINE)


def already_done(job: Job, out: Path) -> bool:
    """Whether OUT/<doc_id>.json was written from these very bytes, and with the facts
    given for this run, if any (for --resume)."""
    done = out / f"{job.doc_id}.json"
    if not done.exists():
        return False
    try:
        # The facts come first in the file: no need to read a large output whole.
        with done.open(encoding="utf-8") as handle:
            head = handle.read(HEAD_CHARS)
        written = SHA256_FIELD.search(head)
        return bool(written) and written.group(1) == _sha256(job.path) and _same_facts(head, job)
    except (OSError, ValueError):
        return False


def _same_facts(head: str, job: Job) -> bool:
    """Whether the facts given for this run are those the output was written with."""
    facts = {name: json.loads(value) for name, value in FACT_FIELD.findall(head)}
    given = {"region": job.region, "report_year": job.report_year}
    return all(facts.get(name) == value for name, value in given.items() if value is not None)


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while block := handle.read(1 << 20):
            digest.update(block)
    return digest.hexdigest()
