"""The `extract` command: run, track, show, audit, score, check-rules."""

from __future__ import annotations

import csv
import io
import json
import os
import re
import signal
import sys
import threading
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer

from .read import ReadError
from .rules import RuleError

app = typer.Typer(
    help="Pull numeric targets and results out of government work reports into JSON.",
    no_args_is_help=True,
    add_completion=False,
    # click's own help: flags shown as flags (not `--quiet <bool>`), paragraphs
    # wrapped to the terminal and never wider than 80 columns.
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 80},
)

REPORT_SUFFIXES = {".txt", ".text", ".htm", ".html", ".pdf", ".docx"}
LANGUAGES = ("zh", "en")


class Format(StrEnum):
    json = "json"
    jsonl = "jsonl"
    csv = "csv"
    xlsx = "xlsx"


class Engine(StrEnum):
    local = "local"
    dask = "dask"


class TableFormat(StrEnum):
    table = "table"
    json = "json"


def _report_files(
    paths: list[Path], suffixes: set[str] = REPORT_SUFFIXES, unread: list[str] | None = None
) -> list[Path]:
    """Files as given, and files with one of `suffixes` (report files: .txt, .html …)
    inside folders, sorted. What a folder holds under such a name but cannot be read
    (a subfolder it may not list, a link to nowhere or a loop of links, a FIFO) is
    added to `unread`, a line each, so that no report goes missing without a word."""
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            files += _folder_reports(path, suffixes, [] if unread is None else unread)
        else:
            files.append(path)
    return files


def _folder_reports(folder: Path, suffixes: set[str], unread: list[str]) -> list[Path]:
    """The report files of a folder and its subfolders, sorted (links to folders are
    not followed: a link back up would list a folder forever)."""

    def unlisted(exc: OSError) -> None:
        unread.append(f"{exc.filename}: cannot list the folder: {exc.strerror or exc}")

    found = []
    for top, _folders, names in os.walk(folder, onerror=unlisted):
        for path in (Path(top, name) for name in names):
            if path.suffix.lower() not in suffixes:
                continue
            if path.is_file():
                found.append(path)
            else:
                unread.append(_not_a_file(path))
    return sorted(found)


def _not_a_file(path: Path) -> str:
    """Why an entry of a folder named like a report is no file to read."""
    if path.is_symlink():
        try:
            path.stat()
        except OSError as exc:
            return f"{path}: a link to {os.readlink(path)}, which cannot be followed: {exc.strerror or exc}"
    return f"{path}: not a regular file (a FIFO, socket or device); give the file itself"


def _printable(text: str) -> str:
    """Text that can be written as UTF-8: a file name that is not valid UTF-8 comes
    from the system with each bad byte as a lone surrogate, shown here as U+FFFD."""
    return LONE_SURROGATE.sub("\ufffd", text)


LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def _error(message: str) -> None:
    typer.echo(_printable(f"extract: {message}"), err=True)


def _warn(message: str) -> None:
    typer.echo(_printable(f"extract: warning: {message}"), err=True)


def _version(value: bool) -> None:
    if value:
        from importlib.metadata import version

        typer.echo(f"extract {version('extract')}")
        raise typer.Exit()


@app.callback()
def main(
    version: Annotated[
        bool | None,
        typer.Option("--version", callback=_version, is_eager=True, help="Print the version and exit."),
    ] = None,
) -> None:
    """Pull numeric targets and results out of government work reports into JSON."""
    # A lone surrogate in a figure's text (a damaged PDF) has no UTF-8: stdout writes
    # its escape, as the output files do, instead of failing.
    reconfigure = getattr(sys.stdout, "reconfigure", None)
    if reconfigure is not None:
        reconfigure(errors="backslashreplace")


@app.command(short_help="Extract every figure of reports into JSON, JSON Lines, CSV or Excel.")
def run(
    paths: Annotated[list[Path], typer.Argument(metavar="PATHS...", help="Report files or folders of reports.")],
    out: Annotated[
        Path | None, typer.Option("--out", "-o", metavar="DIR", help="Folder for the output (stdout when absent).")
    ] = None,
    fmt: Annotated[
        Format,
        typer.Option(
            "--format",
            "-f",
            help="json: a document per report; jsonl, csv, xlsx: a row per figure (xlsx needs --out).",
        ),
    ] = Format.json,
    array: Annotated[
        bool, typer.Option("--array", help="With --format json on stdout: one JSON array of the documents.")
    ] = False,
    save_text: Annotated[
        Path | None,
        typer.Option(
            "--save-text",
            metavar="DIR",
            help="Also write DIR/<doc_id>.txt, the text each report was read as (spans index it).",
        ),
    ] = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="Print errors only.")] = False,
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Print a line for every report.")] = False,
    workers: Annotated[
        int, typer.Option("--workers", "-w", min=1, metavar="N", help="Worker processes (same output).")
    ] = 1,
    resume: Annotated[
        bool, typer.Option("--resume", help="Skip reports whose OUT/<doc_id>.json was made from the same bytes.")
    ] = False,
    engine: Annotated[
        Engine, typer.Option("--engine", help="local: this machine (--workers); dask: a Dask cluster.")
    ] = "local",
    scheduler: Annotated[
        str | None,
        typer.Option("--scheduler", metavar="ADDRESS", help="Dask scheduler address (a local cluster when absent)."),
    ] = None,
    region: Annotated[
        str | None,
        typer.Option(
            "--region", metavar="NAME", help="The issuing government of every report (when texts do not say)."
        ),
    ] = None,
    report_year: Annotated[
        int | None,
        typer.Option(
            "--report-year",
            min=1900,
            max=2200,
            metavar="YEAR",
            help="The year every report plans for (sets time frames).",
        ),
    ] = None,
) -> None:
    """Extract every numeric target and result from reports (.txt, .html, .pdf, .docx).

    With --out and --format json, writes OUT/<doc_id>.json per report; with jsonl,
    csv or xlsx, writes OUT/indicators.jsonl, .csv or .xlsx. On stdout, one report is
    one indented JSON document and several are JSON Lines, a document per line (or
    one array with --array). A file that cannot be read is reported on stderr in one
    line, the others go on, and the exit status is 1. Files of the same name in
    different folders get doc_ids qualified by their folder (anhui-2025). A progress
    bar shows on a terminal.
    """
    from .batch import Job, doc_ids

    _check_run_options(fmt, out, array)
    if engine == "dask":
        _check_dask(scheduler)
    for folder in (out, save_text):
        _make_folder(folder)
        _check_writable(folder)
    tally, total = _Tally(finished=0, failed=0), 0
    options = _RunOptions(fmt, out, array, quiet, verbose, resume, engine, scheduler, workers)
    with _interrupt_in_this_process_only(), _output_claimed(out):
        try:
            files, unread = _listed_reports(paths)
            jobs = [Job(path, doc_id, region or None, report_year, save_text) for path, doc_id in doc_ids(files)]
            total, tally.failed = len(jobs) + unread, unread
            done = _run_jobs(jobs, tally, options)
            _stop_if_interrupted()
        except KeyboardInterrupt:
            _error(_interrupted(tally, total, fmt, out))
            raise typer.Exit(130) from None
        except OSError as exc:
            where = out / f"indicators.{fmt.value}" if out else "stdout"
            _error(f"{where}: cannot write: {exc.strerror or exc}; check the output folder and free space")
            raise typer.Exit(1) from exc
    if not quiet:
        where = f" to {out}" if out else ""
        resumed = f" ({done} already done)" if done else ""
        typer.echo(_printable(f"extract: {tally.finished} of {total} reports done{where}{resumed}"), err=True)
    if tally.failed:
        _error(f"{tally.failed} of {total} files were skipped; see the lines above")
        raise typer.Exit(1)


