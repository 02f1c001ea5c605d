"""Memory and time bounds of `extract run` on hostile shapes of input (issue 15, item 19).

    python bench/limits.py [--scale 1.0] [--only NAME ...] [--keep DIR]

Each input is built from real text repeated (the paragraphs of bench/corpus/*.txt and
bench/corpus/en/*.txt), never invented: an HTML page of 30 and of 60 MB, 50 MB on one
line with no sentence end, 1,000,000 short lines each with a figure, and English on one
line (1.2 MB of its sentences, and 5 MB with no sentence end). `extract run FILE --out
DIR -q` reads each in a child process of its own, whose peak resident memory
(getrusage RUSAGE_CHILDREN of a wrapper process) and seconds are measured. The bounds:
at most 400 MB for any input the size limit (64 MiB) admits, at most 10 s per MB.
`--scale` multiplies every size (0.1 for a quick look). Prints a markdown table.
"""

from __future__ import annotations

import argparse
import itertools
import json
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import regex

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "bench" / "corpus"
MAX_PEAK_MB = 400
MAX_SECONDS_PER_MB = 10.0
# The end of a sentence in either language: what the "no sentence end" inputs leave out.
SENTENCE_ENDS = regex.compile(r"[。！？；!?;.]")
# A short stretch of a Chinese sentence that holds a figure: 全区生产总值增长5.5%以上.
CLAUSE = regex.compile(r"[^，。；：！？、,\n]*\d[^，。；：！？、,\n]*")


@dataclass(frozen=True)
class Case:
    name: str
    describe: str
    build: Callable[[Path, float], Path]
    megabytes: float


@dataclass(frozen=True)
class Measurement:
    case: Case
    megabytes: float
    seconds: float
    peak_mb: float
    exit_code: int
    indicators: int


def paragraphs(language: str) -> list[str]:
    """The non-empty lines of the real reports of one language, in file order."""
    folder = CORPUS / "en" if language == "en" else CORPUS
    return [
        line.strip()
        for path in sorted(folder.glob("*.txt"))
        for line in path.read_text(encoding="utf-8").splitlines()
        if line.strip()
    ]


def _write_until(target: Path, megabytes: float, pieces: Iterator[str], head: str = "", tail: str = "") -> Path:
    """`head`, then pieces until the file holds `megabytes` MB, then `tail`."""
    limit = int(megabytes * 1e6)
    with target.open("w", encoding="utf-8") as handle:
        handle.write(head)
        size = len(head.encode("utf-8"))
        for piece in pieces:
            handle.write(piece)
            size += len(piece.encode("utf-8"))
            if size >= limit:
                break
        handle.write(tail)
    return target


def html_page(folder: Path, megabytes: float) -> Path:
    """One article of the Chinese reports' paragraphs, each a <p>, in a page with a head."""
    head = "<!DOCTYPE html>\n<html><head><meta charset='utf-8'><title>政府工作报告</title></head><body><article>\n"
    pieces = (f"<p>{paragraph}</p>\n" for paragraph in itertools.cycle(paragraphs("zh")))
    return _write_until(folder / f"page-{megabytes:g}mb.html", megabytes, pieces, head, "</article></body></html>\n")


def one_line_no_end(folder: Path, megabytes: float) -> Path:
    """The Chinese reports' paragraphs on one line, their sentence ends taken out."""
    pieces = (SENTENCE_ENDS.sub("，", paragraph) + "，" for paragraph in itertools.cycle(paragraphs("zh")))
    return _write_until(folder / f"one-line-{megabytes:g}mb.txt", megabytes, pieces, tail="\n")


def short_lines(folder: Path, megabytes: float) -> Path:
    """1,000,000 short lines (at this scale), each a clause of a report that holds a figure."""
    clauses = [c.strip() for p in paragraphs("zh") for c in CLAUSE.findall(p) if 4 <= len(c.strip()) <= 40]
    count = int(1_000_000 * megabytes)
    lines = (clause + "\n" for clause in itertools.islice(itertools.cycle(clauses), count))
    return _write_until(folder / f"short-lines-{count}.txt", 1e6, lines)


