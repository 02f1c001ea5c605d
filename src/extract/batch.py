"""Extraction over many files: in this process, over worker processes, or on a Dask
cluster. Outputs do not depend on which: every report is extracted alone, by the
same code, and results come back in the order of the files.

With an output folder, a report's JSON is streamed to OUT/<doc_id>.json by whoever
extracted it (one indicator at a time, atomically), and only a summary travels
back; without one, the whole document comes back to be printed or collected.
"""

from __future__ import annotations

import contextlib
import ctypes
import errno
import gc
import hashlib
import json
import multiprocessing
import os
import signal
import sys
from collections import Counter, deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

import regex

from .model import Indicator
from .normalize import article, detect_language
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
    # One file given twice (a.txt, ./a.txt, through a linked folder, or in a folder given
    # as well) is extracted once.
    unique: dict[object, Path] = {}
    for path in files:
        unique.setdefault(_identity(path), path)
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
            return _fit_for_ids([(path, ids[path]) for path in files])
        for path in clashing:
            depth[path] += 1


def _identity(path: Path) -> object:
    """What tells one file from another: its device and inode (the same file under
    any name or link), else, for a file that cannot be looked at, its absolute path."""
    try:
        stat = path.stat()
    except OSError:
        return os.path.normpath(path.absolute())
    return stat.st_dev, stat.st_ino


# What an id cannot hold: controls (C0, DEL, C1) and the line and paragraph separators,
# which the schema's `.` does not match and which break a line of JSON Lines for some
# readers; and lone surrogates, the bytes of a file name that are not UTF-8.
NOT_IN_ID = regex.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")
LONE_SURROGATE = regex.compile("[\ud800-\udfff]")


def _fit_for_ids(named: list[tuple[Path, str]]) -> list[tuple[Path, str]]:
    """The doc_ids made fit for an id (a control character, a newline in a file name,
    as "_", a byte that is not UTF-8 as U+FFFD), each still unique: of two names made
    alike (a.txt and a\n.txt) the later is numbered."""
    taken: set[str] = set()
    result = []
    for path, doc_id in named:
        fit = NOT_IN_ID.sub("_", LONE_SURROGATE.sub("\ufffd", doc_id))
        unique, n = fit, 1
        while unique in taken:
            n += 1
            unique = f"{fit}-{n}"
        taken.add(unique)
        result.append((path, unique))
    return result


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
        context = multiprocessing.get_context("fork")
        pools = partial(_forked_pool, context=context, parent=os.getpid())
    else:
        pools = partial(_spawned_pool, parent=os.getpid())
    # Submitted now, so that processes start before the caller shows any progress.
    return iter(_Supervised(jobs, pools, workers, partial(_extract_in_worker, out=out)))


def _forked_pool(size: int, context: multiprocessing.context.BaseContext, parent: int) -> ProcessPoolExecutor:
    return ProcessPoolExecutor(size, mp_context=context, initializer=_die_with_parent, initargs=(parent,))


def _spawned_pool(size: int, parent: int) -> ProcessPoolExecutor:
    return ProcessPoolExecutor(size, initializer=_start_worker, initargs=(parent,))


