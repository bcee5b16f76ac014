"""Hand-built ``ArticleResult``s for the renderer tests: the first seed article, translated by hand.

``build_result()`` is what the pipeline would produce for ``seeds/000_828caea308506d00.txt``: a title,
body sentences sharing paragraphs, two captions, a two-sentence summary with support scores, glossary
hits in every status and QA flags. ``hostile_result()`` is the same article with markup, quotes, CDATA
terminators and control characters planted in text, glossary entries and the manifest.
"""

from __future__ import annotations

from translate_sum.records import AlignedSegment, ArticleResult, Flag, Manifest, Support, TermHit

SLUG = "2020-07-24-sco-deputy-secretary-general-visits-weidong"

# en -> (zh, ru) fixed forms, as a glossary would give them.
GLOSSARY = {
    "Shanghai Cooperation Organization": ("上海合作组织", "Шанхайская организация сотрудничества"),
    "Weidong Cloud Education Group": ("伟东云教育集团", "Weidong Cloud Education Group"),
    "Weidong Cloud Education": ("伟东云教育", "Weidong Cloud Education"),
    "Weidong Group": ("伟东集团", "Weidong Group"),
    "Qingdao": ("青岛", "Циндао"),
    "SCO": ("上合组织", "ШОС"),
}

# (id, kind, paragraph, en, zh, ru)
SOURCE = [
    (
        "t0",
        "title",
        0,
        "The Deputy Secretary-General of the SCO visited Weidong",
        "上合组织副秘书长访问伟东",
        "Заместитель генерального секретаря ШОС посетил Weidong",
    ),
    (
        "p1s0",
        "body",
        1,
        "On the afternoon of July 23, the Deputy Secretary-General of Shanghai Cooperation Organization "
        "Sherali "
        "Jonon and Senior Expert Muratek Akimbakiyev visited the Qingdao headquarters of Weidong Cloud "
        "Education "
        "Group.",
        "7月23日下午，上海合作组织副秘书长舍拉利·乔农和高级专家穆拉特克·阿金巴基耶夫访问了伟东云教育集团青岛总部。",
        "Во второй половине дня 23 июля заместитель генерального секретаря Шанхайской организации "
        "сотрудничества "
        "Шерали Джонон и старший эксперт Муратек Акимбакиев посетили штаб-квартиру Weidong Cloud Education "
        "Group "
        "в Циндао.",
    ),
    (
        "p1s1",
        "body",
        1,
        "The two parties summarized a series of fruitful cooperation and the results achieved by the SCO and "
        "Weidong Cloud Education in the past two years, and conducted in-depth discussions on the direction "
        "of "
        "further cooperation between the two sides in the future.",
        "双方总结了过去两年上合组织与伟东云教育开展的一系列富有成效的合作及取得的成果，并就双方未来进一步合作的方向进行了深入探讨。",
        "Стороны подвели итоги ряда плодотворных совместных проектов и результатов, достигнутых ШОС и "
        "Weidong "
        "Cloud Education за последние два года, и провели углублённое обсуждение направлений дальнейшего "
        "сотрудничества между сторонами в будущем.",
    ),
    (
        "p2s0",
        "body",
        2,
        "Wang Xiangyu, Deputy Director of Qingdao Foreign Affairs Office, Zhang Xiaobing, Executive Vice "
        "President "
        "of Weidong Group, and Wang Zhiqian, Head of International Business of Weidong Cloud Education "
        "Group, "
        "attended the meeting.",
        "青岛市外办副主任王翔宇、伟东集团执行副总裁张晓兵、伟东云教育集团国际业务负责人王志谦出席了会见。",
        "На встрече присутствовали заместитель директора Канцелярии по иностранным делам Циндао Ван Сянъюй, "
        "исполнительный вице-президент Weidong Group Чжан Сяобин и руководитель международного направления "
        "Weidong Cloud Education Group Ван Чжицянь.",
    ),
    ("c3", "caption", 3, "Photo: Meeting scene", "图为会见现场", "Фото: на встрече"),
    (
        "c4",
        "caption",
        4,
        "Picture: Group photo of both sides on the official website of SCO",
        "图为双方合影（上合组织官网）",
        "Фото: совместная фотография сторон на официальном сайте ШОС",
    ),
    (
        "p5s0",
        "body",
        5,
        "Zhang Xiaobing first introduced the cooperation projects between the two parties.",
        "张晓兵首先介绍了双方的合作项目。",
        "Чжан Сяобин сначала рассказал о совместных проектах двух сторон.",
    ),
    (
        "p5s1",
        "body",
        5,
        "Since the signing of a strategic cooperation agreement between Weidong Cloud Education and the "
        "Secretariat of the Shanghai Cooperation Organization in June 2018, the two parties have "
        "continuously "
        "strengthened cooperation in the fields of education, technology, and new technologies.",
        "自2018年6月伟东云教育与上海合作组织秘书处签署战略合作协议以来，双方在教育、科技和新技术领域不断加强合作。",
        "С момента подписания соглашения о стратегическом сотрудничестве между Weidong Cloud Education и "
        "Секретариатом Шанхайской организации сотрудничества в июне 2018 года стороны постоянно укрепляли "
        "сотрудничество в области образования, технологий и новых технологий.",
    ),
    (
        "p6s0",
        "body",
        6,
        "Wang Xiangyu fully affirmed the development strength of Weidong Group and the contribution of "
        "Weidong "
        "Cloud Education in international exchanges and cooperation at the meeting.",
        "王翔宇在会上充分肯定了伟东集团的发展实力以及伟东云教育在国际交流合作中的贡献。",
        "Ван Сянъюй на встрече высоко оценил потенциал развития Weidong Group и вклад Weidong Cloud "
        "Education в "
        "международные обмены и сотрудничество.",
    ),
    # The zh translation drops "more than 40": a realistic MarianMT omission the numbers check catches.
    (
        "p6s1",
        "body",
        6,
        'At the "International Sister Cities Imported Commodities Exhibition" held in October 2019, Qingdao '
        "Foreign Affairs Office and Weidong Group received import manufacturers from more than 40 countries "
        "around the world, including exhibitors from several SCO countries in Weidong Rock City(Commercial "
        "center of Weidong Group).",
        "在2019年10月举办的“国际友城进口商品博览会”上，青岛市外办和伟东集团接待了来自世界各国的进口厂商，"
        "其中包括来自上合组织多个国家的参展商。",
        "На «Выставке импортных товаров городов-побратимов», прошедшей в октябре 2019 года, Канцелярия по "
        "иностранным делам Циндао и Weidong Group приняли производителей-импортёров из более чем 40 стран "
        "мира, в том числе экспонентов из нескольких стран ШОС, в Weidong Rock City (торговом центре Weidong "
        "Group).",
    ),
]

