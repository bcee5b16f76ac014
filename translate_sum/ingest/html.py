"""Web pages: the article's main content and metadata, extracted with trafilatura (dates by htmldate)."""

from __future__ import annotations

import copy
import json
import logging
import re
from functools import lru_cache
from pathlib import Path
from typing import Any

from translate_sum.errors import ArticleError
from translate_sum.ingest.blocks import Block, build_article
from translate_sum.ingest.dates import Metadata, iso_date
from translate_sum.records import PROSE_KINDS, Article

logger = logging.getLogger("translate_sum")

# Captions: trafilatura drops <figure> with its <figcaption>, so each caption is first moved into a
# paragraph of its own, marked, where the figure stood; the marker comes back out after extraction.
_CAPTION_MARK = "tsum-caption-7f3a:"
_LEAD_MARK = "tsum-lead-7f3a:"
# A caption: <figcaption>, or an element whose class names a caption or a photo credit
# ("wp-caption-text", "image-caption", "photo-credit"), when it holds no blocks of its own.
_CAPTION_CLASS = (
    "contains(translate(@class, 'CAPTION', 'caption'), 'caption')"
    " or contains(translate(@class, 'CREDIT', 'credit'), 'credit')"
)
_CAPTION_STEP = (
    "figcaption | {d}*[self::p or self::div or self::span or self::small or self::em or self::cite]"
    f"[{_CAPTION_CLASS}][not(.//p or .//div[.//p] or .//h1 or .//h2 or .//h3 or .//li or .//article)]"
)
# Or a described picture: a paragraph classed as a description right after an image alone ("pic-desc").
_CAPTION_STEP += (
    " | {d}*[self::p or self::div or self::span][contains(translate(@class, 'DESC', 'desc'), 'desc')]"
    "[preceding-sibling::*[1][.//img and not(normalize-space())]]"
)
_CAPTION_XPATH = "//" + _CAPTION_STEP.format(d="//")
_CAPTIONS_WITHIN = ".//" + _CAPTION_STEP.format(d=".//")
_MAX_CAPTION_CHARS = 400
# A standfirst (lead) in a <div> or <span> of its own, beside the headline.
_LEAD_XPATH = (
    "//body//*[self::div or self::span][not(*[not(self::a or self::b or self::strong or self::em or self::i)])]"
    "[re:test(@class, '(^|[-_ ])(lead|standfirst|subtitle|dek|deck|intro|summary)([-_ ]|$)', 'i')]"
)
# Inline boxes that are not the article (newsletter sign-ups, promotions, share bars, bylines), pruned
# by trafilatura's own ``prune_xpath`` before it looks for the article.
_PROMO_TOKENS = (
    "newsletter",
    "subscribe",
    "subscription",
    "signup",
    "sign-up",
    "promo",
    "advert",
    "sponsor",
    "byline",
    "share-bar",
    "sharing",
    "social-share",
)
_UPPER, _LOWER = "ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz"
PRUNE_XPATH = [
    "//*["
    + " or ".join(
        f"contains(translate(@class, '_{_UPPER}', '-{_LOWER}'), '{t}')"
        f" or contains(translate(@id, '_{_UPPER}', '-{_LOWER}'), '{t}')"
        for t in _PROMO_TOKENS
    )
    + "][not(self::body or self::html or self::article or self::main)]",
]
# A short paragraph that is only a call to subscribe or follow: promotion, not article text.
_PROMO_TEXT = re.compile(
    r"^(?:[^.!?]{0,40}\b)?(?:subscribe|sign\s*up|register)\b[^.!?]{0,60}\bnewsletters?\b[^.!?]{0,80}[.!?]?$"
    r"|^(?:follow\s+us\s+on|share\s+this\s+(?:article|story|page))\b",
    re.IGNORECASE,
)
# A line break after the end of a sentence separates two paragraphs' worth of text.
_SENTENCE_END = re.compile(r"[.!?…][\"”’)\]]*$")
_WORD = re.compile(r"[^\W_]{2,}")
_BLOCK_TAGS = {"p", "head", "list", "quote"}
_TITLE_PREFIX = re.compile(r"^(?:press|news|media)\s+release\s*[:|–—-]\s*", re.IGNORECASE)
_TITLE_SUFFIX = re.compile(r"\s+[|–—:·-]\s+(?P<site>[^|–—:·]{1,60})$")

