"""The faster converter: the C++ OpenCC (package `opencc`, installed instead of
opencc-python-reimplemented, see requirements-fast.txt) gives the very same
normalized text and script on the corpus and on traditional versions of it.

The two packages cannot share an environment, so the C++ one is installed apart
(scripts/test puts it in .cache/opencc-official) and runs in a child process that
finds it first on its path.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tomllib

import pytest

from conftest import CORPUS, ROOT

OFFICIAL = ROOT / ".cache" / "opencc-official"
NORMALIZE = """
import json, sys
from extract.normalize import converter_name, normalize
from extract.rules import load_rules
rules = load_rules("zh")
texts = json.loads(sys.stdin.read())
results = [[n.text, n.script] for n in (normalize(text, rules) for text in texts)]
print(json.dumps({"converter": converter_name(), "results": results}, ensure_ascii=False))
"""


def _requirement_names(lines: list[str]) -> list[str]:
    return [line.strip() for line in lines if line.strip() and not line.lstrip().startswith("#")]


def test_fast_requirements_are_the_project_dependencies_with_one_swap():
    dependencies = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["dependencies"]
    fast = _requirement_names((ROOT / "requirements-fast.txt").read_text(encoding="utf-8").splitlines())
    assert [d for d in dependencies if not d.startswith("opencc-python-reimplemented")] == [
        f for f in fast if not f.startswith("opencc")
    ]
    assert any(f.startswith("opencc>=") for f in fast)


def _normalized(texts: list[str], first_on_path: list[str]) -> dict:
    path = os.pathsep.join([*first_on_path, str(ROOT / "src")])
    result = subprocess.run(
        [sys.executable, "-c", NORMALIZE],
        input=json.dumps(texts, ensure_ascii=False),
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "PYTHONPATH": path},
    )
    return json.loads(result.stdout)


def test_cpp_opencc_normalizes_exactly_like_the_reimplementation():
    if not (OFFICIAL / "opencc").is_dir():
        if os.environ.get("CI"):
            pytest.fail("CI must have the C++ OpenCC: scripts/test installs it in .cache/opencc-official")
        pytest.skip("the C++ OpenCC is not installed in .cache/opencc-official (scripts/test does it)")
    from opencc import OpenCC

    to_traditional = OpenCC("s2t").convert
    originals = [p.read_text(encoding="utf-8") for p in sorted(CORPUS.glob("*.txt"))]
    texts = originals + [to_traditional(text) for text in originals]
    default = _normalized(texts, [])
    fast = _normalized(texts, [str(OFFICIAL)])
    assert (default["converter"], fast["converter"]) == ("opencc-python-reimplemented", "opencc (C++)")
    chinese = [n for n, text in enumerate(originals) if sum("\u4e00" <= c <= "\u9fff" for c in text) > 1000]
    assert len(chinese) >= 4
    assert all(default["results"][len(originals) + n][1] == "traditional" for n in chinese)
    assert fast["results"] == default["results"]
