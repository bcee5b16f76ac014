"""Web pages: the article's main content and metadata, extracted with trafilatura (dates by htmldate)."""

from __future__ import annotations

import copy
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
_CAPTION_XPATH = (
    "//figcaption | //*[self::p or self::div or self::span]"
    "[contains(concat(' ', normalize-space(@class), ' '), ' caption ')"
    " or contains(concat(' ', normalize-space(@class), ' '), ' wp-caption-text ')]"
)
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
    import trafilatura
    from lxml import etree

    tree = _page_tree(markup, path)
    chrome = _chrome_text(tree)
    found = []
    for options in PASSES:
        # extract() may prune the tree it is given: each pass gets its own copy.
        xml = trafilatura.extract(
            copy.deepcopy(tree), **_COMMON, **options, date_extraction_params=_DATE_PARAMS
        )
        if not xml:
            logger.debug("%s: no article text with %s", path, options)
            continue
        doc = etree.fromstring(xml.encode("utf-8"))
        main = doc.find("main")
        blocks = list(_blocks(main))
        prose = [b.text for b in blocks if b.kind in PROSE_KINDS]
        # The extractor's last resort is the page's whole text: when that is only menus and
        # footers, there is no article.
        if not prose or all(text in chrome for text in prose):
            logger.debug("%s: no article text with %s", path, options)
            continue
        found.append((doc, blocks))
        if not _has_layout_table(main):
            break
        logger.debug("%s: a layout table with %s", path, options)
    if not found:
        raise ArticleError(
            f"{path}: no article text found in the page (tried the main-content extractor with "
            "precise and recall-oriented settings); save the article's own page, or copy its text "
            "into a .txt file"
        )
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
    meta = Metadata(date=iso_date(doc.get("date") or ""), source=site, author=doc.get("author") or None)
    return build_article(path, sha256, title, blocks, meta)


def _page_tree(markup: str, path: Path):
    """The page as an lxml tree, with each caption moved into a marked paragraph of its own."""
    from lxml import etree, html

    try:
        tree = html.document_fromstring(markup.encode("utf-8"), parser=_parser())
    except (etree.ParserError, ValueError) as exc:
        raise ArticleError(f"{path}: cannot read the page as HTML: {exc}") from None
    for caption in tree.xpath(_CAPTION_XPATH):
        text = " ".join(caption.text_content().split())
        # The whole figure goes (its image, credits): the caption takes its place.
        target = next((a for a in _near_ancestors(caption) if _is_figure(a)), caption)
        if target.getparent() is None or caption.getparent() is None:
            continue  # already replaced, with its figure
        paragraph = html.Element("p")
        paragraph.text = f"{_CAPTION_MARK} {text}" if text else None
        paragraph.tail = target.tail
        target.getparent().replace(target, paragraph)
    return tree


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


def _is_figure(element) -> bool:
    return element.tag == "figure" or "caption" in (element.get("class") or "").lower().replace(
        "wp-caption-text", ""
    )


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
            return  # a list of links: related articles, downloads, a menu
        for item in items:
            nested = item.findall("list")
            for sub in nested:
                item.remove(sub)  # its own items follow, each a block
            yield Block("item", _text(item))
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
    elif tag in ("graphic", "lb"):
        return
    else:  # p, code and anything newer
        text = _text(element)
        if _links_only(element):
            return
        if text.startswith(_CAPTION_MARK):
            yield Block("caption", text[len(_CAPTION_MARK) :])
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
    return " ".join("".join(element.itertext()).split())


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
