"""The benchmark's documents are real reports of bench/corpus, whole and distinct (no timing here)."""

from __future__ import annotations

import importlib.util
import itertools
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "bench" / "corpus"


@pytest.fixture(scope="module")
def bench():
    # bench/run.py puts src on sys.path itself; registered first, as its dataclass needs.
    spec = importlib.util.spec_from_file_location("bench_run", ROOT / "bench" / "run.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules["bench_run"] = module
    spec.loader.exec_module(module)
    yield module
    sys.modules.pop("bench_run", None)


def paragraphs(text: str) -> list[str]:
    return [line for line in text.split("\n") if line.strip()]


def report_paragraphs(folder: Path) -> set[str]:
    return {p for path in folder.glob("*.txt") for p in paragraphs(path.read_text(encoding="utf-8"))}


def test_the_corpus_holds_real_chinese_and_english_reports(bench):
    chinese = sorted(CORPUS.glob("*.txt"))
    assert len(chinese) >= 30
    assert bench.reports("zh") == chinese
    for path in chinese:
        text = path.read_text(encoding="utf-8")
        assert len(text) > 5000 and sum("\u4e00" <= c <= "\u9fff" for c in text) > len(text) / 2, path.name
    assert len(bench.reports("en")) >= 3
    assert (CORPUS / "README.md").is_file()


def test_a_small_corpus_is_real_reports_whole_and_distinct(bench, tmp_path):
    from opencc import OpenCC

    files = bench.build_corpus(tmp_path, 0.1)
    simplified, traditional = files["simplified"], files["traditional"]
    assert 1 <= len(simplified) < len(bench.reports("zh"))  # 0.1 MB is a few reports, not all
    assert len(traditional) == len(simplified)
    known = report_paragraphs(CORPUS)
    reports = {path.read_bytes() for path in bench.reports("zh")}
    for path in simplified:
        assert path.read_bytes() in reports, path.name  # a report as it is, byte for byte
        assert set(paragraphs(path.read_text(encoding="utf-8"))) <= known, path.name
    to_traditional = OpenCC("s2t").convert
    for simple, trad in zip(simplified, traditional, strict=True):
        text = trad.read_text(encoding="utf-8")
        assert text != simple.read_text(encoding="utf-8")
        converted = {to_traditional(p) for p in paragraphs(simple.read_text(encoding="utf-8"))}
        assert set(paragraphs(text)) <= converted, trad.name
    english = {path.read_bytes() for path in bench.reports("en")}
    assert {path.read_bytes() for path in files["english"]} == english
    every = [path.read_bytes() for paths in files.values() for path in paths]
    assert len(set(every)) == len(every)


def test_repeats_are_real_paragraphs_in_new_documents(bench):
    sources = bench.reports("zh")
    texts = [path.read_text(encoding="utf-8") for path in sources]
    documents = list(itertools.islice(bench.report_documents(texts, [p.stem for p in sources]), len(texts) + 40))
    assert [text for _, text in documents[: len(texts)]] == texts
    source = {p: n for n, text in enumerate(texts) for p in paragraphs(text)}
    for _, text in documents[len(texts) :]:
        assert set(paragraphs(text)) <= source.keys()
        assert len({source[p] for p in paragraphs(text)}) > 1  # across reports, not one report again
    assert len({text for _, text in documents}) == len(documents)
    assert len({name for name, _ in documents}) == len(documents)