#: The extraction settings, in the order they are tried; recorded in each article's fingerprint. The
#: first pass whose result has running text and no layout table wins (else the first with text): the
#: recall-oriented passes find articles the default misses, and the one without tables sees through
#: pages laid out with tables, where menus and the article share one table.
PASSES: tuple[dict[str, Any], ...] = (
    {"favor_recall": False, "include_tables": True},
    {"favor_recall": True, "include_tables": False},
    {"favor_recall": True, "include_tables": True},
)
_COMMON: dict[str, Any] = {
    "output_format": "xml",
    "with_metadata": True,
    "include_comments": False,
    "include_images": False,
    "include_links": True,  # only to tell link-only paragraphs ("Back to news", "Print"): dropped
    "include_formatting": False,
    "deduplicate": False,
    "prune_xpath": PRUNE_XPATH,
}
# Only the page's markup (meta tags, <time>, JSON-LD, the URL): never a date from running text.
_DATE_PARAMS = {"extensive_search": False, "original_date": True, "outputformat": "%Y-%m-%d"}


def settings() -> str:
    """What the HTML reader does, for the fingerprint: changing any of it redoes HTML articles."""
    import trafilatura

    return f"trafilatura {trafilatura.__version__} {_COMMON} passes={PASSES} dates={_DATE_PARAMS}"


def parse_html(markup: str, path: Path, sha256: str) -> Article:
    """The article in a web page: headline (without the site name), date, source, author, and the
    body's paragraphs, subheadings, list items, quotes and captions in reading order.

    Navigation, banners, share widgets, related-article lists, comments and footers are left out.
    When no pass of the extractor finds an article, raises ArticleError rather than taking the
    page's whole text.
    """
    tree = _page_tree(markup, path)
    chrome = _chrome_text(tree)
    found = []
    for options in PASSES:
        doc, blocks = _extract(tree, options)
        prose = [b.text for b in blocks if b.kind in PROSE_KINDS]
        # The extractor's last resort is the page's whole text: when that is only menus and
        # footers, there is no article.
        if not prose or all(text in chrome for text in prose):
            logger.debug("%s: no article text with %s", path, options)
            continue
        found.append((doc, blocks))
        if not _has_layout_table(doc.find("main")):
            break
        logger.debug("%s: a layout table with %s", path, options)
    shell = not found or len([b for b in found[0][1] if b.kind in PROSE_KINDS]) == 1
    if shell and (structured := _json_ld_article(tree)) is not None:
        # A single-page app's shell: no rendered text, but the article in its JSON-LD (which the
        # extractor's last resort reads as one paragraph): its own paragraphs.
        headline, body, date = structured
        blocks = [Block("body", line) for line in re.split(r"\n\s*\n|\n", body) if line.strip()]
        meta = Metadata(date=iso_date(date), source=_site_name(tree))
        return build_article(path, sha256, _strip_site(headline, meta.source), blocks, meta)
    if not found:
        raise ArticleError(
            f"{path}: no article text found in the page (tried the main-content extractor with "
            "precise and recall-oriented settings); save the article's own page, or copy its text "
            "into a .txt file"
        )
    if len(found) == 1 and found[0][0] is not None and not _has_layout_table(found[0][0].find("main")):
        # The precise pass drops headings and short paragraphs it is unsure of; what the
        # recall-oriented pass finds between the precise pass's first and last block is put back.
        wider = _extract(tree, PASSES[1])[1]
        found = [(found[0][0], _fill_gaps(found[0][1], wider))]
    doc, blocks = found[-1] if not _has_layout_table(found[-1][0].find("main")) else found[0]
    site = (doc.get("sitename") or "").strip() or None
    title = _strip_site(doc.get("title") or "", site)
    heads = [b.text for b in blocks if b.kind == "subheading"]
    if blocks[0].kind == "subheading" and title not in heads and _generic(title, site, blocks[0].text):
        # The article opens with its own headline, and the page's title is only the site's or a
        # section's name: the headline wins.
        title = blocks[0].text
    if not title:
        raise ArticleError(f"{path}: no headline found in the page (no <title>, og:title or heading)")
    blocks = _further_links(tree, _missed_captions(tree, blocks))
    meta = Metadata(date=iso_date(doc.get("date") or ""), source=site, author=doc.get("author") or None)
    return build_article(path, sha256, title, blocks, meta)


_ARTICLE_TYPES = {"article", "newsarticle", "reportagenewsarticle", "pressrelease", "blogposting", "report"}


