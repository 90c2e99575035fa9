"""The one rule every text input obeys, over HTTP and over sockets.

PostgreSQL cannot store NUL, and UTF-8 cannot encode a lone surrogate (``"\\ud800"``): such text
is refused with a clear message before it reaches a service, never turned into a server error.
"""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

# NUL, and UTF-16 surrogates that are not part of a pair (Python keeps them as lone code points).
_UNSAFE = re.compile("[\x00\ud800-\udfff]")

UNSAFE_TEXT_MESSAGE = _(
    "This text contains a character that cannot be stored (NUL or an invalid one)."
)


def has_unsafe_characters(value: str) -> bool:
    return _UNSAFE.search(value) is not None


def validate_safe_text(value: object) -> None:
    """Django validator: refuse NUL and lone surrogates with a translated message."""
    if isinstance(value, str) and has_unsafe_characters(value):
        raise ValidationError(UNSAFE_TEXT_MESSAGE, code="unsafe_text")
