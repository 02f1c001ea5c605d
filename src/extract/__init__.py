"""extract: numeric targets and results of government work reports as JSON.

from extract import extract_text, extract_file
extraction = extract_file("corpus/laoshan-2025.txt")
"""

from ._compiled import check_compiled

check_compiled()

from .pipeline import Extractor, extract_file, extract_text  # noqa: E402 - after the check
from .read import ReadError  # noqa: E402

__all__ = ["Extractor", "ReadError", "extract_file", "extract_text"]