@contextmanager
def _output_claimed(out: Path | None) -> Iterator[None]:
    """The output folder held by this run for as long as it lasts (serialize.claim_output:
    a second run on it is refused, and only then are a killed run's temporaries
    removed), or a one-line error."""
    from .serialize import OutputInUse, claim_output

    with ExitStack() as stack:
        if out is not None:
            try:
                stack.enter_context(claim_output(out))
            except OutputInUse as exc:
                _error(_printable(str(exc)))
                raise typer.Exit(2) from exc
        yield


def _listed_reports(paths: list[Path]) -> tuple[list[Path], int]:
    """The report files of a run, and how many things named like reports in its folders
    cannot be read (each said in one line); none to read is an error (exit 2)."""
    unread: list[str] = []
    files = _report_files(paths, unread=unread)
    for line in unread:
        _error(f"{line} (skipped)")
    if not files:
        _error("no report files found in " + ", ".join(map(str, paths)) + "; give .txt, .html, .pdf or .docx files")
        raise typer.Exit(2)
    return files, len(unread)


@dataclass(frozen=True)
class _RunOptions:
    """The options of `extract run` that say how its reports are extracted and written."""

    fmt: Format
    out: Path | None
    array: bool
    quiet: bool
    verbose: bool
    resume: bool
    engine: Engine
    scheduler: str | None
    workers: int = 1


def _run_jobs(jobs: list, tally: _Tally, options: _RunOptions) -> int:
    """Extract and write the reports of a run, counting them in `tally`; return how many
    were done before it (--resume)."""
    from .batch import extract_all, extract_on_dask

    fmt, out = options.fmt, options.out
    done = {job for job in jobs if options.resume and out is not None and fmt is Format.json and _resumable(job, out)}
    tally.finished += len(done)
    todo = [job for job in jobs if job not in done]
    # With a folder for one file per report, reports are written where they are extracted.
    direct = out if fmt is Format.json and options.engine != "dask" else None
    with _dask_scheduler(options) as scheduler:
        if options.engine == "dask":
            outcomes = extract_on_dask(todo, scheduler)
        else:
            outcomes = extract_all(todo, _capped_workers(options.workers, len(todo)), direct)
        shown = _progress(outcomes, [job.path for job in todo], not options.quiet and not options.verbose, len(done))
        documents = _documents(shown, tally, options.verbose)
        _write_documents(documents, fmt, out, array=options.array, several=len(jobs) > 1, tally=tally)
    return len(done)


@contextmanager
def _dask_scheduler(options: _RunOptions) -> Iterator[str | None]:
    """The address of the Dask scheduler of a run: the one given, or that of a local
    cluster started here, closed at the end. Its worker processes start with Ctrl-C
    ignored (a disposition they keep, unlike a handler): the terminal sends SIGINT to
    them too, and each would print a traceback; this process stops them instead."""
    if options.engine != "dask":
        yield None
        return
    cluster = None if options.scheduler else _local_cluster()
    try:
        yield options.scheduler or cluster.scheduler_address
    except KeyboardInterrupt:
        # The client, closing in another thread, logs that its scheduler went away: the
        # line of the interrupted run says it all (the process ends right after it).
        _silence_dask_logs()
        raise
    finally:
        if cluster is not None:
            with _quiet_dask_logs():
                cluster.close()


def _local_cluster():
    """A Dask cluster of worker processes on this machine, started with Ctrl-C ignored."""
    import logging

    from dask.distributed import LocalCluster

    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        # Workers log at ERROR only: a task cancelled by an interrupted run is no news.
        return LocalCluster(threads_per_worker=1, processes=True, silence_logs=logging.ERROR)
    finally:
        signal.signal(signal.SIGINT, previous)


def _capped_workers(workers: int, reports: int) -> int:
    """At most one worker per CPU this process may run on, with a warning when more
    would have worked: each worker holds a whole extractor (hundreds of MB once it has
    read a report), and workers beyond the CPUs only take turns, so they cost memory
    and give no speed."""
    cpus = _cpus()
    if min(workers, reports) <= cpus:
        return min(workers, max(cpus, reports))
    _warn(f"--workers {workers}: this machine lets extract use {cpus} CPU(s); using {cpus} workers")
    return cpus


