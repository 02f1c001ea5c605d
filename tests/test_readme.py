"""The README's examples, run as written.

Every fenced block whose lines start with `$ ` is a shell session: its commands
run in order, in a fresh folder that holds the project's `corpus/`,
`outputs/` and `tests/`, with the project's `extract` first on PATH, and the lines under each
command must be in what it prints (`…` stands for text left out). Every Python
block followed by a block introduced with "prints" is run and its output
compared the same way.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import ROOT

README = (ROOT / "README.md").read_text(encoding="utf-8")
FENCE = re.compile(r"^```(\w*)\n(.*?)^```\n", re.MULTILINE | re.DOTALL)
BOX = re.compile(r"[│┃┏┓┗┛┡┩━─┳┻╇╈┼├┤┬┴╭╮╰╯|]")


def _blocks() -> list[tuple[str, str, int]]:
    """(language, body, offset) of every fenced block."""
    return [(m.group(1), m.group(2), m.start()) for m in FENCE.finditer(README)]


def _sessions() -> list[list[tuple[str, list[str]]]]:
    """Each shell session: its commands, each with the lines it is shown to print."""
    sessions = []
    for _, body, _ in _blocks():
        if not body.startswith("$ "):
            continue
        steps: list[tuple[str, list[str]]] = []
        for line in body.splitlines():
            if line.startswith("$ "):
                steps.append((line[2:], []))
            elif line.strip():
                steps[-1][1].append(line)
        sessions.append(steps)
    return sessions


def _python_examples() -> list[tuple[str, list[str]]]:
    blocks = _blocks()
    examples = []
    for (language, body, _), (_, shown, offset) in zip(blocks, blocks[1:], strict=False):
        between = README[README.index(body) + len(body) : offset]
        if language == "python" and between.strip().strip("`").strip() == "prints":
            examples.append((body, shown.splitlines()))
    return examples


def _words(line: str) -> str:
    return " ".join(BOX.sub(" ", line).split())


def _shown_in(expected: list[str], printed: str) -> None:
    """Each expected line matches a printed line, in order; `…` matches anything."""
    lines = [_words(line) for line in printed.splitlines()]
    position = 0
    for line in expected:
        pieces = [piece.strip() for piece in _words(line).split("…") if piece.strip()]
        pattern = re.compile(".*".join(map(re.escape, pieces)))
        found = next((n for n in range(position, len(lines)) if pattern.search(lines[n])), None)
        assert found is not None, f"README shows {line!r}; the command printed:\n{printed}"
        position = found + 1


@pytest.fixture
def workdir(tmp_path: Path) -> Path:
    for name in ("corpus", "outputs", "tests"):
        (tmp_path / name).symlink_to(ROOT / name)
    return tmp_path


def _environment() -> dict[str, str]:
    bin_dir = str(Path(sys.executable).parent)
    return {**os.environ, "PATH": bin_dir + os.pathsep + os.environ["PATH"], "COLUMNS": "100"}


def test_the_readme_has_sessions_and_python_examples():
    assert len(_sessions()) >= 2 and _python_examples()


@pytest.mark.parametrize("session", _sessions(), ids=lambda steps: steps[0][0][:40])
def test_shell_session(session, workdir):
    for command, expected in session:
        done = subprocess.run(
            ["bash", "-c", command], cwd=workdir, env=_environment(), capture_output=True, text=True, timeout=300
        )
        assert "Traceback" not in done.stderr, done.stderr
        # diff exits 1 when outputs differ, as documented; anything else is 0.
        assert done.returncode in ({0, 1} if " diff " in f" {command}" else {0}), done.stderr
        _shown_in(expected, done.stdout)


@pytest.mark.parametrize("example", _python_examples(), ids=lambda e: e[0].splitlines()[0][:40])
def test_python_example(example, workdir):
    code, expected = example
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=workdir, env=_environment(), capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr
    _shown_in(expected, done.stdout)