def _json_ld_article(tree) -> tuple[str, str, str] | None:
    """(headline, articleBody, datePublished) from the page's JSON-LD, when it has an article with a body."""
    for script in tree.xpath("//script[@type='application/ld+json']"):
        try:
            data = json.loads(script.text or "")
        except ValueError:
            continue
        stack = [data]
        while stack:
            item = stack.pop()
            if isinstance(item, list):
                stack.extend(item)
            elif isinstance(item, dict):
                stack.extend(v for k, v in item.items() if k == "@graph")
                kinds = item.get("@type")
                kinds = {str(k).lower() for k in (kinds if isinstance(kinds, list) else [kinds])}
                body = item.get("articleBody")
                if kinds & _ARTICLE_TYPES and isinstance(body, str) and body.strip():
                    headline = item.get("headline") or item.get("name") or ""
                    return str(headline), body, str(item.get("datePublished") or "")
    return None


def _site_name(tree) -> str | None:
    names = tree.xpath("//meta[@property='og:site_name']/@content")
    return names[0].strip() or None if names else None


def _extract(tree, options: dict):
    """(trafilatura's XML document or None, its blocks) for one pass over a copy of ``tree``."""
    import trafilatura
    from lxml import etree

    # extract() may prune the tree it is given: each pass gets its own copy.
    xml = trafilatura.extract(copy.deepcopy(tree), **_COMMON, **options, date_extraction_params=_DATE_PARAMS)
    doc = etree.fromstring(xml.encode("utf-8")) if xml else None
    return doc, list(_blocks(doc.find("main") if doc is not None else None))


_LEAD_WORDS = 6


def _fill_gaps(precise: list[Block], wider: list[Block]) -> list[Block]:
    """``precise`` with the blocks only ``wider`` has between two of its blocks put in their place."""
    from difflib import SequenceMatcher

    matcher = SequenceMatcher(None, precise, wider, autojunk=False)
    out: list[Block] = []
    opcodes = matcher.get_opcodes()
    equal = [n for n, op in enumerate(opcodes) if op[0] == "equal"]
    for n, (op, i1, i2, j1, j2) in enumerate(opcodes):
        if op in ("equal", "delete", "replace"):
            out.extend(precise[i1:i2])
        if op == "insert" and equal and n == equal[0] - 1 and i1 == 0:
            # A lead paragraph right before the article's first block ("news-header__lead").
            out.extend(
                b for b in wider[j1:j2][-1:] if b.kind == "body" and len(b.text.split()) >= _LEAD_WORDS
            )
        elif op in ("insert", "replace") and equal and equal[0] < n < equal[-1]:
            known = " ".join(b.text for b in precise[i1:i2])
            out.extend(b for b in wider[j1:j2] if b.text not in known)
    return out


def _page_tree(markup: str, path: Path):
    """The page as an lxml tree: ARIA headings as <h1>–<h6>, each caption moved into a marked
    paragraph of its own where its figure stood."""
    from lxml import etree, html

    try:
        tree = html.document_fromstring(markup.encode("utf-8"), parser=_parser())
    except (etree.ParserError, ValueError) as exc:
        raise ArticleError(f"{path}: cannot read the page as HTML: {exc}") from None
    for heading in tree.xpath("//body//*[@role='heading']"):
        level = (heading.get("aria-level") or "2").strip()
        heading.tag = f"h{min(max(int(level), 1), 6)}" if level.isdigit() else "h2"
    for lead in tree.xpath(_LEAD_XPATH, namespaces={"re": "http://exslt.org/regular-expressions"}):
        lead.tag = "p"  # a standfirst in a bare <div>: marked, to be put back if the extractor drops it
        lead.text = f"{_LEAD_MARK} {lead.text or ''}"
    for caption in tree.xpath(_CAPTION_XPATH):
        if caption.getparent() is None or not _attached(caption):
            continue  # already replaced, with its figure
        # The whole figure goes (its image, credits): its captions take its place.
        target = next((a for a in _near_ancestors(caption) if _is_figure(a)), caption)
        parts = [caption] if target is caption else target.xpath(_CAPTIONS_WITHIN)
        texts = list(dict.fromkeys(" ".join(e.text_content().split()) for e in parts))
        text = " ".join(t for t in texts if t)
        if len(text) > _MAX_CAPTION_CHARS or target.getparent() is None:
            continue
        paragraph = html.Element("p")
        paragraph.text = f"{_CAPTION_MARK} {text}" if text else None
        paragraph.tail = target.tail
        target.getparent().replace(target, paragraph)
    return tree


def _attached(element) -> bool:
    """Whether ``element`` is still in the page (not inside a figure replaced already)."""
    return any(a.tag == "html" for a in element.iterancestors())