def _cpus() -> int:
    """The CPUs this process may use (its affinity, as in a container limited to some)."""
    if hasattr(os, "process_cpu_count"):
        return os.process_cpu_count() or 1
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0)) or 1
    return os.cpu_count() or 1


# How long `--scheduler` may take to answer before the run is refused.
SCHEDULER_TIMEOUT = "10s"


def _check_dask(scheduler: str | None) -> None:
    """Dask installed and, with --scheduler, a scheduler there that answers: checked
    before any report is read, each a one-line error (exit 2)."""
    try:
        from dask.distributed import Client
    except ImportError as exc:
        _error("--engine dask needs Dask: pip install 'dask[distributed]', or use --engine local")
        raise typer.Exit(2) from exc
    if scheduler is None:
        return
    try:
        with _quiet_dask_logs(), Client(scheduler, timeout=SCHEDULER_TIMEOUT):
            pass
    except (OSError, ValueError, TypeError) as exc:  # TimeoutError is an OSError
        reason = " ".join(str(exc).split()) or type(exc).__name__
        _error(f"--scheduler {scheduler}: no Dask scheduler answers there ({reason}); give tcp://HOST:PORT")
        raise typer.Exit(2) from exc


@contextmanager
def _quiet_dask_logs():
    """Dask logs each failed attempt to connect; the one-line error says it all."""
    levels = _silence_dask_logs()
    try:
        yield
    finally:
        for log, level in levels.items():
            log.setLevel(level)


def _silence_dask_logs() -> dict:
    """Every logger of Dask's made silent (each has a level of its own); their levels before."""
    import logging

    names = ["distributed", *(n for n in logging.root.manager.loggerDict if n.startswith("distributed."))]
    levels = {logging.getLogger(name): logging.getLogger(name).level for name in names}
    for log in levels:
        log.setLevel(logging.CRITICAL + 1)
    return levels


def _check_writable(folder: Path | None) -> None:
    """An output folder that takes a file, checked before any report is read (else a
    read-only folder fails every report, one after another, or loses a whole batch of
    rows at the end)."""
    if folder is None:
        return
    import tempfile

    try:
        handle, probe = tempfile.mkstemp(prefix=".extract-probe.", suffix=".probe", dir=folder)
        os.close(handle)
        os.unlink(probe)
    except OSError as exc:
        _error(f"{folder}: cannot write in the output folder: {exc.strerror or exc}")
        raise typer.Exit(2) from exc


# Set when Ctrl-C is pressed; see _interrupt_in_this_process_only.
_ctrl_c = threading.Event()


def _in_finalizer(frame: Any) -> bool:
    while frame is not None:
        if frame.f_code.co_name == "__del__":
            return True
        frame = frame.f_back
    return False


def _stop_if_interrupted() -> None:
    if _ctrl_c.is_set():
        raise KeyboardInterrupt


@contextmanager
def _interrupt_in_this_process_only():
    """Ctrl-C stops this process only. A terminal sends SIGINT to every process of the
    job; worker processes forked from here inherit this handler and let it pass, to
    finish the report they are writing, so that the interrupted run prints one line
    rather than a traceback per worker, and leaves no report half-written."""
    parent = os.getpid()
    _ctrl_c.clear()

    def interrupt(signum, frame):
        if os.getpid() != parent:
            return
        _ctrl_c.set()
        # Raised inside a finalizer (regex's compiler has a __del__), the exception
        # would be printed and ignored, and the run would go on: there the loop over
        # the reports raises it instead, after the report being written.
        if not _in_finalizer(frame):
            raise KeyboardInterrupt

    try:
        previous = signal.signal(signal.SIGINT, interrupt)
    except ValueError:  # not the main thread: leave signals as they are
        yield
        return
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


def _interrupted(tally: _Tally, total: int, fmt: Format, out: Path | None) -> str:
    """The one line of an interrupted run: what was finished, and how to go on."""
    if not total:
        return "interrupted while listing the reports; nothing was read or written"
    finished = f"interrupted after {tally.finished} of {total} reports"
    if out is not None and fmt is Format.json:
        return f"{finished} (written to {out}); run the same command with --resume to continue"
    if out is not None:
        target = out / f"indicators.{fmt.value}"
        return f"{finished}; {target} was not written: run the command again (--resume is for --format json)"
    return f"{finished} (printed above); --resume continues a run with --out DIR and --format json"


def _resumable(job, out: Path) -> bool:
    """Whether a report of a resumed run is done: its output, and its text if asked for."""
    from .batch import already_done

    text_saved = job.save_text is None or (job.save_text / f"{job.doc_id}.txt").is_file()
    return text_saved and already_done(job, out)


def _check_run_options(fmt: Format, out: Path | None, array: bool) -> None:
    if fmt is Format.xlsx and out is None:
        _error("--format xlsx writes OUT/indicators.xlsx: give --out DIR")
        raise typer.Exit(2)
    if array and (fmt is not Format.json or out is not None):
        _error("--array is for --format json on stdout (without --out)")
        raise typer.Exit(2)


def _make_folder(folder: Path | None) -> None:
    """An output folder, made before any report is read, or a one-line error."""
    if folder is None:
        return
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        _error(f"{folder}: cannot make the output folder: {exc.strerror or exc}")
        raise typer.Exit(2) from exc


