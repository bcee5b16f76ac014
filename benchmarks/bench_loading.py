"""Seconds to load 100 web pages, 100 Word files and 100 PDFs (tsum's ingest, one process, one core).

python benchmarks/bench_loading.py [--count 100]

Pages are the saved set in tests/data/pages, repeated (each copy a new file, so nothing is cached by
name); the DOCX and PDF files are the ones the tests generate (python-docx, reportlab: two pages,
a running header and footer, hyphenated lines).
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "tests"))
sys.path.insert(0, str(REPO))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=100)
    args = parser.parse_args()
    from test_ingest_docx import _release
    from test_ingest_pdf import _pdf

    from translate_sum.ingest import load_folder

    pages = sorted((REPO / "tests" / "data" / "pages").glob("*.html"))
    with tempfile.TemporaryDirectory() as tmp:
        folders = {kind: Path(tmp) / kind for kind in ("html", "docx", "pdf")}
        for folder in folders.values():
            folder.mkdir()
        pdf_bytes = _pdf(columns=2)
        _release(Path(tmp) / "one.docx")
        for n in range(args.count):
            shutil.copy(pages[n % len(pages)], folders["html"] / f"{n:03d}.html")
            shutil.copy(Path(tmp) / "one.docx", folders["docx"] / f"{n:03d}.docx")
            (folders["pdf"] / f"{n:03d}.pdf").write_bytes(pdf_bytes)
        load_folder(folders["html"])  # imports and first-use caches out of the measurement
        for kind, folder in folders.items():
            start = time.perf_counter()
            articles, errors = load_folder(folder)
            seconds = time.perf_counter() - start
            assert not errors and len(articles) == args.count, errors[:3]
            print(f"{args.count} {kind:5} {seconds:6.2f} s  ({1000 * seconds / args.count:.0f} ms each)")


if __name__ == "__main__":
    main()
