"""Extra factories for companies: taxonomy lookups and rich profiles."""

from __future__ import annotations

import io

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from exhibitors.models import Certification, Sector


def sector(code: str) -> Sector:
    return Sector.objects.get(code=code)


def certification(code: str) -> Certification:
    return Certification.objects.get(code=code)


def image_upload(
    *, name: str = "logo.jpg", fmt: str = "JPEG", size: tuple[int, int] = (40, 30)
) -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(buffer, format=fmt)
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/jpeg")
