"""Extraction over many files: in this process, or over worker processes, always
in the order of the files, so that output does not depend on the number of workers.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

from .pipeline import Extractor, extract_file
from .read import ReadError
from .serialize import document_json

# One outcome per file: (path, document) or (path, the one-line error).
Outcome = tuple[Path, dict[str, Any] | str]

_worker_extractor: Extractor | None = None


def extract_all(files: Iterable[Path], workers: int = 1) -> Iterator[Outcome]:
    """The contract JSON of every file, or why it could not be read, in file order."""
    if workers <= 1:
        extractor = Extractor()
        for path in files:
            yield _extract(path, extractor)
        return
    with ProcessPoolExecutor(max_workers=workers, initializer=_start_worker) as pool:
        yield from pool.map(_extract_in_worker, files, chunksize=1)


def extract_on_dask(files: Iterable[Path], scheduler: str | None = None) -> Iterator[Outcome]:
    """The same outcomes, computed on a Dask cluster (at `scheduler`, or a local one).

    Workers read the files themselves, so the paths must be readable there (a
    shared file system); results come back in file order.
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


def _extract_on_dask_worker(path: str) -> tuple[str, dict[str, Any] | str]:
    global _worker_extractor
    if _worker_extractor is None:
        _worker_extractor = Extractor()
    outcome = _extract(Path(path), _worker_extractor)
    return path, outcome[1]


def _start_worker() -> None:
    global _worker_extractor
    _worker_extractor = Extractor()


def _extract_in_worker(path: Path) -> Outcome:
    assert _worker_extractor is not None
    return _extract(path, _worker_extractor)


def _extract(path: Path, extractor: Extractor) -> Outcome:
    try:
        return path, document_json(extract_file(path, extractor=extractor))
    except ReadError as exc:
        return path, str(exc)


def already_done(path: Path, out: Path) -> bool:
    """Whether OUT/<stem>.json was written from these very bytes (for --resume)."""
    done = out / f"{path.stem}.json"
    if not done.exists():
        return False
    try:
        written = json.loads(done.read_text(encoding="utf-8")).get("sha256")
        return written == hashlib.sha256(path.read_bytes()).hexdigest()
    except (OSError, ValueError, AttributeError):
        return False
