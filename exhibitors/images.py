"""Logo uploads: checked as real images by decoding them, then re-encoded as PNG."""

from __future__ import annotations

import io

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.utils.translation import gettext_lazy as _
from PIL import Image, UnidentifiedImageError

LOGO_MAX_SIDE = 512
LOGO_MAX_SOURCE_PIXELS = 40_000_000
ACCEPTED_FORMATS = {"PNG", "JPEG", "GIF", "WEBP"}


def logo_to_png(upload) -> ContentFile:
    """Decode ``upload`` with Pillow and return a fresh PNG (at most 512 px a side).

    The upload's name and declared content type are ignored; only its bytes are looked at.
    Raises :class:`ValidationError` for anything that is not a small, decodable image.
    """
    max_bytes = settings.LOGO_MAX_BYTES
    if upload.size is not None and upload.size > max_bytes:
        raise ValidationError(
            _("The logo is too large (at most %(size)s MB)."),
            code="too_large",
            params={"size": max_bytes // (1024 * 1024)},
        )
    try:
        upload.seek(0)
        data = upload.read(max_bytes + 1)
    except (OSError, ValueError) as exc:
        raise ValidationError(_("The logo could not be read."), code="unreadable") from exc
    if len(data) > max_bytes:
        raise ValidationError(
            _("The logo is too large (at most %(size)s MB)."),
            code="too_large",
            params={"size": max_bytes // (1024 * 1024)},
        )
    try:
        with Image.open(io.BytesIO(data)) as probe:
            if probe.format not in ACCEPTED_FORMATS:
                raise ValidationError(_("Upload a PNG, JPEG, GIF or WebP image."), code="format")
            width, height = probe.size
            if width * height > LOGO_MAX_SOURCE_PIXELS:
                raise ValidationError(_("The image has too many pixels."), code="pixels")
            probe.verify()
        with Image.open(io.BytesIO(data)) as image:
            image.load()
            image = image.convert("RGBA")
            image.thumbnail((LOGO_MAX_SIDE, LOGO_MAX_SIDE))
            out = io.BytesIO()
            image.save(out, format="PNG", optimize=True)
    except ValidationError:
        raise
    except (
        UnidentifiedImageError,
        OSError,
        ValueError,
        SyntaxError,
        Image.DecompressionBombError,
    ) as exc:
        raise ValidationError(
            _("The file is not a valid image. Upload a PNG, JPEG, GIF or WebP image."),
            code="invalid_image",
        ) from exc
    return ContentFile(out.getvalue(), name="logo.png")