def _write_documents(
    documents: Iterator[dict], fmt: Format, out: Path | None, array: bool, several: bool, tally: _Tally
) -> None:
    """The run's output: files in OUT, or text on stdout, written as reports finish so
    that a batch of any size is never held whole."""
    from .serialize import rows, write_atomic, write_xlsx

    if fmt is Format.xlsx:
        assert out is not None
        write_xlsx(out / "indicators.xlsx", (document for document, _ in _converted(documents, rows, tally)))
        return
    if fmt is Format.json and out is not None:
        # Only documents from a Dask cluster come back here; local workers wrote theirs.
        for document, text in _converted(documents, _json_text(several=False), tally):
            write_atomic(out / f"{document['doc_id']}.json", text)
        return
    texts = _texts(documents, fmt, array, several, tally)
    if out is not None:
        write_atomic(out / f"indicators.{fmt.value}", texts)
        return
    for text in texts:
        sys.stdout.write(text)


def _texts(documents: Iterator[dict], fmt: Format, array: bool, several: bool, tally: _Tally) -> Iterator[str]:
    """The documents as the text of one format (a CSV header first, with its BOM); a
    document that cannot be written so is reported and left out, the others go on."""
    from .serialize import csv_text, dumps, jsonl_lines

    if fmt is Format.csv:
        yield csv_text([])
        yield from (text for _, text in _converted(documents, lambda d: csv_text([d], header=False), tally))
    elif fmt is Format.jsonl:
        yield from (text for _, text in _converted(documents, jsonl_lines, tally))
    elif array:
        n = 0
        for n, (_, text) in enumerate(_converted(documents, dumps, tally), 1):
            yield ("[\n" if n == 1 else ",\n") + text.rstrip("\n")
        yield "\n]\n" if n else "[]\n"
    else:
        yield from (text for _, text in _converted(documents, _json_text(several), tally))


def _json_text(several: bool):
    from .serialize import document_line, dumps

    return document_line if several else dumps


def _converted(documents: Iterator[dict], convert, tally: _Tally) -> Iterator[tuple[dict, Any]]:
    """(document, what `convert` makes of it) for every document it takes; one it fails
    on (a number of thousands of digits) is reported in one line naming its file and
    counted as skipped, and the others go on."""
    for document in documents:
        try:
            converted = convert(document)
        except Exception as exc:  # noqa: BLE001 - one report's failure must not lose the rows of the others
            tally.finished -= 1
            tally.failed += 1
            reason = " ".join(f"{type(exc).__name__}: {exc}".split())
            source = document.get("source") or document.get("doc_id")
            _error(f"{source}: internal error writing it ({reason}); please report it with this file (skipped)")
            continue
        # Text as UTF-8 can write it: a file name that is not UTF-8 shows as U+FFFD.
        yield document, _printable(converted) if isinstance(converted, str) else converted


def _progress(items, paths: list[Path], enabled: bool, done: int = 0):
    """The items (finished reports), with a progress bar on stderr when it is a
    terminal: reports done of all (`done` of them before this run, --resume), the
    file being read, and the time left."""
    if not (enabled and sys.stderr.isatty() and len(paths) > 1):
        yield from items
        return
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
    from rich.table import Column

    columns = (
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        TextColumn("{task.fields[current]}", style="dim", table_column=Column(no_wrap=True, overflow="ellipsis")),
    )
    with Progress(*columns, console=Console(stderr=True), transient=True) as progress:
        first = _printable(str(paths[0]))
        task = progress.add_task("extracting", total=done + len(paths), completed=done, current=first)
        for n, item in enumerate(items, 1):
            yield item
            current = _printable(str(paths[n])) if n < len(paths) else ""
            progress.update(task, advance=1, current=current, refresh=True)


@dataclass
class _Tally:
    """How many reports a run finished and how many it skipped, counted as it goes."""

    finished: int
    failed: int


def _documents(outcomes, tally: _Tally, verbose: bool) -> Iterator[dict]:
    """The documents of finished reports (none for a report already written to its own
    file in the folder); errors are reported as they come."""
    for path, outcome in outcomes:
        if isinstance(outcome, str):
            tally.failed += 1
            _error(f"{outcome} (skipped)")
        else:
            tally.finished += 1
            if verbose:
                facts = f"{outcome.indicators} indicators, region {outcome.region}, report year {outcome.report_year}"
                typer.echo(_printable(f"{path}: {facts}"), err=True)
            if outcome.document is not None:
                yield outcome.document
        _stop_if_interrupted()


def _check_page(path: Path | None, example: str) -> None:
    """A page to write that is no folder, checked before any report is read."""
    if path is not None and path.is_dir():
        _error(f"--html {path}: is a folder; give the name of the page to write, such as {path / example}")
        raise typer.Exit(2)


def _write_page(path: Path, page: str, what: str) -> None:
    """An HTML page written whole, or a one-line error."""
    from .serialize import write_atomic

    try:
        write_atomic(path, page)
    except OSError as exc:
        _error(f"{path}: cannot write the {what}: {exc.strerror or exc}")
        raise typer.Exit(1) from exc
    typer.echo(_printable(f"{what}: {path}"), err=True)


def _load_report(path: Path, extractor) -> dict:
    """A report file, or the JSON that `extract run` wrote for one (known by its
    content: a JSON file of another kind is refused, never read as a report)."""
    documents = _load_reports(path, extractor)
    if len(documents) != 1:
        raise ReadError(path, f"holds {len(documents)} documents of `extract run`; give the output of one report")
    return documents[0]


def _load_reports(path: Path, extractor) -> list[dict]:
    """The documents of a report file (one) or of a JSON output of `extract run`
    (one, JSON Lines of several, or an array)."""
    from .pipeline import extract_file
    from .serialize import document_json

    if _looks_like_json(path) or path.suffix.lower() == ".json":
        return _extract_outputs(path)
    try:
        return [document_json(extract_file(path, extractor=extractor))]
    except RuleError:
        raise  # a broken rule file is no fault of this report
    except ValueError as exc:  # the extraction refused the text (spaCy's length limit, E088)
        raise ReadError(path, f"cannot extract it ({' '.join(str(exc).split())})") from exc


# What a document of `extract run` holds that the commands reading one rely on.
OUTPUT_FIELDS = {"doc_id", "region", "report_year", "indicators"}


