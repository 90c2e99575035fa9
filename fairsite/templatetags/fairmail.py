"""Filters for the HTML part of e-mails."""

import re

from django import template
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

register = template.Library()

# An address ends at white space or at what cannot be in one; text written right before it
# (a full-width colon in Japanese, no space) stays outside the link.
URL = re.compile(r"https?://[^\s<>\"'）」、。]+")


@register.filter
def email_html(text: str) -> SafeString:
    """Plain e-mail text as HTML paragraphs, every address a link to itself."""

    def paragraph(block: str) -> str:
        escaped = escape(block)
        linked = URL.sub(lambda m: f'<a href="{m[0]}">{m[0]}</a>', escaped)
        return "<p>" + linked.replace("\n", "<br>") + "</p>"

    blocks = [b for b in re.split(r"\n\s*\n", str(text).strip()) if b.strip()]
    return mark_safe("\n".join(paragraph(b) for b in blocks))  # noqa: S308 - escaped above
