"""A generated corpus of press releases: paragraphs of the seeds and of the texts below, recombined.

Deterministic for a given seed; article lengths vary from a short notice to a long feature, so
windows mix long and short articles as a real backlog does. Used by tests and benchmarks/bench_scale.py.
"""

from __future__ import annotations

import random
import shutil
from pathlib import Path

from tiny_models import SEEDS

#: Paragraphs in the register of the seeds, written for this corpus (no real events or people).
OWN_PARAGRAPHS = (
    "On the morning of March 4, a delegation of the Shanghai Cooperation Organization visited the "
    "Qingdao campus of Weidong Cloud Education and toured its new digital classrooms.",
    "The two sides agreed to set up a joint working group that will meet every quarter to review "
    "progress on teacher training, online courses and student exchanges.",
    "According to the plan, 120 schools in five member countries will join the programme by the end "
    "of next year, and 3,500 teachers will take part in the first round of training.",
    "Zhang Xiaobing said that education is the foundation of lasting friendship between peoples, and "
    "that Weidong Group will keep investing in platforms that make good teaching available to all.",
    "Representatives of the Qingdao Foreign Affairs Office attended the signing ceremony and "
    "expressed their support for further cooperation in science, culture and vocational education.",
    "The platform already serves more than two million learners, offering courses in mathematics, "
    "languages and engineering, with materials translated into Russian and Chinese.",
    "Photo: Participants at the signing ceremony",
    "Experts from the Secretariat noted that digital education helped many schools keep teaching "
    "during the pandemic, and that the lessons learned should be shared widely.",
    "The next meeting of the working group is scheduled for September in Beijing, where both parties "
    "will present a report on the first year of the programme.",
    "In his closing remarks, the Deputy Secretary-General thanked the hosts for their hospitality and "
    "invited the company to take part in the organization's youth forum.",
)


def seed_paragraphs() -> list[str]:
    """The body and caption paragraphs of the seed articles (titles and date lines left out)."""
    paragraphs = []
    for path in sorted(SEEDS.glob("*.txt")):
        blocks = [b.strip() for b in path.read_text(encoding="utf-8").split("\n\n") if b.strip()]
        paragraphs += [b for b in blocks[1:] if not b.startswith("Publish Time")]
    return paragraphs


def write_corpus(folder: Path, count: int, seed: int = 12, glossary: bool = True) -> list[Path]:
    """``count`` press releases in ``folder`` (and the seeds' glossary), 1 to 14 paragraphs each."""
    rng = random.Random(seed)
    pool = seed_paragraphs() + list(OWN_PARAGRAPHS)
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for n in range(count):
        size = rng.choice([1, 2, 3, 4, 6, 8, 10, 14])
        paragraphs = rng.sample(pool, min(size, len(pool)))
        if all(p.startswith(("Photo:", "Picture:")) for p in paragraphs):
            paragraphs.append(OWN_PARAGRAPHS[0])
        day = 1 + n % 28
        title = f"Release {n:03d}: cooperation in education, part {rng.randint(1, 99)}"
        text = f"{title}\n\nPublish Time:2021-05-{day:02d}     Article Source:Generated corpus\n\n"
        path = folder / f"release-{n:03d}.txt"
        path.write_text(text + "\n\n".join(paragraphs) + "\n", encoding="utf-8")
        paths.append(path)
    if glossary:
        shutil.copy(SEEDS / "glossary.tsv", folder / "glossary.tsv")
    return paths
