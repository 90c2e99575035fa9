"""PDF documents from HTML templates: badges, the end-of-fair report, the handbook.

WeasyPrint lays out HTML and CSS with Pango, which shapes every script and falls back from font
to font glyph by glyph. The fonts are Debian's Noto families, found through fontconfig and
embedded (subset) in every PDF: ``fonts-noto-core`` for Latin with Vietnamese diacritics and
``fonts-noto-cjk`` for Japanese, Korean and Chinese. The ``lang`` of each name picks the right
CJK variant (a Japanese and a Chinese 直 differ). Nothing is fetched over the network: images
are data URIs and stylesheets files under ``static/``.
"""

from __future__ import annotations

import base64
import io
import logging
import unicodedata
from pathlib import Path
from typing import Any

from django.conf import settings
from django.template.loader import render_to_string

#: Font stack for every PDF; the CSS in ``static/fairsite/css/pdf.css`` uses the same.
FONT_FAMILY = '"Noto Sans", "Noto Sans CJK JP", "Noto Sans CJK KR", "Noto Sans CJK SC", sans-serif'
STYLESHEET = Path(settings.BASE_DIR) / "static" / "fairsite" / "css" / "pdf.css"

# WeasyPrint reports every layout step at INFO; only its warnings are of interest.
logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)

_VIETNAMESE = set("ăâđêôơưĂÂĐÊÔƠƯ")


def script_lang(text: str, *, hint: str = "") -> str:
    """The language tag that makes Pango pick the right glyphs for ``text``: ``ko`` for Hangul,
    ``ja`` for kana, Han characters after the person's own language (``ja`` when unknown),
    ``vi`` for Vietnamese letters, else ``en``."""
    han = False
    for char in text:
        name = unicodedata.name(char, "")
        if name.startswith("HANGUL"):
            return "ko"
        if name.startswith(("HIRAGANA", "KATAKANA")):
            return "ja"
        if name.startswith("CJK"):
            han = True
    if han:
        return hint if hint in ("ja", "ko", "zh") else "ja"
    base = {unicodedata.normalize("NFD", c)[0] for c in text}
    if base & _VIETNAMESE or any(
        unicodedata.category(m) == "Mn" and m in "\u0309\u0323\u031b"
        for m in unicodedata.normalize("NFD", text)
    ):
        return "vi"
    return hint if hint == "vi" else "en"


def qr_data_uri(text: str, *, box_size: int = 10, border: int = 2, png: bool = False) -> str:
    """A QR code of ``text`` as a data URI for ``<img src>`` in a PDF template: SVG (sharp at
    any size, for a badge) or PNG (``png=True``: much faster to lay out when a document has
    hundreds, as the handbook has)."""
    import qrcode
    import qrcode.image.svg

    out = io.BytesIO()
    if png:
        qrcode.make(text, box_size=box_size, border=border).save(out, format="PNG")
        return "data:image/png;base64," + base64.b64encode(out.getvalue()).decode("ascii")
    image = qrcode.make(
        text, image_factory=qrcode.image.svg.SvgPathImage, box_size=box_size, border=border
    )
    image.save(out)
    return "data:image/svg+xml;base64," + base64.b64encode(out.getvalue()).decode("ascii")


def render_pdf(*, template: str, context: dict[str, Any]) -> bytes:
    """Render ``template`` with ``context`` and lay it out as a PDF with the shared stylesheet."""
    from weasyprint import CSS, HTML

    html = render_to_string(template, context)
    document = HTML(string=html, base_url=str(settings.BASE_DIR))
    return document.write_pdf(stylesheets=[CSS(filename=str(STYLESHEET))])
