"""Badges as PDF: names in their own script (Vietnamese, Japanese, Korean) in embedded fonts
that have every glyph; page images are kept as artifacts to look at."""

from __future__ import annotations

import os
import re
import shutil
import subprocess

import pytest

from exhibitors.badges import badges_pdf
from fairsite.pdf import script_lang
from tests import factories

pytestmark = pytest.mark.django_db

NAMES = {"vi": "Nguyễn Thị Thu Hà", "ja": "田中 亮", "ko": "정지훈"}
ORGANISATION = "Công ty Cổ phần Nhựa Hoàng Gia"


def poppler(tool: str) -> str:
    path = shutil.which(tool)
    if path is None:
        if os.environ.get("FAIRSITE_REQUIRE_BROWSER") == "1":
            pytest.fail(f"{tool} (poppler-utils) is required in CI")
        pytest.skip(f"{tool} is not installed")
    return path


def embedded_fonts(pdf_path) -> list[tuple[str, bool]]:
    """(font name without the subset tag, embedded?) for each font ``pdffonts`` lists."""
    out = subprocess.run(  # noqa: S603 - a local tool on our own file
        [poppler("pdffonts"), str(pdf_path)], capture_output=True, text=True, check=True
    ).stdout.splitlines()[2:]
    fonts = []
    for line in out:
        parts = line.split()
        name = parts[0].split("+", 1)[-1]
        emb = parts[-5]
        fonts.append((name, emb == "yes"))
    return fonts


def font_cmap(name: str) -> set[int]:
    """Code points of the system font behind an embedded name such as ``Noto-Sans-CJK-JP-Bold``."""
    from fontTools.ttLib import TTFont

    words = name.split("-")
    bold = words[-1] == "Bold"
    family = " ".join(w for w in words if w not in ("Bold", "Regular"))
    pattern = f"{family}:bold" if bold else family
    found = subprocess.run(  # noqa: S603
        ["fc-match", "-f", "%{file}\n%{index}", pattern],  # noqa: S607
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split("\n")
    font = TTFont(found[0], fontNumber=int(found[1] or 0), lazy=True)
    return set(font.getBestCmap())


def test_script_lang_picks_the_glyph_variant():
    assert [script_lang(n) for n in NAMES.values()] == ["vi", "ja", "ko"]
    assert script_lang("山田", hint="zh") == "zh"
    assert script_lang("Jennifer Wilson") == "en"


def test_badge_pdf_embeds_fonts_that_render_every_name(fair, artifacts, tmp_path):
    badges = [
        factories.BadgeFactory(
            fair=fair, user__full_name=name, user__language=lang, organisation=ORGANISATION
        )
        for lang, name in NAMES.items()
    ]
    pdf = tmp_path / "badges.pdf"
    pdf.write_bytes(badges_pdf(badges=badges, language="vi"))

    fonts = embedded_fonts(pdf)
    text = subprocess.run(  # noqa: S603
        [poppler("pdftotext"), str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    prefix = str(artifacts / "badge")
    subprocess.run([poppler("pdftoppm"), "-r", "80", "-png", str(pdf), prefix], check=True)  # noqa: S603

    assert fonts and all(embedded for _name, embedded in fonts)
    names = {name for name, _e in fonts}
    assert any(re.search(r"CJK-JP", n) for n in names)
    assert any(re.search(r"CJK-KR", n) for n in names)
    covered = set().union(*(font_cmap(name) for name in names))
    for name in [*NAMES.values(), ORGANISATION]:
        assert name in text
        missing = {c for c in name if c != " " and ord(c) not in covered}
        assert missing == set(), f"no embedded font has {missing} of {name}"
    assert len(list(artifacts.glob("badge-*.png"))) == 3