def _extract_outputs(path: Path) -> list[dict]:
    """The documents of a JSON output of `extract run`, or a ReadError saying why not."""
    not_output = "JSON, but not an output of `extract run`"
    try:
        values = list(_json_values(path.read_text(encoding="utf-8-sig")))
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise ReadError(path, f"{not_output} ({' '.join(str(exc).split())}); pass the report itself") from exc
    documents = [item for value in values for item in (value if isinstance(value, list) else [value])]
    for document in documents or [None]:
        if not isinstance(document, dict):
            raise ReadError(path, f"{not_output} (no document); pass the report itself")
        missing = OUTPUT_FIELDS - set(document)
        if missing or not isinstance(document["indicators"], list):
            what = ", ".join(sorted(missing)) or "list of indicators"
            raise ReadError(path, f"{not_output} (no {what}); pass the report itself")
        for n, indicator in enumerate(document["indicators"], 1):
            if problem := _figure_problem(indicator):
                raise ReadError(path, f"{not_output} (indicator {n} of {document['doc_id']} {problem})")
    return documents


# What `show` and `track` read of each indicator of an output (indicator and
# compared_with they do without, as outputs written before those fields do).
INDICATOR_FIELDS = (
    "id",
    "span",
    "text",
    "sentence",
    "metric",
    "metric_en",
    "value",
    "value_max",
    "unit",
    "quantity",
    "comparator",
    "change",
    "kind",
    "year",
)


def _figure_problem(indicator) -> str | None:
    """What an indicator of a JSON output lacks to be read as a figure, or None."""
    if not isinstance(indicator, dict):
        return "is no object"
    missing = [field for field in INDICATOR_FIELDS if field not in indicator]
    if missing:
        return "has no " + ", ".join(missing)
    quantity = indicator["quantity"]
    if not isinstance(quantity, dict) or not {"value", "value_max", "unit"} <= set(quantity):
        return "has no quantity with value, value_max and unit"
    numbers = (indicator["value"], quantity["value"])
    if not all(isinstance(value, int | float) and not isinstance(value, bool) for value in numbers):
        return "has a value that is no number"
    if not all(isinstance(indicator[field], str) for field in ("id", "text", "sentence", "kind")):
        return "has an id, text, sentence or kind that is no string"
    return None


class PanelFormat(StrEnum):
    table = "table"
    json = "json"
    jsonl = "jsonl"
    csv = "csv"


@app.command(short_help="Check the targets of reports against the results a year later.")
def track(
    paths: Annotated[
        list[Path], typer.Argument(metavar="PATHS...", help="Two reports (EARLIER LATER), or many reports and folders.")
    ],
    fmt: Annotated[PanelFormat, typer.Option("--format", "-f", help="table, json, jsonl or csv.")] = "table",
    force: Annotated[
        bool, typer.Option("--force", help="Pair two reports of different regions or years anyway (with a warning).")
    ] = False,
    pairs_file: Annotated[
        Path | None,
        typer.Option(
            "--pairs", metavar="CSV", help="A CSV of target_id,actual_id,action (force or forbid) to override pairs."
        ),
    ] = None,
    html: Annotated[
        Path | None,
        typer.Option("--html", metavar="PAGE", help="Also write a page: pairs and verdicts, both texts linked."),
    ] = None,
) -> None:
    """Check the targets of reports against the results reported a year later.

    With two reports EARLIER LATER: each target of EARLIER for its report year is
    paired with the figure LATER gives for that year (the most alike metric of the
    same base unit and kind of change, one result per target) and judged met,
    missed, or no_result; reports of different regions, in the wrong order or more
    than a year apart are refused unless --force is given.

    With more reports or folders: each report is paired with the next year's report
    of the same region, and every target becomes one row of a panel (region,
    indicator, metric, year, target, actual, gap, share achieved, verdict,
    confidence, the spans of both figures).

    --html PAGE also writes a page of the pairs with the texts of the reports, each
    figure linked to its place in its text and to the figure it is paired with.
    """
    from .pipeline import Extractor

    _check_page(html, "track.html")
    extractor = Extractor()
    try:
        forced, forbidden = _pair_choices(pairs_file) if pairs_file else (frozenset(), frozenset())
    except ReadError as exc:
        _error(str(exc))
        raise typer.Exit(1) from exc
    if len(paths) == 2 and all(p.is_file() for p in paths):
        try:
            documents = [_load_report(path, extractor) for path in paths]
        except ReadError as exc:
            _error(str(exc))
            raise typer.Exit(1) from exc
        series = [_track_pair(documents, fmt, force, forced, forbidden)]
    else:
        documents = _panel_documents(paths, extractor)
        series = _track_panel(documents, fmt, forced, forbidden)
    if html is not None:
        from .track_page import track_page

        _write_page(html, track_page(series, _original_text), "track page")


def _panel_documents(paths: list[Path], extractor) -> list[dict]:
    """The documents of every input of a panel; one that cannot be read is said on
    stderr and the rest go on (a folder may hold JSON of other kinds, a pairs file).
    None at all is an error, not an empty panel."""
    unlisted: list[str] = []
    files = _report_files(paths, REPORT_SUFFIXES | {".json"}, unlisted)
    for line in unlisted:
        _warn(f"{line}; left out of the panel")
    documents = []
    for path in files:
        try:
            documents += _load_reports(path, extractor)
        except ReadError as exc:
            _warn(f"{exc}; left out of the panel")
    if not documents:
        _error("no report could be read for the panel; give reports, JSON outputs of `extract run`, or folders")
        raise typer.Exit(1)
    return documents