def _missed_captions(tree, blocks: list[Block]) -> list[Block]:
    """``blocks`` with the captions the extractor left out put back where their figure stood, when
    the figure stands among (or just before) the article's own paragraphs."""
    found = {b.text.strip() for b in blocks if b.kind == "caption"}
    order: list[str] = []  # the text of each paragraph-like element, in document order
    for element in tree.iter("p", "li", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "td"):
        order.append(" ".join(element.text_content().split()))
    captions = {
        i: t[len(_CAPTION_MARK) :].strip() for i, t in enumerate(order) if t.startswith(_CAPTION_MARK)
    }
    missed = {i: t for i, t in captions.items() if t and t not in found}
    leads = {i: t[len(_LEAD_MARK) :].strip() for i, t in enumerate(order) if t.startswith(_LEAD_MARK)}
    if not missed and not leads:
        return blocks
    positions = [_position(order, b.text) for b in blocks]
    known = [p for p in positions if p is not None]
    if not known:
        return blocks
    first, last = min(known), max(known)
    out = list(blocks)
    for where, text in leads.items():
        # A standfirst the extractor left out, just before the article's first block.
        if (
            first - _NEAR <= where < first
            and len(text.split()) >= _LEAD_WORDS
            and text not in {b.text for b in blocks}
        ):
            out.insert(0, Block("body", text))
            positions.insert(0, where)
    for where, text in sorted(missed.items(), reverse=True):
        if not first - _NEAR <= where <= last:
            continue
        # From the last caption back, so the indexes of earlier ones still hold.
        index = next((n for n, p in enumerate(positions) if p is not None and p > where), len(blocks))
        out.insert(index, Block("caption", text))
    return out


_NEAR = 3


_FURTHER = re.compile(
    r"^(?:for\s+)?(?:more|further)\s+information\b|^useful\s+links$|^(?:related\s+)?documents?$", re.I
)


def _further_links(tree, blocks: list[Block]) -> list[Block]:
    """``blocks`` with the list of links under a "For more information" heading put back: the
    extractor drops link lists, but a release's own references are its end matter."""
    out = list(blocks)
    for index in range(len(out) - 1, -1, -1):
        block = out[index]
        if block.kind != "subheading" or not _FURTHER.match(block.text.rstrip(":")):
            continue
        for heading in tree.xpath(
            "//body//*[self::h2 or self::h3 or self::h4 or self::h5 or self::p or self::strong]"
        ):
            if " ".join(heading.text_content().split()) != block.text:
                continue
            following = heading.getnext()
            if following is not None and following.tag in ("ul", "ol"):
                items = [" ".join(li.text_content().split()) for li in following.iter("li")]
                present = {b.text for b in out}
                out[index + 1 : index + 1] = [Block("links", t) for t in items if t and t not in present]
            break
    return out


def _position(order: list[str], text: str) -> int | None:
    head = text[:40]
    return next((i for i, t in enumerate(order) if head and t.startswith(head)), None)


def _generic(title: str, site: str | None, headline: str) -> bool:
    """Whether ``title`` names a site or section ("Embassy News") rather than this article, next
    to a ``headline`` that reads like one (a kicker such as "Press release" does not)."""
    if not title or (site and title.lower() == site.lower()):
        return True
    return len(title.split()) <= 3 and len(headline.split()) >= 4


def _chrome_text(tree) -> str:
    """The text of the page's navigation, asides and footers, one space between words."""
    parts = tree.xpath(
        "//nav | //footer | //aside | //*[@role='navigation' or @role='contentinfo' or @role='banner']"
    )
    return " ".join(" ".join(" ".join(p.itertext()).split()) for p in parts)


def _has_layout_table(main) -> bool:
    return main is not None and any(
        child.tag in _BLOCK_TAGS for table in main.iter("table") for child in table.iter()
    )


def _near_ancestors(element):
    """Up to three enclosing elements, never past a container of the whole article."""
    for depth, ancestor in enumerate(element.iterancestors()):
        if depth == 3 or ancestor.tag in ("body", "html", "main", "article", "section"):
            return
        yield ancestor


_FIGURE_CLASS = re.compile(r"image|photo|picture|media|figure|img", re.IGNORECASE)


def _is_figure(element) -> bool:
    """A figure: <figure>, a caption wrapper, or an image box ("media-image") with its <img>."""
    classes = (element.get("class") or "").lower()
    if element.tag == "figure" or "caption" in classes.replace("wp-caption-text", ""):
        return True
    return bool(_FIGURE_CLASS.search(classes)) and element.find(".//img") is not None


@lru_cache(maxsize=1)
def _parser():
    from lxml import html

    return html.HTMLParser(encoding="utf-8", remove_comments=True)


def _blocks(main):
    """Blocks from trafilatura's XML ``<main>``, in document order."""
    if main is None:
        return
    for element in main:
        yield from _element_blocks(element, "body")


