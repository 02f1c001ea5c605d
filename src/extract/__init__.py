"""extract: numeric targets and results of government work reports as JSON.

from extract import extract_text, extract_file
extraction = extract_file("corpus/laoshan-2025.txt")
"""

from .pipeline import Extractor, extract_file, extract_text
from .read import ReadError

__all__ = ["Extractor", "ReadError", "extract_file", "extract_text"]
