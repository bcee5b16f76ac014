"""Token-shingle F1 of tsum's article extraction on the saved pages in tests/data/pages.

python benchmarks/bench_extraction.py               # the current loader
python benchmarks/bench_extraction.py --old c361b10 # the loader at an older commit (articles.py)
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
PAGES = REPO / "tests" / "data" / "pages"
sys.path.insert(0, str(REPO / "tests"))
sys.path.insert(0, str(REPO))

from shingle_f1 import precision_recall_f1  # noqa: E402


def _old_loader(rev: str):
    """``load(path) -> body text`` with the pre-``ingest`` loader of commit ``rev``."""
    source = subprocess.run(
        ["git", "-C", str(REPO), "show", f"{rev}:translate_sum/articles.py"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    folder = Path(tempfile.mkdtemp())
    (folder / "old_articles.py").write_text(source)
    spec = importlib.util.spec_from_file_location("old_articles", folder / "old_articles.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return lambda path: module.load_article(path)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--old", metavar="REV", help="measure translate_sum/articles.py at this commit")
    args = parser.parse_args()
    if args.old:
        load = _old_loader(args.old)
    else:
        from translate_sum.ingest import load_article as load
    scores = []
    for page in sorted(PAGES.glob("*.html")):
        expected = json.loads(page.with_suffix(".json").read_text(encoding="utf-8"))
        article = load(page)
        body = "\n".join(p.text for p in article.paragraphs[1:])
        p, r, f1 = precision_recall_f1(body, "\n".join(expected["body"]))
        scores.append((p, r, f1))
        title_ok = article.title == expected["title"]
        date_ok = article.date == expected["date"]
        print(
            f"{page.name:28} P {p:.3f}  R {r:.3f}  F1 {f1:.3f}  title {'ok' if title_ok else 'WRONG'}  "
            f"date {article.date or '-'}{'' if date_ok else ' WRONG'}"
        )
    n = len(scores)
    print(
        f"{'mean of ' + str(n) + ' pages':28} P {sum(s[0] for s in scores) / n:.3f}  "
        f"R {sum(s[1] for s in scores) / n:.3f}  F1 {sum(s[2] for s in scores) / n:.3f}"
    )


if __name__ == "__main__":
    main()