def _pair_choices(path: Path) -> tuple[frozenset[tuple[str, str]], frozenset[tuple[str, str]]]:
    """The pairs a user forces or forbids: CSV rows target_id,actual_id,action."""
    try:
        rows = list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8-sig"))))
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise ReadError(path, f"cannot read the pairs file ({exc})") from exc
    if rows and not {"target_id", "actual_id", "action"} <= set(rows[0]):
        raise ReadError(path, "a pairs file needs the columns target_id, actual_id, action")
    bad = [r["action"] for r in rows if r["action"] not in {"force", "forbid"}]
    if bad:
        raise ReadError(path, f"unknown action {bad[0]!r} (force or forbid)")

    def chosen(action: str) -> frozenset[tuple[str, str]]:
        return frozenset((r["target_id"], r["actual_id"]) for r in rows if r["action"] == action)

    return chosen("force"), chosen("forbid")


def _track_pair(documents: list[dict], fmt: str, force: bool, forced, forbidden) -> tuple[dict, dict, list[dict]]:
    """Print the pairs of two reports; return (earlier, later, pairs) for a page."""
    from .panel import panel_row
    from .track import series_problem
    from .track import track as pair_targets

    problem = series_problem(*documents)
    if problem and not force:
        _error(f"{problem}; use --force to pair them anyway")
        raise typer.Exit(1)
    if problem:
        _warn(f"{problem}; paired anyway (--force)")
    pairs = pair_targets(*documents, forced=forced, forbidden=forbidden)
    if fmt == "json":
        head = [{k: d.get(k) for k in ("doc_id", "source", "region", "report_year")} for d in documents]
        result = {"earlier": head[0], "later": head[1], "year": documents[0].get("report_year"), "pairs": pairs}
        sys.stdout.write(json.dumps(result, ensure_ascii=False, indent=2) + "\n")
    elif fmt in {"csv", "jsonl"}:
        _write_rows([panel_row(documents[0], documents[1], pair) for pair in pairs], fmt)
    else:
        _print_pairs(pairs, documents)
    return documents[0], documents[1], pairs


def _track_panel(documents: list[dict], fmt: str, forced, forbidden) -> list[tuple[dict, dict, list[dict]]]:
    """Print the panel of many reports; return its (earlier, later, pairs) for a page."""
    from .panel import panel_row, panel_series
    from .track import track as pair_targets

    series, left_out = panel_series(documents)
    for reason in left_out:
        _warn(f"{reason}; left out of the panel")
    tracked = [(e, later, pair_targets(e, later, forced=forced, forbidden=forbidden)) for e, later in series]
    rows = [panel_row(e, later, pair) for e, later, pairs in tracked for pair in pairs]
    if fmt == "table":
        _print_panel(rows, len(series))
    elif fmt == "json":
        sys.stdout.write(json.dumps(rows, ensure_ascii=False, indent=2) + "\n")
    else:
        _write_rows(rows, fmt)
    return tracked