# (id, en, zh, ru, support)
SUMMARY = [
    (
        "s0",
        "The Deputy Secretary-General of the Shanghai Cooperation Organization visited the Qingdao "
        "headquarters "
        "of Weidong Cloud Education Group on July 23.",
        "7月23日，上海合作组织副秘书长访问了伟东云教育集团青岛总部。",
        "23 июля заместитель генерального секретаря Шанхайской организации сотрудничества посетил "
        "штаб-квартиру "
        "Weidong Cloud Education Group в Циндао.",
        [Support("p1s0", 0.9132), Support("t0", 0.6218)],
    ),
    (
        "s1",
        "The two sides have strengthened cooperation in education and technology since signing a strategic "
        "agreement in June 2018.",
        "自2018年6月签署战略协议以来，双方在教育和科技领域加强了合作。",
        "С момента подписания стратегического соглашения в июне 2018 года стороны укрепили сотрудничество в "
        "области образования и технологий.",
        [Support("p5s1", 0.8841), Support("p1s1", 0.5407)],
    ),
]

# Segment id -> flags the QA and glossary stages would have raised.
FLAGS = {
    "p6s1": [
        Flag("numbers", "zh", "not found in target: 40"),
        Flag("split", "zh", "the source was split into shorter pieces before translation"),
        Flag("split", "ru", "the source was split into shorter pieces before translation"),
    ],
}


def term_hits(en: str, zh: str, ru: str, glossary: dict[str, tuple[str, str]] = GLOSSARY) -> list[TermHit]:
    """Glossary hits as the glossary stage reports them: longest entry first, no overlaps, per language."""
    taken: list[tuple[int, int]] = []
    hits: list[TermHit] = []
    for entry in sorted(glossary, key=len, reverse=True):
        start = en.find(entry)
        while start >= 0:
            end = start + len(entry)
            if all(end <= a or start >= b for a, b in taken):
                taken.append((start, end))
                for lang, text, target in (("zh", zh, glossary[entry][0]), ("ru", ru, glossary[entry][1])):
                    status = "kept" if target in text else "flagged"
                    if lang == "ru" and target == entry:
                        status = "kept"
                    if lang == "zh" and entry == "Qingdao" and target in text:
                        status = "enforced"  # show all three statuses on the page
                    hits.append(TermHit(entry, entry, start, end, lang, target, status))
            start = en.find(entry, end)
    return sorted(hits, key=lambda h: (h.start, h.lang))


def _with_glossary_flags(flags: list[Flag], hits: list[TermHit]) -> list[Flag]:
    extra = [
        Flag("glossary", h.lang, f"“{h.en}” → “{h.target}” not found in the target")
        for h in hits
        if h.status == "flagged"
    ]
    return [*flags, *extra]


