"""Measure `extract track` on the hand-read series of tests/fixtures/track.

usage: python scripts/measure_track.py [--errors]

Each pairs-<series>.json lists the clear target–result pairs a reader found in two
consecutive reports of one district (spans into the original texts, and the
verdict). A pair is found when the tool pairs the same target with the same result
(spans overlap) and gives the same verdict. A printed pair is wrong when its target
or its result is one of a listed pair but the other figure or the verdict differs;
printed pairs that touch no listed figure are not judged (the reader left them out
as doubtful or did not list them), unless judged-printed.json, where a reader
judged the printed pairs that touch no listed figure, calls them wrong.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from extract.pipeline import Extractor, extract_file
from extract.serialize import document_json
from extract.track import track

FIXTURES = Path(__file__).resolve().parents[1] / "tests" / "fixtures" / "track"


def overlaps(span: list[int], other: list[int]) -> bool:
    return span[0] < other[1] and other[0] < span[1]


def measure(show_errors: bool = False) -> dict:
    extractor = Extractor()
    documents: dict[str, dict] = {}

    def document(doc_id: str) -> dict:
        if doc_id not in documents:
            documents[doc_id] = document_json(extract_file(FIXTURES / f"{doc_id}.txt", extractor=extractor))
        return documents[doc_id]

    judged = json.loads((FIXTURES / "judged-printed.json").read_text(encoding="utf-8"))["pairs"]
    wrong_elsewhere = [j for j in judged if j["judgement"] in {"wrong_pair", "wrong_verdict"}]
    listed = found = printed = wrong = 0
    for path in sorted(FIXTURES.glob("pairs-*.json")):
        pairs = json.loads(path.read_text(encoding="utf-8"))["pairs"]
        for earlier, later in sorted({(p["earlier"], p["later"]) for p in pairs}):
            expected = [p for p in pairs if (p["earlier"], p["later"]) == (earlier, later)]
            result = [r for r in track(document(earlier), document(later)) if r["actual"] is not None]
            listed += len(expected)
            printed += len(result)
            for pair in expected:
                hit = any(
                    overlaps(r["target"]["span"], pair["target"]["span"])
                    and overlaps(r["actual"]["span"], pair["actual"]["span"])
                    and r["verdict"] == pair["verdict"]
                    for r in result
                )
                found += hit
                if not hit and show_errors:
                    target, actual = pair["target"]["text"], pair["actual"]["text"]
                    print(f"missed  {earlier}: {pair['indicator']} {target} -> {actual}")
            for r in result:
                touching = [
                    p
                    for p in expected
                    if overlaps(r["target"]["span"], p["target"]["span"])
                    or overlaps(r["actual"]["span"], p["actual"]["span"])
                ]
                bad = touching and not any(
                    overlaps(r["target"]["span"], p["target"]["span"])
                    and overlaps(r["actual"]["span"], p["actual"]["span"])
                    and r["verdict"] == p["verdict"]
                    for p in touching
                )
                bad = bad or any(
                    (j["earlier"], j["later"]) == (earlier, later)
                    and overlaps(r["target"]["span"], j["target"]["span"])
                    and overlaps(r["actual"]["span"], j["actual"]["span"])
                    for j in wrong_elsewhere
                )
                wrong += bool(bad)
                if bad and show_errors:
                    print(
                        f"wrong   {earlier}: {r['target']['metric']} {r['target']['text']} -> "
                        f"{r['actual']['metric']} {r['actual']['text']} ({r['verdict']})"
                    )
    return {
        "listed": listed,
        "found": found,
        "printed": printed,
        "wrong": wrong,
        "found_share": round(found / listed, 3) if listed else 0.0,
        "wrong_share": round(wrong / printed, 3) if printed else 0.0,
    }


if __name__ == "__main__":
    print(json.dumps(measure("--errors" in sys.argv), ensure_ascii=False))
