"""Plain-Python checks of the generated HTML pages: well-formed, self-contained, and what they show."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from pathlib import Path

# Anything a browser would fetch from elsewhere: a scheme other than file:, or a protocol-relative URL.
_EXTERNAL = re.compile(r"^\s*(?:[a-z][a-z0-9+.-]*:|//)", re.IGNORECASE)
_CSS_URL = re.compile(r"url\(\s*['\"]?([^'\")]*)", re.IGNORECASE)
URL_ATTRIBUTES = ("src", "href", "action", "srcset", "poster", "data", "{http://www.w3.org/1999/xlink}href")


def parse(page: Path | str) -> ET.Element:
    """The page as XML (the pages are XHTML-compatible); raises ``ET.ParseError`` if not well-formed."""
    source = page.read_text(encoding="utf-8") if isinstance(page, Path) else page
    return ET.fromstring(source)


def external_urls(root: ET.Element) -> list[str]:
    """URLs the page would load or link to outside itself (same-page ``#`` links and relative paths pass)."""
    found = []
    for element in root.iter():
        for name in URL_ATTRIBUTES:
            value = element.get(name)
            if value is not None and _EXTERNAL.match(value) and not value.startswith("file:"):
                found.append(value)
        styles = [element.get("style") or ""]
        if element.tag == "style":
            styles.append(element.text or "")
        found += [url for style in styles for url in _CSS_URL.findall(style) if _EXTERNAL.match(url)]
    return found


def with_class(root: ET.Element, tag: str, css: str) -> list[ET.Element]:
    """Elements ``tag`` whose class list holds ``css``."""
    return [element for element in root.iter(tag) if css in (element.get("class") or "").split()]


def text_of(element: ET.Element) -> str:
    return "".join(element.itertext())
