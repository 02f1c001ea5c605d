"""The stages every language supplies, picked once from a document's language.

Like spaCy's language packages, each language is one module of this package with
the same names (`zh.py`, `en.py`) and one folder of rules (`rules/<code>/`). The
pipeline calls the stages of a `Language` and never asks which language it is:
a third language is a folder of rules and one module here.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ..attach import Comparison
from ..model import Quantity, Sentence, TimeFrame
from ..rules import Canonical, Rules

# (start, end) of each sentence of one line.
Pieces = Callable[[str], list[tuple[int, int]]]


@dataclass(frozen=True)
class Language:
    """One language's rules and its stage functions."""

    code: str
    rules: Rules
    # The sentences of one line of normalized text.
    sentence_pieces: Pieces
    # The quantities of a sentence, offsets into the normalized text.
    quantities: Callable[[Sentence], list[Quantity]]
    # The metric of each quantity of a sentence (with what each is compared with).
    metrics: Callable[[Sentence, list[Quantity], list[Comparison | None]], list[str | None]]
    # increase / decrease / None for each quantity of a sentence.
    changes: Callable[[Sentence, list[Quantity]], list[str | None]]
    # The English name of each metric, given the standard indicators found for them.
    glosses: Callable[[list[str | None], list[Canonical | None]], list[str | None]]
    # The kind and year of each quantity of a sentence, given the running frames of
    # timeframe.assign_frames, the report year and the region.
    frames: Callable[[Sentence, list[Quantity], list[TimeFrame], int | None, str | None], list[TimeFrame]]
    # Loads what the stages load lazily (a worker warms up before its first report).
    warm_up: Callable[[], None]
    # The word segmenter the metric stage reads with, if the language has one (the
    # audit reads metrics with the same one).
    segmenter: Any = None


def available_languages() -> tuple[str, ...]:
    """The codes of the languages this package has a module for."""
    return tuple(sorted(m.name for m in pkgutil.iter_modules(__path__) if not m.name.startswith("_")))


def load_language(code: str, rules: Rules, timings: dict[str, float] | None = None) -> Language:
    """The stages of language `code` (module `extract.languages.<code>`), built on `rules`."""
    module = importlib.import_module(f"{__name__}.{code}")
    return module.language(rules, timings)
