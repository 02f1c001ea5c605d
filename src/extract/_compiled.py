"""Modules compiled by scripts/compile (mypyc) sit beside their sources and are
imported instead of them. One built from an older source would run old code in
silence: that is refused, with what to do."""

from __future__ import annotations

import importlib.machinery
from pathlib import Path

HERE = Path(__file__).parent


def check_compiled(folder: Path = HERE) -> None:
    for suffix in importlib.machinery.EXTENSION_SUFFIXES:
        for compiled in folder.glob(f"*{suffix}"):
            source = compiled.with_name(compiled.name[: -len(suffix)] + ".py")
            if source.exists() and source.stat().st_mtime > compiled.stat().st_mtime:
                raise ImportError(
                    f"{compiled} is older than {source.name}: run scripts/compile again, "
                    "or scripts/compile --clean for pure Python"
                )