def english_one_line(folder: Path, megabytes: float) -> Path:
    """The English reports' sentences on one line (their paragraphs joined by a space)."""
    pieces = (paragraph + " " for paragraph in itertools.cycle(paragraphs("en")))
    return _write_until(folder / f"english-one-line-{megabytes:g}mb.txt", megabytes, pieces, tail="\n")


def english_no_end(folder: Path, megabytes: float) -> Path:
    """The English reports on one line with no sentence end (no . ! ? ;)."""
    pieces = (SENTENCE_ENDS.sub(",", paragraph) + " " for paragraph in itertools.cycle(paragraphs("en")))
    return _write_until(folder / f"english-no-end-{megabytes:g}mb.txt", megabytes, pieces, tail="\n")


CASES = (
    Case("html-30", "HTML page, 30 MB", html_page, 30),
    Case("html-60", "HTML page, 60 MB", html_page, 60),
    Case("one-line", "one line, no sentence end, 50 MB", one_line_no_end, 50),
    # The megabytes of this case scale the number of lines (1 = 1,000,000).
    Case("short-lines", "1,000,000 short lines, each with a figure", short_lines, 1),
    Case("english-line", "English sentences on one line, 1.2 MB", english_one_line, 1.2),
    Case("english-no-end", "English on one line, no sentence end, 5 MB", english_no_end, 5),
)


def run_extract(path: Path, out: Path) -> tuple[float, float, int]:
    """(seconds, peak resident MB, exit code) of `extract run path --out out -q`, in a
    wrapper process whose only child is extract, so that its RUSAGE_CHILDREN is extract's."""
    wrapper = (
        "import resource, subprocess, sys, time; start = time.perf_counter(); "
        "code = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL).returncode; "
        "print(time.perf_counter() - start, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, code)"
    )
    command = [sys.executable, "-c", wrapper, sys.executable, "-m", "extract.cli", "run", str(path)]
    result = subprocess.run([*command, "--out", str(out), "-q"], capture_output=True, text=True, check=True)
    seconds, peak_kb, code = result.stdout.split()
    return float(seconds), int(peak_kb) / 1024, int(code)


def indicators_written(out: Path) -> int:
    return sum(len(json.loads(path.read_text(encoding="utf-8"))["indicators"]) for path in out.glob("*.json"))


def measure(case: Case, folder: Path, scale: float) -> Measurement:
    path = case.build(folder, case.megabytes * scale)
    out = Path(tempfile.mkdtemp(dir=folder))
    seconds, peak, code = run_extract(path, out)
    megabytes = path.stat().st_size / 1e6
    return Measurement(case, megabytes, seconds, peak, code, indicators_written(out))


def table(measurements: list[Measurement]) -> str:
    rows = [
        "| input | MB | seconds | s/MB | peak MB | exit | figures | within bounds |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for m in measurements:
        per_mb = m.seconds / m.megabytes
        ok = m.peak_mb <= MAX_PEAK_MB and per_mb <= MAX_SECONDS_PER_MB and m.exit_code == 0
        rows.append(
            f"| {m.case.describe} | {m.megabytes:.1f} | {m.seconds:.1f} | {per_mb:.2f} | {m.peak_mb:.0f} "
            f"| {m.exit_code} | {m.indicators:,} | {'yes' if ok else 'NO'} |"
        )
    return "\n".join(rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=1.0, help="multiply every input size (default 1)")
    parser.add_argument("--only", nargs="*", choices=[c.name for c in CASES], help="run these cases only")
    parser.add_argument("--keep", type=Path, help="build the inputs in this folder and keep them")
    args = parser.parse_args()
    folder = args.keep or Path(tempfile.mkdtemp(prefix="extract-limits-"))
    folder.mkdir(parents=True, exist_ok=True)
    measurements = []
    for case in CASES:
        if args.only and case.name not in args.only:
            continue
        measurements.append(measure(case, folder, args.scale))
        print(f"{case.name}: done", file=sys.stderr, flush=True)
    print(f"Bounds: peak at most {MAX_PEAK_MB} MB, at most {MAX_SECONDS_PER_MB:g} s per MB.\n")
    print(table(measurements))
    if args.keep is None:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