class _Supervised:
    """Jobs over a pool of worker processes, outcomes in job order, such that a worker
    that dies (the OOM killer, a kill -9) does not end the batch. Its death breaks the
    pool and every job in flight with it; those are run again one at a time, each
    alone in a fresh pool of one worker, so that a job whose worker dies once more is
    known to be the cause and reported as one failed file; the others are redone."""

    def __init__(
        self, jobs: list[Job], pools: Callable[[int], ProcessPoolExecutor], workers: int, call: Callable[[Job], Outcome]
    ):
        self._jobs = jobs
        self._pools = pools
        self._workers = workers
        self._call = call
        self._waiting = deque(range(len(jobs)))
        self._suspects: deque[int] = deque()
        self._suspected: set[int] = set()
        self._running: dict[int, Future] = {}
        self._outcomes: dict[int, Outcome] = {}
        self._pool: ProcessPoolExecutor | None = None
        self._size = 0
        self._submit()

    def __iter__(self) -> Iterator[Outcome]:
        try:
            for n in range(len(self._jobs)):
                while n not in self._outcomes:
                    self._advance()
                yield self._outcomes.pop(n)
        finally:
            if self._pool is not None:
                self._pool.shutdown(wait=True, cancel_futures=True)

    def _advance(self) -> None:
        """Wait for a job to finish, take its outcome, and keep the workers busy."""
        finished, _ = wait(list(self._running.values()), return_when=FIRST_COMPLETED)
        broken = False
        for n, future in list(self._running.items()):
            if future in finished:
                if isinstance(future.exception(), BrokenProcessPool):
                    broken = True
                else:
                    self._outcomes[n] = self._outcome(n, future)
                    del self._running[n]
        if broken:
            self._recover()
        self._submit()

    def _outcome(self, n: int, future: Future) -> Outcome:
        error = future.exception()
        if error is None:
            return future.result()
        # extract_one turns every error into its line; what is left failed on the way
        # (a result that would not pickle, say): still one line, and the batch goes on.
        return self._jobs[n].path, _internal_error(self._jobs[n].path, error)

    def _recover(self) -> None:
        """After a worker died: keep what finished, suspect what was in flight, and
        fail what was already suspected (it was running alone: it is the cause)."""
        for n, future in sorted(self._running.items()):
            if future.done() and not isinstance(future.exception(), BrokenProcessPool):
                self._outcomes[n] = self._outcome(n, future)
            elif n in self._suspected:
                self._outcomes[n] = self._jobs[n].path, _killed(self._jobs[n].path)
            else:
                self._suspected.add(n)
                self._suspects.append(n)
        self._running.clear()
        self._close_pool()

    def _submit(self) -> None:
        """Submit what fits: suspects one at a time in a pool of one, else up to two
        jobs per worker (one running, one ready) in a full pool."""
        while True:
            try:
                self._submit_what_fits()
                return
            except BrokenProcessPool:  # a worker died while none of the jobs ran
                self._recover()

    def _submit_what_fits(self) -> None:
        alone = bool(self._suspects)
        size = 1 if alone else self._workers
        if self._pool is None or self._size != size:
            if self._running:
                return  # the pool of one finishes its suspect first
            self._close_pool()
            self._pool, self._size = self._pools(size), size
        queue = self._suspects if alone else self._waiting
        limit = 1 if alone else 2 * size
        while queue and len(self._running) < limit:
            self._running[queue[0]] = self._pool.submit(self._call, self._jobs[queue[0]])
            queue.popleft()

    def _close_pool(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None


def _killed(path: Path) -> str:
    return f"{path}: the worker process extracting it was killed, and again when it ran alone (out of memory?)"


def _languages(jobs: list[Job]) -> set[str] | None:
    """The languages of these reports, None when none of them can be read."""
    codes = set()
    for job in jobs:
        # A pipe is read once only: what the warm-up took, the report would lose.
        if not job.path.is_file():
            continue
        with contextlib.suppress(ReadError):
            raw = read_document(job.path)
            codes.add(detect_language(article(raw.text, raw.markup).text))
    return codes or None


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


def _start_worker(parent: int) -> None:
    global _worker_extractor
    _die_with_parent(parent)
    # A spawned worker does not inherit the CLI's handler: Ctrl-C, which the terminal
    # sends to the whole group, is the parent's to handle (one line, not a traceback each).
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _worker_extractor = Extractor()


PR_SET_PDEATHSIG = 1  # from <linux/prctl.h>


def _die_with_parent(parent: int) -> None:
    """Have the kernel kill this worker when its parent dies (else a killed run leaves
    its workers running under PID 1, holding memory and the output folder). Linux
    only. The kernel's "parent" is the thread that forked the worker: the pool forks
    its workers in the thread that submits jobs, the one that iterates the outcomes."""
    if sys.platform.startswith("linux"):
        with contextlib.suppress(OSError, AttributeError):
            ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    # The parent may have died before the request was made: nobody would send it then.
    if os.getppid() != parent:
        os._exit(1)


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
    if target is not None and (too_long := _name_too_long(path, target)):
        return path, too_long
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
        return path, _internal_error(path, exc)


def _internal_error(path: Path, exc: BaseException) -> str:
    reason = " ".join(f"{type(exc).__name__}: {exc}".split())
    return f"{path}: internal error ({reason}); please report it with this file"


def _unwritable(path: Path, target: Path | None, exc: OSError) -> str:
    if exc.errno == errno.ENAMETOOLONG:
        return f"{path}: cannot write {target}: its name is too long for the file system; rename the file"
    return f"{path}: cannot write {target}: {exc.strerror or exc}; check the output folder and free space"


def _name_too_long(path: Path, target: Path) -> str | None:
    """Why the output's name cannot be made in its folder, known before extracting."""
    try:
        limit = os.pathconf(target.parent, "PC_NAME_MAX")
    except (OSError, ValueError):
        limit = 255
    size = len(os.fsencode(target.name))
    if size <= limit:
        return None
    return f"{path}: its output's name would be {size} bytes, too long for the file system (at most {limit}); rename it"


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
# How every whole output ends (the last indicator's list closed, or an empty one): a
# newline of the layout then "  ]" stands nowhere else, since strings escape newlines.
WHOLE_ENDS = (b"\n  ]\n}\n", b'"indicators": []\n}\n')
TAIL_BYTES = 32
SHA256_FIELD = regex.compile(r'^  "sha256": "([0-9a-f]{64})",$', regex.MULTILINE)
# A document fact of the head of an output: "region": "崂山区", or "report_year": 2025.
FACT_FIELD = regex.compile(r'^  "(region|report_year)": (.*),$', regex.MULTILINE)


def already_done(job: Job, out: Path) -> bool:
    """Whether OUT/<doc_id>.json was written whole from these very bytes, and with the
    facts given for this run, if any (for --resume)."""
    done = out / f"{job.doc_id}.json"
    if not done.exists():
        return False
    try:
        # The facts come first in the file: no need to read a large output whole.
        with done.open(encoding="utf-8") as handle:
            head = handle.read(HEAD_CHARS)
        written = SHA256_FIELD.search(head)
        same = bool(written) and written.group(1) == _sha256(job.path) and _same_facts(head, job)
        return same and _ends_whole(done)
    except (OSError, ValueError):
        return False


def _ends_whole(output: Path) -> bool:
    """Whether an output ends as a whole one does: a file cut short (a full disk, a
    copy stopped half-way) does not, and is done again."""
    with output.open("rb") as handle:
        handle.seek(max(0, handle.seek(0, os.SEEK_END) - TAIL_BYTES))
        return handle.read().endswith(WHOLE_ENDS)


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