def manifest(slug: str = SLUG) -> dict:
    """The fixture article's manifest.json as a run writes it."""
    generation = {"num_beams": 4, "max_new_tokens": 256}
    return {
        "tsum_version": "0.1.0",
        "input": {"path": "seeds/000_828caea308506d00.txt", "sha256": "828caea308506d00" + "ab" * 24},
        "article": {
            "title": SOURCE[0][3],
            "date": "2020-07-24",
            "source": "Weidong Cloud Education",
            "author": None,
        },
        "languages": ["zh", "ru"],
        "models": {
            "summarizer": {
                "id": "sshleifer/distilbart-cnn-12-6",
                "revision": "a4f8f3ea906ed274767e9906dbaede7531d660ff",
                "path": None,
                "backend": "transformers",
                "generation": generation,
            },
            "zh": {
                "id": "Helsinki-NLP/opus-mt-en-zh",
                "revision": "408d9bc410a388e1d9aef112a2daba955b945255",
                "backend": "ctranslate2",
                "target_token": ">>cmn_Hans<<",
                "generation": generation,
            },
            "ru": {
                "id": "Helsinki-NLP/opus-mt-en-ru",
                "revision": "0fba4b8e8fb5e2d2e8c7c1f4a5b6c7d8e9f0a1b2",
                "backend": "ctranslate2",
                "generation": generation,
            },
        },
        "glossary": {"path": "seeds/glossary.tsv", "sha256": "5f1e" + "0c" * 30},
        "settings": {"summary_sentences": 2},
        "timings": {"segment": 0.01, "summarize": 3.2, "translate": 5.7, "align": 0.4},
        "counts": {
            "segments": 12,
            "flags": {"glossary": 1, "numbers": 1, "split": 2, "length_ratio": 1},
            "glossary": {"found": 21, "kept": 18, "enforced": 1, "flagged": 2},
        },
    }


def build_result(
    *,
    source: list | None = None,
    summary: list | None = None,
    slug: str = SLUG,
    title: str | None = None,
    extra_manifest: dict | None = None,
) -> ArticleResult:
    """The seed article as the pipeline would hand it to the renderers."""
    source = SOURCE if source is None else source
    summary = SUMMARY if summary is None else summary
    rows = [(sid, kind, para, en, zh, ru, []) for sid, kind, para, en, zh, ru in source]
    rows += [(sid, "summary", -1, en, zh, ru, support) for sid, en, zh, ru, support in summary]
    segments = []
    for sid, kind, para, en, zh, ru, support in rows:
        hits = term_hits(en, zh, ru)
        flags = _with_glossary_flags(FLAGS.get(sid, []), hits)
        segments.append(AlignedSegment(sid, kind, para, en, {"zh": zh, "ru": ru}, list(support), flags, hits))
    record = manifest(slug)
    record["article"]["title"] = title or source[0][3]
    record.update(extra_manifest or {})
    return ArticleResult(slug, segments, Manifest.from_dict(record))


#: Strings that must come out inert: markup, quotes, a CDATA end, a control character, a line separator.
EVIL = '<script>alert(1)</script> & "quoted" ]]> \x07bell <img src=x onerror="window.__pwned=2">'
EVIL_TITLE = 'Breaking <script>window.__pwned=1</script> news & "more" ]]>'


def hostile_result() -> ArticleResult:
    """The seed article with hostile text in a title, body sentences, translations, terms and manifest."""
    source = [list(row) for row in SOURCE]
    source[0][3:6] = [
        EVIL_TITLE,
        "标题 <script>window.__pwned=3</script> ]]>",
        "Заголовок </script><b>жирный</b>",
    ]
    source[1][3] = source[1][3] + " " + EVIL
    source[1][4] = source[1][4] + "</script><script>window.__pwned=4</script>\x0b"
    source[1][5] = source[1][5] + " \u2028 «ru» & <i>x</i>\t\x1f"
    summary = [list(row) for row in SUMMARY]
    summary[0][1] = summary[0][1] + ' <img src=x onerror="window.__pwned=5">'
    extra = {"input": {"path": 'seeds/"evil"<x>.txt', "sha256": "</script>"}, "tsum_version": "0.1.0<b>"}
    result = build_result(
        source=[tuple(r) for r in source], summary=[tuple(r) for r in summary], extra_manifest=extra
    )
    result.segments[1].terms.append(
        TermHit(
            'Evil "term" <b>',
            "Jonon",
            result.segments[1].en.index("Jonon"),
            result.segments[1].en.index("Jonon") + 5,
            "zh",
            "乔农<script>",
            "enforced",
        )
    )
    result.segments[1].flags.append(Flag("numbers", "zh", "</script><script>window.__pwned=6</script>"))
    return result