def _element_blocks(element, kind: str):
    tag = element.tag
    if tag == "head":
        if not _links_only(element):  # a linked heading is a teaser for another article
            yield Block("subheading", _text(element))
    elif tag == "list":
        items = element.findall("item")
        if items and all(_links_only(item) for item in items):
            # A list of links: related articles, downloads, a menu; kept only as end matter
            # ("For more information: …"), which build_article decides.
            yield from (Block("links", _text(item)) for item in items)
            return
        for item in items:
            nested = item.findall("list")
            for sub in nested:
                item.remove(sub)  # its own items follow, each a block
            text, _, caption = _text(item).partition(_CAPTION_MARK)
            yield Block("item", text)
            if caption.strip():  # a figure inside the item: its caption follows it
                yield Block("caption", caption.strip())
            for sub in nested:
                yield from _element_blocks(sub, "item")
    elif tag == "quote":
        paragraphs = element.findall("p")
        for paragraph in paragraphs or [element]:
            yield Block("quote", _text(paragraph))
    elif tag in ("table", "row", "cell") and any(child.tag in _BLOCK_TAGS for child in element.iter()):
        # A table used for layout: its paragraphs and headings are blocks of their own.
        for child in element:
            yield from _element_blocks(child, kind)
        if tag == "cell" and (element.text or "").strip():
            yield Block(kind, element.text)
    elif tag == "table":
        for row in element.iterfind("row"):
            cells = [_text(cell) for cell in row.iterfind("cell")]
            yield Block("body", " · ".join(c for c in cells if c))
    elif tag == "div":  # a container the recall-oriented pass keeps
        for child in element:
            yield from _element_blocks(child, kind)
        if (element.text or "").strip():
            yield Block(kind, element.text)
    elif tag in ("graphic", "lb"):
        return
    else:  # p, code and anything newer
        if _links_only(element):
            yield Block("links", _text(element))
            return
        for text in _lines(element):
            if _PROMO_TEXT.match(text):
                continue
            text = text.replace(_LEAD_MARK, "").strip()
            if text.startswith(_CAPTION_MARK):
                yield Block("caption", text[len(_CAPTION_MARK) :].strip())
            else:
                yield Block(kind, text.replace(_CAPTION_MARK, ""))


def _links_only(element) -> bool:
    """A paragraph that is nothing but links, or a short label and links ("Read also: <a>…</a>"):
    navigation, not article text."""
    if element.find(".//ref") is None:
        return False
    unlinked = _unlinked_text(element).strip()
    if not _WORD.search(unlinked):
        return True
    return unlinked.endswith(":") and len(unlinked.split()) <= 3 and _text(element).startswith(unlinked)


def _unlinked_text(element) -> str:
    parts = [element.text or ""]
    for child in element:
        if child.tag != "ref":
            parts.append(_unlinked_text(child))
        parts.append(child.tail or "")
    return "".join(parts)


def _text(element) -> str:
    """The element's text, a line break (``<lb/>``) read as a space so no words are glued."""
    return " ".join(_with_breaks(element).split())


def _lines(element) -> list[str]:
    """The element's text cut at each line break that follows the end of a sentence: a break
    there starts a new segment; any other break is a space."""
    out: list[str] = []
    for line in _with_breaks(element).split("\n"):
        line = " ".join(line.split())
        if out and not _SENTENCE_END.search(out[-1]):
            out[-1] = f"{out[-1]} {line}".strip()
        elif line or not out:
            out.append(line)
    return [line for line in out if line]


def _with_breaks(element) -> str:
    parts = [element.text or ""]
    for child in element:
        parts.append("\n" if child.tag == "lb" else _with_breaks(child))
        parts.append(child.tail or "")
    return "".join(parts)


def _strip_site(title: str, site: str | None) -> str:
    """The headline without a trailing "| Site Name" that names the site."""
    title = _TITLE_PREFIX.sub("", " ".join(title.split()))
    match = _TITLE_SUFFIX.search(title)
    if match and site and match.group("site").strip().lower() in (site.lower(), site.lower().split(".")[0]):
        return title[: match.start()].strip()
    return title


def page_headline(markup: str) -> tuple[str, str | None]:
    """(headline, ISO date or None) of a page from its markup alone, e.g. to name a downloaded page;
    ("", None) when the page gives neither."""
    import trafilatura
    from lxml import etree, html

    try:
        tree = html.document_fromstring(markup.encode("utf-8"), parser=_parser())
    except (etree.ParserError, ValueError):
        return "", None
    meta = trafilatura.extract_metadata(tree, date_config=_DATE_PARAMS, extensive=False)
    if meta is None:
        return "", None
    return _strip_site(meta.title or "", meta.sitename), iso_date(meta.date or "")
