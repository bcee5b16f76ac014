"""A translation memory of an organisation's size: page look-ups, a run's look-ups, and a 50 MB TMX import.

    python benchmarks/memory_scale.py [--workdir DIR] [--entries 250000] [--tmx-mb 50]

Generates everything (no download): English press-release-like sentences from a fixed vocabulary with
made-up Chinese and Russian targets, written as a TMX 1.4 file of ``--tmx-mb`` MB. Measures

1. the import of that file into an empty memory (``tsum memory import``'s code path), wall time and
   the importing process's peak RSS (a child process, so nothing else is counted);
2. with the memory topped up to ``--entries`` entries: the memory work of a 15-segment review page
   (exact look-up and near-match suggestions for each segment in zh and ru: 5 sentences the memory
   holds, 5 with one word changed, 5 new);
3. a run's memory look-ups for 1,000 segments in 50 articles: the snapshot a run takes, and per article
   the exact look-ups and the memory digest its manifest records, in both languages.

Targets (issue 23): import ≤ 60 s at ≤ 150 MB peak RSS; page ≤ 0.5 s; run ≤ 2 s per 1,000 segments.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from xml.sax.saxutils import escape

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from translate_sum.memory import MemoryStore  # noqa: E402

sys.path.insert(0, str(REPO / "benchmarks"))
from common import machine_line  # noqa: E402

WORDS = [
    "the",
    "of",
    "and",
    "to",
    "in",
    "a",
    "for",
    "on",
    "with",
    "by",
    "at",
    "from",
    "as",
    "that",
    "this",
    "is",
    "was",
    "will",
    "be",
    "has",
    "have",
    "its",
    "their",
    "his",
    "her",
    "group",
    "company",
    "forum",
    "secretariat",
    "minister",
    "delegation",
    "cooperation",
    "education",
    "cloud",
    "university",
    "centre",
    "agreement",
    "memorandum",
    "signed",
    "visited",
    "held",
    "met",
    "discussed",
    "announced",
    "launched",
    "opened",
    "presented",
    "trade",
    "investment",
    "development",
    "technology",
    "digital",
    "innovation",
    "regional",
    "international",
    "national",
    "economic",
    "annual",
    "summit",
    "conference",
    "exhibition",
    "project",
    "programme",
    "partnership",
    "strategy",
    "platform",
    "network",
    "students",
    "teachers",
    "experts",
    "officials",
    "representatives",
    "members",
    "leaders",
    "partners",
    "countries",
    "cities",
    "Qingdao",
    "Beijing",
    "Shanghai",
    "Tashkent",
    "Almaty",
    "Moscow",
    "Bishkek",
    "Dushanbe",
    "Astana",
    "Islamabad",
    "Delhi",
    "Tehran",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
    "January",
    "March",
    "April",
    "May",
    "June",
    "first",
    "second",
    "third",
    "new",
    "further",
    "closer",
    "mutual",
    "practical",
    "important",
    "significant",
    "successful",
    "joint",
    "future",
    "recent",
]
ZH = "的一是在不了有和人这中大为上个国我以要他时来用们生到作地于出就分对成会可主发年动同工也能下过子说产种面而方后多定行学法所民得经十三之进着等部度家电力里如水化高自二理起小物现实加量都两体制机当使点从业本去把性好应开它合还因由其些然前外天政四日那社义事平形相全表间样与关各重新线内数正心反你明看原又么利比或但质气第向道命此变条只没结解问意建月公无系军很情者最立代想已通并提直题党程展五果料象员革位入常文总次品式活设及管特件长求老头基资边流路级少图山统接知较将组见计别她手角期根论运农指几九区强放决西被干做必战先回则任取据处队南给色光门即保治北造百规热领七海口东导器压志世金增争济阶油思术极交受联什认六共权收证改清己美再采转更单风切打白教速花带安场身车例真务具万每目至达走积示议声报斗完类八离华名确才科张信马节话米整空元况今集温传土许步群广石记需段研界拉林律叫且究观越织装影算低持音众书布复容儿须际商非验连断深难近矿千周委素技备半办青省列习响约支般史感劳便团往酸历市克何除消构府称太准精值号率族维划选标写存候毛亲快效斯院查江型眼王按格养易置派层片始却专状育厂京识适属圆包火住调满县局照参红细引听该铁价严龙飞"
RU = [
    "группа",
    "компания",
    "форум",
    "секретариат",
    "министр",
    "делегация",
    "сотрудничество",
    "образование",
    "университет",
    "центр",
    "соглашение",
    "подписали",
    "посетили",
    "провели",
    "обсудили",
    "объявили",
    "открыли",
    "представили",
    "торговля",
    "инвестиции",
    "развитие",
    "технологии",
    "цифровой",
    "инновации",
    "региональный",
    "международный",
    "национальный",
    "экономический",
    "ежегодный",
    "саммит",
    "конференция",
    "выставка",
    "проект",
    "программа",
    "партнёрство",
    "стратегия",
    "платформа",
    "сеть",
    "студенты",
    "преподаватели",
    "эксперты",
    "официальные",
    "представители",
    "члены",
    "лидеры",
    "партнёры",
    "страны",
    "города",
]


FUNCTION_WORDS = WORDS[:21]
_SYLLABLES = [c + v for c in "bcdfghklmnprstvwz" for v in ("a", "e", "i", "o", "u", "an", "er", "in", "on")]


def vocabulary(rng: random.Random, size: int = 20_000) -> tuple[list[str], list[float]]:
    """Content words with Zipf frequencies (s = 1.1), as in real text: the press-release words above
    first, then made-up words of 2-4 syllables. Returns the words and cumulative weights."""
    words = list(dict.fromkeys(WORDS[21:]))
    seen = set(words)
    while len(words) < size:
        word = "".join(rng.choice(_SYLLABLES) for _ in range(rng.randint(2, 4)))
        if word not in seen:
            seen.add(word)
            words.append(word)
    total, cumulative = 0.0, []
    for rank in range(1, size + 1):
        total += 1 / rank**1.1
        cumulative.append(total)
    return words, cumulative


_VOCAB: tuple[list[str], list[float]] | None = None


def sentence(rng: random.Random, n: int) -> str:
    """A sentence of 10-22 words, about 40 % of them function words, ending in a number (dates, ids)."""
    global _VOCAB
    if _VOCAB is None:
        _VOCAB = vocabulary(random.Random(1))
    words, weights = _VOCAB
    length = rng.randint(10, 22)
    content = rng.choices(words, cum_weights=weights, k=length)
    text = [rng.choice(FUNCTION_WORDS) if rng.random() < 0.4 else word for word in content]
    return f"{' '.join(text).capitalize()} (no. {n})."


def targets(rng: random.Random, n: int) -> tuple[str, str]:
    zh = "".join(rng.choice(ZH) for _ in range(rng.randint(18, 40))) + f"（第{n}号）。"
    ru = " ".join(rng.choice(RU) for _ in range(rng.randint(8, 16))).capitalize() + f" (№ {n})."
    return zh, ru


def write_tmx(path: Path, megabytes: float, rng: random.Random) -> int:
    """A TMX 1.4 file of about ``megabytes`` MB, one en/zh-CN/ru ``tu`` per sentence; returns the tu count."""
    limit = megabytes * 1024 * 1024
    count = 0
    with open(path, "w", encoding="utf-8") as out:
        out.write(
            '<?xml version="1.0" encoding="UTF-8"?>\n<tmx version="1.4"><header creationtool="bench" '
            'creationtoolversion="1" segtype="sentence" o-tmf="bench" adminlang="en" srclang="en" '
            'datatype="plaintext"/>\n<body>\n'
        )
        while out.tell() < limit:
            zh, ru = targets(rng, count)
            out.write(
                f'<tu><tuv xml:lang="en"><seg>{escape(sentence(rng, count))}</seg></tuv>'
                f'<tuv xml:lang="zh-CN"><seg>{escape(zh)}</seg></tuv>'
                f'<tuv xml:lang="ru"><seg>{escape(ru)}</seg></tuv></tu>\n'
            )
            count += 1
        out.write("</body></tmx>\n")
    return count


IMPORT_CHILD = """
import json, resource, sys, time
sys.path.insert(0, sys.argv[3])
from translate_sum.memory import MemoryStore
from translate_sum.memory.cat import import_file
start = time.perf_counter()
with MemoryStore(sys.argv[2]) as store:
    report = import_file(sys.argv[1], store)