def _write_rows(rows: list[dict], fmt: str) -> None:
    if fmt == "jsonl":
        for row in rows:
            sys.stdout.write(json.dumps(row, ensure_ascii=False) + "\n")
        return
    if not rows:
        return
    from .serialize import BOM

    sys.stdout.write(BOM)  # so that Excel reads the CSV as UTF-8
    writer = csv.DictWriter(sys.stdout, fieldnames=list(rows[0]), lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({k: json.dumps(v) if isinstance(v, list) else v for k, v in row.items()})


def _print_panel(rows: list[dict], series: int) -> None:
    from rich.console import Console
    from rich.table import Table

    colours = {"met": "green", "missed": "red", "no_result": "dim"}
    table = Table(title=f"{series} pairs of consecutive reports")
    for column in ("region", "year", "metric", "target", "actual", "verdict", "confidence"):
        table.add_column(column)
    for row in rows:
        table.add_row(
            row["region"],
            str(row["year"]),
            row["metric"] or "",
            row["target_text"],
            row["actual_text"] or "",
            f"[{colours[row['verdict']]}]{row['verdict']}[/]",
            f"{row['confidence']:.2f}",
        )
    Console().print(table)


def _print_pairs(pairs: list[dict], documents: list[dict]) -> None:
    from rich.console import Console
    from rich.table import Table

    from .serialize import figure

    colours = {"met": "green", "missed": "red", "no_result": "dim"}
    year = documents[0].get("report_year")
    table = Table(title=f"{documents[0]['doc_id']} targets for {year} against {documents[1]['doc_id']}")
    for column in ("metric", "target", "actual", "verdict"):
        table.add_column(column)
    for pair in sorted(pairs, key=lambda p: p["actual"] is None):
        target, actual = pair["target"], pair["actual"]
        table.add_row(
            target["metric"] or "",
            figure(target),
            figure(actual) if actual else "",
            f"[{colours[pair['verdict']]}]{pair['verdict']}[/]",
        )
    Console().print(table)
    counts = {v: sum(p["verdict"] == v for p in pairs) for v in colours}
    Console().print(f"{counts['met']} met, {counts['missed']} missed, {counts['no_result']} without a result")


@app.command(short_help="Print the figures of one report; --html writes a review page.")
def show(
    report: Annotated[
        Path, typer.Argument(metavar="REPORT", help="A report file, or the JSON `extract run` wrote for one.")
    ],
    html: Annotated[
        Path | None, typer.Option("--html", metavar="PAGE", help="Also write a review page to this file.")
    ] = None,
) -> None:
    """Print every indicator of a report as a table; --html writes a review page with
    the original text highlighted, filters, a search box and a sortable table.

    REPORT may be the JSON that `extract run` wrote: its figures are shown as they
    are, and the review page needs the report its `source` names, unchanged.
    """
    from rich.console import Console
    from rich.table import Table

    from .review import review_page
    from .serialize import figure

    _check_page(html, "review.html")
    try:
        document, original = _document_and_text(report)
    except ReadError as exc:
        _error(str(exc))
        raise typer.Exit(1) from exc
    except RuleError:
        raise  # a broken rule file is no fault of this report
    except ValueError as exc:  # the extraction refused the text (spaCy's length limit, E088)
        _error(f"{report}: cannot extract it ({' '.join(str(exc).split())})")
        raise typer.Exit(1) from exc
    if html is not None and original is None:
        _error(
            f"{report}: the review page needs the report's text, and {document.get('source')} is not there "
            "with the bytes this output was made from; give the report itself"
        )
        raise typer.Exit(1)
    table = Table(
        title=f"{document['doc_id']}: {document['region'] or '?'}, report year "
        f"{document['report_year'] or '?'}, {len(document['indicators'])} indicators"
    )
    for column in ("#", "metric", "English", "figure", "kind", "year", "sentence"):
        table.add_column(column, overflow="fold")
    for indicator in document["indicators"]:
        table.add_row(
            indicator["id"].rsplit("#", 1)[1],
            indicator["metric"] or "",
            indicator["metric_en"] or "",
            figure(indicator),
            indicator["kind"],
            str(indicator["year"] or ""),
            _marked_sentence(indicator),
        )
    Console().print(table)
    if html is not None:
        _write_page(html, review_page(original, document), "review page")


def _document_and_text(path: Path) -> tuple[dict, str | None]:
    """A report extracted here with its text, or extract's own JSON output for one
    with the text of the report it names (None when that is gone or changed)."""
    from .pipeline import Extractor
    from .read import read_document
    from .serialize import document_json

    if _looks_like_json(path):
        document = _load_report(path, None)
        return document, _original_text(document)
    raw = read_document(path)
    return document_json(Extractor().extract(raw)), raw.text


def _looks_like_json(path: Path) -> bool:
    """Whether a file is JSON by its content, whatever its name (a report that opens
    with a bracket, [导读], is no JSON)."""
    from .read import is_json

    if not path.is_file():
        # A FIFO would block here; the reader refuses what is no regular file in one line.
        return False
    try:
        with path.open("rb") as handle:
            head = handle.read(64).lstrip(b"\xef\xbb\xbf \t\r\n")
        return head[:1] in {b"{", b"["} and is_json(path.read_text(encoding="utf-8-sig"))
    except (OSError, UnicodeDecodeError):
        return False


def _marked_sentence(indicator: dict):
    """The figure's quote with the figure in bold: what a reader checks it against."""
    from rich.text import Text

    quote = " ".join(indicator.get("quote", indicator["sentence"]).split())
    text = Text(quote)
    at = quote.find(" ".join(indicator["text"].split()))
    if at >= 0:
        text.stylize("bold reverse", at, at + len(" ".join(indicator["text"].split())))
    return text


AUDIT_SUFFIXES = REPORT_SUFFIXES | {".json"}


@app.command(short_help="Report what looks wrong over a batch, with counts and examples.")
def audit(
    paths: Annotated[
        list[Path],
        typer.Argument(metavar="PATHS...", help="Report files, JSON outputs of `extract run`, or folders of either."),
    ],
    fmt: Annotated[TableFormat, typer.Option("--format", "-f", help="A table, or one JSON object.")] = "table",
) -> None:
    """Report what looks wrong over a batch, with counts and a few examples each.

    Reports are extracted here; a JSON output is audited as it is, and the report its
    `source` names is read for the checks on the text when it has the same bytes.
    Exit status 0 (it reports, it does not fail), 1 only when no input could be read
    (2 for a broken rule file).
    """
    from .audit import Auditor, audit_json
    from .pipeline import Extractor

    extractor = Extractor()
    unread: list[str] = []
    try:
        result = Auditor(extractor.tokenizer).audit(_audit_inputs(paths, extractor, unread))
    except RuleError as exc:
        _error(str(exc))
        raise typer.Exit(2) from exc
    if not result.reports:
        _error("no input could be read; give report files, JSON outputs of `extract run`, or folders of them")
        raise typer.Exit(1)
    if fmt == "json":
        sys.stdout.write(json.dumps(audit_json(result, unread), ensure_ascii=False, indent=2) + "\n")
    else:
        _print_audit(result)


def _audit_files(paths: list[Path]) -> list[Path]:
    """Files as given, and reports and JSON outputs inside folders, sorted; each once."""
    return list(dict.fromkeys(_report_files(paths, AUDIT_SUFFIXES)))


def _audit_inputs(paths: list[Path], extractor, unread: list[str]) -> Iterator[tuple[dict, str | None]]:
    """(document, original text or None) for every input; an input that cannot be read
    is reported on stderr and in `unread`, and the others go on."""
    from .batch import doc_ids
    from .read import read_document
    from .serialize import document_json

    files = _audit_files(paths)
    ids = dict(doc_ids(p for p in files if p.suffix.lower() != ".json"))
    for path in files:
        try:
            if path.suffix.lower() == ".json":
                yield from _outputs_with_text(path)
            elif path in ids:  # else the same report, given twice
                raw = read_document(path, ids[path])
                yield document_json(extractor.extract(raw)), raw.text
        except ReadError as exc:
            _error(f"{exc} (skipped)")
            unread.append(str(exc))


def _outputs_with_text(path: Path) -> Iterator[tuple[dict, str | None]]:
    """The documents of a JSON output of `extract run` (one, or several one after
    another as `extract run` prints them), each with its report's text."""
    try:
        documents = list(_json_values(path.read_text(encoding="utf-8")))
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise ReadError(path, f"not a JSON output of `extract run` ({exc}); pass the report itself") from exc
    if not documents or not all(isinstance(d, dict) and isinstance(d.get("indicators"), list) for d in documents):
        raise ReadError(path, "not a JSON output of `extract run` (no document with indicators); pass the report")
    for document in documents:
        yield document, _original_text(document)


def _json_values(text: str) -> Iterator:
    """Every JSON value of a text, one after another (whitespace between)."""
    import regex

    decoder, space = json.JSONDecoder(), regex.compile(r"\s*")
    position = space.match(text).end()
    while position < len(text):
        value, end = decoder.raw_decode(text, position)
        yield value
        position = space.match(text, end).end()


def _original_text(document: dict) -> str | None:
    """The text of the report a document was extracted from, when its `source` is still
    there with the same bytes (else its spans would point elsewhere)."""
    from .read import read_document

    source = document.get("source")
    if not isinstance(source, str) or not Path(source).is_file():
        return None
    try:
        raw = read_document(source)
    except ReadError:
        return None
    return raw.text if raw.sha256 == document.get("sha256") else None


def _print_audit(result) -> None:
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    console = Console()
    per = result.distinct_metrics_per_figure
    console.print(
        Text(
            f"reports: {result.reports} ({result.reports_with_text} with their text), figures: {result.figures}, "
            f"distinct metrics: {result.distinct_metrics} ({per or 0:.2f} per figure), "
            f"numbers followed by a unit-like word: {result.numbers}"
        )
    )
    table = Table(title="extract audit", show_lines=True)
    table.add_column("check", max_width=28)
    table.add_column("count", justify="right", no_wrap=True)
    table.add_column("share", no_wrap=True)
    table.add_column("examples", overflow="fold")
    for row in result.results:
        check = Text(row.check.name, style="bold")
        check.append(f"\n{row.check.description}", style="dim")
        share = "" if row.share is None else f"{row.share:.1%}\nof {row.check.base}"
        table.add_row(check, str(row.count), share, _examples_text(row.examples))
    console.print(table)


def _examples_text(examples):
    """doc_id, figure and [metric] on a line, the excerpt under it: what a reader needs
    to find the figure."""
    from rich.text import Text

    text = Text()
    for n, example in enumerate(examples):
        head = " ".join(p for p in (example.doc_id, example.text, f"[{example.metric}]" if example.metric else "") if p)
        text.append(("\n" if n else "") + head)
        if example.excerpt:
            text.append(f"\n  {example.excerpt}", style="dim")
    return text


@app.command(short_help="Score outputs against gold, as the reference scorer does.")
def score(
    corpus: Annotated[Path, typer.Option(metavar="DIR", help="Folder of the original reports.")],
    gold: Annotated[Path, typer.Option(metavar="DIR", help="Folder of gold <doc_id>.jsonl files.")],
    pred: Annotated[Path, typer.Option(metavar="DIR", help="Folder of extractor output <doc_id>.json files.")],
    docs: Annotated[
        str | None, typer.Option(metavar="IDS", help="Comma-separated doc ids to score (default: every gold file).")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
    errors: Annotated[bool, typer.Option("--errors", help="List every error on stderr.")] = False,
) -> None:
    """Score output against gold, with the same figures as the reference scorer."""
    from .score import GoldError, report_lines
    from .score import score as score_dirs

    for option, folder in (("--corpus", corpus), ("--gold", gold), ("--pred", pred)):
        if not folder.is_dir():
            _error(f"{option} {folder}: no such folder")
            raise typer.Exit(2)
    try:
        result, error_lines = score_dirs(corpus, gold, pred, set(docs.split(",")) if docs else None)
    except GoldError as exc:
        _error(str(exc))
        raise typer.Exit(2) from exc
    if errors:
        typer.echo("\n".join(error_lines), err=True)
    typer.echo(json.dumps(result, ensure_ascii=False) if as_json else "\n".join(report_lines(result)))


@app.command(short_help="Show what a new output changes against a golden one.")
def diff(
    old: Annotated[
        Path,
        typer.Argument(metavar="OLD", help="The golden output: a folder of `extract run --out`, or a JSON file."),
    ],
    new: Annotated[Path, typer.Argument(metavar="NEW", help="The new output, a folder or a file the same way.")],
    fmt: Annotated[
        str, typer.Option("--format", "-f", metavar="FORMAT", help="text: a line per difference; json: one object.")
    ] = "text",
    ignore: Annotated[
        list[str] | None,
        typer.Option("--ignore", metavar="FIELD", help="Leave a field out of the comparison (source, quantity.unit)."),
    ] = None,
) -> None:
    """Show what a new output changes against a golden one: documents added or
    removed, and per document the figures added, removed and changed, with the
    fields that changed (old → new).

    Documents are matched by doc_id, figures by span (ids are positions: one new
    figure would shift every later id). Exit status 0 when they are the same, 1
    when they differ, 2 for an input that is no output of `extract run`.
    """
    from .diff import diff_json, diff_outputs, load_documents, text_lines

    if fmt not in {"text", "json"}:
        _error(f"--format {fmt}: use text or json")
        raise typer.Exit(2)
    try:
        before, after = (load_documents(path) for path in (old, new))
    except ReadError as exc:
        _error(str(exc))
        raise typer.Exit(2) from exc
    result = diff_outputs(before, after, frozenset(ignore or ()))
    if fmt == "json":
        sys.stdout.write(json.dumps(diff_json(result, str(old), str(new)), ensure_ascii=False, indent=2) + "\n")
    else:
        for line in text_lines(result):
            typer.echo(line)
    if result.differs:
        raise typer.Exit(1)


@app.command("check-rules", short_help="Load and compile every rule file; report the first problem.")
def check_rules() -> None:
    """Load and compile every rule file; report the first problem."""
    from .audit import audit_table
    from .rules import load_rules, rule_cases

    for lang in LANGUAGES:
        try:
            load_rules(lang)
            audit_table(lang)
            cases = list(rule_cases(lang))
        except RuleError as exc:
            _error(str(exc))
            raise typer.Exit(1) from exc
        positives = sum(c.positive for c in cases)
        typer.echo(f"rules/{lang}: ok, {positives} examples and {len(cases) - positives} counter-examples")
    from .track import load_track_rules

    try:
        load_track_rules()
    except (OSError, KeyError, ValueError) as exc:
        _error(f"rules/zh/track.toml: {exc}")
        raise typer.Exit(1) from exc
    typer.echo("rules/zh/track.toml: ok")


if __name__ == "__main__":
    app()
