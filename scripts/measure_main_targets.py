"""How many standard figures of the main-targets paragraphs get their indicator.

    python scripts/measure_main_targets.py OUTPUT_DIR REPORT_DIR [HAND_LIST]

HAND_LIST (default scripts/main_targets_unlabelled.txt) lists, per line,
`doc_id|figure text[#n]|expected code`, read by hand from the paragraph that sets
the year's main targets (主要预期目标 …) of each report in ../shared/unlabelled; #n
is the n-th figure of that text in the paragraph. OUTPUT_DIR holds what
`extract run REPORT_DIR --out OUTPUT_DIR` wrote. Prints the misses and the totals.
"""

from __future__ import annotations

import json
import sys
from collections import defaultdict
from pathlib import Path

import regex

TARGETS = (regex.compile(r"预期目标"), regex.compile(r"主要目标"))
# The hand list may carry the character after a figure (5%和, 4%，).
TRAILING = regex.compile(r"[、，,和；;。]+$")


def _paragraph(text: str) -> tuple[int, int]:
    """The first line that names the main (expected) targets and has figures after the words."""
    for words in TARGETS:
        start = 0
        for line in text.splitlines(keepends=True):
            match = words.search(line)
            if match and regex.search(r"\d", line[match.end() :]):
                return start, start + len(line)
            start += len(line)
    return -1, -1


def main(outputs: str, reports: str, hand: str) -> None:
    expected: dict[str, list[tuple[str, int, str]]] = defaultdict(list)
    for line in Path(hand).read_text(encoding="utf-8").splitlines():
        doc, figure, code = line.split("|")
        text, _, n = figure.partition("#")
        expected[doc].append((TRAILING.sub("", text), int(n or 1), code))
    right = total = 0
    for doc, figures in sorted(expected.items()):
        original = next(Path(reports).glob(doc + ".*")).read_text(encoding="utf-8")
        start, end = _paragraph(original)
        found = json.loads((Path(outputs) / f"{doc}.json").read_text(encoding="utf-8"))["indicators"]
        inside = [i for i in found if start <= i["span"][0] < end]
        for text, n, code in figures:
            total += 1
            matches = [i for i in inside if i["text"] == text]
            got = matches[n - 1] if len(matches) >= n else None
            if got and got["indicator"] == code:
                right += 1
            else:
                print(f"{doc} {text}#{n}: want {code}, got", got and (got["metric"], got["indicator"]))
    print(f"{right} of {total} figures get their indicator")


if __name__ == "__main__":
    default = Path(__file__).with_name("main_targets_unlabelled.txt")
    main(sys.argv[1], sys.argv[2], sys.argv[3] if len(sys.argv) > 3 else str(default))