seconds = time.perf_counter() - start
usage = resource.getrusage(resource.RUSAGE_SELF)
print(json.dumps({"seconds": seconds, "cpu_seconds": usage.ru_utime + usage.ru_stime,
                  "peak_rss_mb": usage.ru_maxrss / 1024, "added": report.added, "skipped": report.skipped}))
"""


def measure_import(tmx: Path, memory: Path) -> dict:
    done = subprocess.run(
        [sys.executable, "-c", IMPORT_CHILD, str(tmx), str(memory), str(REPO)],
        check=True,
        capture_output=True,
        text=True,
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def top_up(store: MemoryStore, entries: int, rng: random.Random, start: int) -> list[str]:
    """Add sentences until the memory holds ``entries`` entries; returns some of the sources it holds."""
    have = store.stats()["entries"]
    n = start
    items = []
    while have + len(items) < entries:
        zh, ru = targets(rng, n)
        source = sentence(rng, n)
        items += [(source, "zh", zh, "imported", None), (source, "ru", ru, "imported", None)]
        n += 1
    store.import_entries(iter(items[: max(0, entries - have)]), "tmx", "top-up")
    return [e.source for e in store.entries("zh")[-5000:]]


def page_lookups(store: MemoryStore, segments: list[str]) -> tuple[float, float, int]:
    """The memory work of the review page (review/page.py's page_data) for these segments:
    (wall seconds, CPU seconds, suggestions offered)."""
    start, cpu = time.perf_counter(), time.process_time()
    offered = 0
    for lang in ("zh", "ru"):
        from translate_sum.memory.keys import normalize_key

        exact = store.lookup(segments, lang)
        for source in segments:
            if normalize_key(source) not in exact:
                offered += bool(store.near(source, lang))
    return time.perf_counter() - start, time.process_time() - cpu, offered


def run_lookups(store: MemoryStore, articles: list[list[str]]) -> dict:
    """What a run asks of the memory: one snapshot, then per article the look-ups and the digest."""
    start, cpu = time.perf_counter(), time.process_time()
    snapshot = store.snapshot(("zh", "ru"))
    snap = time.perf_counter() - start
    served = 0
    for segments in articles:
        for lang in ("zh", "ru"):
            served += len(snapshot.lookup(segments, lang))
        snapshot.digest(segments, ("zh", "ru"))  # the manifest's memory digest
        store.digest(segments, ("zh", "ru"))  # is_memory_current for an article skipped next time
    total = time.perf_counter() - start
    return {
        "seconds": total,
        "cpu_seconds": time.process_time() - cpu,
        "snapshot_seconds": snap,
        "served": served,
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--workdir", type=Path, default=None, help="keep the files here (default: a temp folder)"
    )
    parser.add_argument("--entries", type=int, default=250_000)
    parser.add_argument("--tmx-mb", type=float, default=50.0)
    parser.add_argument("--json", type=Path, default=None, help="also write the figures here")
    args = parser.parse_args()
    work = args.workdir or Path(tempfile.mkdtemp(prefix="tsum-memory-scale-"))
    work.mkdir(parents=True, exist_ok=True)
    rng = random.Random(23)
    print(machine_line())
    print(
        f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())} (other work on the machine slows wall times)"
    )
    tmx, memory = work / "memory.tmx", work / "tm.sqlite"
    memory.unlink(missing_ok=True)
    for suffix in ("-wal", "-shm"):
        Path(str(memory) + suffix).unlink(missing_ok=True)
    units = write_tmx(tmx, args.tmx_mb, rng)
    size_mb = tmx.stat().st_size / 1024 / 1024
    imported = measure_import(tmx, memory)
    print(
        f"import: {size_mb:.1f} MB TMX, {units:,} tu -> {imported['added']:,} entries in "
        f"{imported['seconds']:.1f} s ({imported['cpu_seconds']:.1f} s CPU), peak RSS "
        f"{imported['peak_rss_mb']:.0f} MB (targets: 60 s, 150 MB)"
    )
    with MemoryStore(memory) as store:
        held = top_up(store, args.entries, rng, units)
        count = store.stats()["entries"]
        reopen = time.perf_counter()
        MemoryStore(memory).close()
        reopen = time.perf_counter() - reopen
        page = held[:5] + [
            s.replace(" the ", " a ", 1) if " the " in s else s + " Again." for s in held[5:10]
        ]
        page += [sentence(rng, 10_000_000 + i) for i in range(5)]
        store.near("Warm-up: the sample of trigram counts is taken once per open memory.", "zh")
        seconds, cpu, offered = page_lookups(store, page)
        print(
            f"memory: {count:,} entries, opened with its integrity check in {reopen:.2f} s; "
            f"15-segment page: {seconds:.3f} s ({cpu:.3f} s CPU; {offered} near-match suggestions; "
            "target 0.5 s)"
        )
        articles = []
        for a in range(50):
            segments = [held[rng.randrange(len(held))] for _ in range(6)]  # 30 % served by the memory
            segments += [sentence(rng, 20_000_000 + a * 100 + i) for i in range(14)]
            articles.append(segments)
        run = run_lookups(store, articles)
        print(
            f"run: 1,000 segments in 50 articles, memory look-ups {run['seconds']:.2f} s "
            f"({run['cpu_seconds']:.2f} s CPU; snapshot {run['snapshot_seconds']:.2f} s; {run['served']} served; "
            "target 2 s)"
        )
    figures = {
        "cpu": machine_line(),
        "tmx_mb": size_mb,
        "tmx_units": units,
        "import": imported,
        "entries": count,
        "open_seconds": reopen,
        "page_seconds": seconds,
        "page_cpu_seconds": cpu,
        "run": run,
    }
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2) + "\n")


if __name__ == "__main__":
    main()
