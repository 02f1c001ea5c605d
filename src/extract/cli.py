"""The `extract` command: run, score, check-rules."""

from __future__ import annotations

import json
import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from .read import ReadError
from .rules import RuleError

app = typer.Typer(
    help="Pull numeric targets and results out of government work reports into JSON.",
    no_args_is_help=True,
    add_completion=False,
)

REPORT_SUFFIXES = {".txt", ".text", ".htm", ".html"}


class Format(StrEnum):
    json = "json"
    jsonl = "jsonl"
    csv = "csv"


def _report_files(paths: list[Path]) -> list[Path]:
    """Files as given, and report files (.txt, .html …) inside folders, sorted."""
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            files += sorted(p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in REPORT_SUFFIXES)
        else:
            files.append(path)
    return files


def _error(message: str) -> None:
    typer.echo(f"extract: {message}", err=True)


@app.command()
def run(
    paths: Annotated[list[Path], typer.Argument(help="Report files or folders of reports.")],
    out: Annotated[Path | None, typer.Option("--out", "-o", help="Folder for the output (stdout when absent).")] = None,
    fmt: Annotated[
        Format, typer.Option("--format", "-f", help="json: one file per report; jsonl/csv: one row per indicator.")
    ] = Format.json,
) -> None:
    """Extract every numeric target and result from reports.

    With --out and --format json, writes OUT/<doc_id>.json per report; with jsonl or
    csv, writes OUT/indicators.jsonl or OUT/indicators.csv. A file that cannot be
    read is reported on stderr, the others go on, and the exit status is 1.
    """
    from .pipeline import Extractor, extract_file
    from .serialize import csv_text, document_json, dumps, jsonl_lines, write_atomic

    files = _report_files(paths)
    if not files:
        _error("no report files found in " + ", ".join(map(str, paths)))
        raise typer.Exit(2)
    extractor, failed, documents = Extractor(), 0, []
    for path in files:
        try:
            document = document_json(extract_file(path, extractor=extractor))
        except ReadError as exc:
            failed += 1
            _error(f"{exc} (skipped)")
            continue
        if fmt is Format.json and out is not None:
            write_atomic(out / f"{document['doc_id']}.json", dumps(document))
        elif fmt is Format.json:
            sys.stdout.write(dumps(document))
        elif fmt is Format.jsonl and out is None:
            sys.stdout.write(jsonl_lines(document))
        else:
            documents.append(document)
    if fmt is Format.jsonl and out is not None:
        write_atomic(out / "indicators.jsonl", "".join(jsonl_lines(d) for d in documents))
    elif fmt is Format.csv:
        content = csv_text(documents)
        if out is None:
            sys.stdout.write(content)
        else:
            write_atomic(out / "indicators.csv", content)
    if failed:
        _error(f"{failed} of {len(files)} files could not be read")
        raise typer.Exit(1)


@app.command()
def score(
    corpus: Annotated[Path, typer.Option(help="Folder of the original reports.")],
    gold: Annotated[Path, typer.Option(help="Folder of gold <doc_id>.jsonl files.")],
    pred: Annotated[Path, typer.Option(help="Folder of extractor output <doc_id>.json files.")],
    docs: Annotated[
        str | None, typer.Option(help="Comma-separated doc ids to score (default: every gold file).")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
    errors: Annotated[bool, typer.Option("--errors", help="List every error on stderr.")] = False,
) -> None:
    """Score output against gold, with the same figures as the reference scorer."""
    from .score import GoldError, report_lines
    from .score import score as score_dirs

    try:
        result, error_lines = score_dirs(corpus, gold, pred, set(docs.split(",")) if docs else None)
    except GoldError as exc:
        _error(str(exc))
        raise typer.Exit(2) from exc
    if errors:
        typer.echo("\n".join(error_lines), err=True)
    typer.echo(json.dumps(result, ensure_ascii=False) if as_json else "\n".join(report_lines(result)))


@app.command("check-rules")
def check_rules() -> None:
    """Load and compile every rule file; report the first problem."""
    from .rules import load_rules, rule_cases

    try:
        load_rules("zh")
        cases = list(rule_cases("zh"))
    except RuleError as exc:
        _error(str(exc))
        raise typer.Exit(1) from exc
    positives = sum(c.positive for c in cases)
    typer.echo(f"rules/zh: ok, {positives} examples and {len(cases) - positives} counter-examples")
