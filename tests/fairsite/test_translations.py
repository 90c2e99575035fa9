"""The vi, ja and ko catalogues are complete, keep their placeholders and are really used.

The .po files are read with the standard library only; the compiled .mo files (build output) are
made once per session with ``compilemessages``.
"""

from __future__ import annotations

import ast
import os
import re
import shutil
import subprocess
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.template import Context, Template
from django.utils import translation
from django.utils.translation import gettext, ngettext

LANGUAGES = ["vi", "ja", "ko"]
LOCALE_DIR = Path(settings.BASE_DIR) / "locale"


@dataclass
class Entry:
    line: int
    msgctxt: str | None = None
    msgid: str = ""
    msgid_plural: str | None = None
    msgstr: dict[int, str] = field(default_factory=dict)
    flags: set[str] = field(default_factory=set)

    def label(self, lang: str) -> str:
        context = f" [{self.msgctxt}]" if self.msgctxt else ""
        return f"{lang}:{self.line}{context} {self.msgid!r}"


def _unquote(text: str) -> str:
    # PO strings use C escapes, which Python's string literal syntax covers for what gettext writes.
    return ast.literal_eval(text)


def parse_po(path: Path) -> list[Entry]:
    """Every live entry of a .po file (obsolete ``#~`` entries are left out), header included."""
    entries: list[Entry] = []
    current: Entry | None = None
    target: tuple[str, int | None] | None = None
    flags: set[str] = set()
    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#~"):
            continue
        if line.startswith("#,"):
            flags |= {flag.strip() for flag in line[2:].split(",")}
            continue
        if line.startswith("#"):
            continue
        keyword, _, rest = line.partition(" ")
        if line.startswith('"'):
            assert current is not None and target is not None, f"{path}:{number}"
            name, index = target
            if name == "msgstr":
                current.msgstr[index] += _unquote(line)
            else:
                setattr(current, name, (getattr(current, name) or "") + _unquote(line))
            continue
        if keyword in ("msgctxt", "msgid") and (
            current is None or keyword == "msgctxt" or current.msgstr
        ):
            current = Entry(line=number, flags=flags)
            flags = set()
            entries.append(current)
        assert current is not None, f"{path}:{number}"
        match = re.fullmatch(r"msgstr\[(\d+)\]", keyword)
        if match:
            target = ("msgstr", int(match[1]))
            current.msgstr[target[1]] = _unquote(rest)
        elif keyword == "msgstr":
            target = ("msgstr", 0)
            current.msgstr[0] = _unquote(rest)
        elif keyword in ("msgctxt", "msgid", "msgid_plural"):
            target = (keyword, None)
            setattr(current, keyword, _unquote(rest))
        else:
            raise AssertionError(f"{path}:{number}: cannot read {raw!r}")
    return entries


def po_path(lang: str) -> Path:
    return LOCALE_DIR / lang / "LC_MESSAGES" / "django.po"


def messages(lang: str) -> list[Entry]:
    return [entry for entry in parse_po(po_path(lang)) if entry.msgid]


@pytest.fixture(scope="session")
def compiled_catalogues():
    """Compile the catalogues and drop any translations Django already loaded from older ones."""
    if not shutil.which("msgfmt"):
        if os.environ.get("CI"):
            pytest.fail("msgfmt (gettext) is needed to compile the translations")
        pytest.skip("msgfmt (gettext) is not installed")
    here = Path.cwd()
    os.chdir(settings.BASE_DIR)
    try:
        call_command(
            "compilemessages",
            locale=LANGUAGES,
            ignore_patterns=[".venv", "node_modules", "staticfiles", "test-artifacts"],
            verbosity=0,
        )
    finally:
        os.chdir(here)
    from django.utils.translation.reloader import translation_file_changed

    translation_file_changed(sender=None, file_path=LOCALE_DIR / "vi" / "LC_MESSAGES" / "django.mo")
    yield


@pytest.mark.parametrize("lang", LANGUAGES)
def test_header_declares_language_and_plural_forms(lang):
    header = next(entry for entry in parse_po(po_path(lang)) if not entry.msgid)
    assert "fuzzy" not in header.flags
    assert f"Language: {lang}\n" in header.msgstr[0]
    assert "Plural-Forms: nplurals=1; plural=0;\n" in header.msgstr[0]
    assert "charset=UTF-8" in header.msgstr[0]


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_message_is_translated_and_not_fuzzy(lang):
    entries = messages(lang)
    assert len(entries) > 500
    fuzzy = [e.label(lang) for e in entries if "fuzzy" in e.flags]
    empty = [e.label(lang) for e in entries if not e.msgstr or not all(e.msgstr.values())]
    assert not fuzzy, "fuzzy entries:\n" + "\n".join(fuzzy)
    assert not empty, "untranslated entries:\n" + "\n".join(empty)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_msgfmt_check_and_statistics(lang):
    if not shutil.which("msgfmt"):
        if os.environ.get("CI"):
            pytest.fail("msgfmt (gettext) is needed to check the translations")
        pytest.skip("msgfmt (gettext) is not installed")
    po = po_path(lang)
    result = subprocess.run(
        ["msgfmt", "--check", "--statistics", "-o", os.devnull, str(po)],
        capture_output=True,
        text=True,
        env={**os.environ, "LC_ALL": "C"},
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    summary = result.stderr.strip().splitlines()[-1]
    assert re.fullmatch(r"\d+ translated messages\.", summary), summary


# A printf-style directive: "%%", "%(name)s", "%(n)d", "%s", "%.2f" …
FORMAT = re.compile(r"%%|%(?:\(\w+\))?[#0 +-]*\d*(?:\.\d+)?[a-zA-Z]")
NAMED = re.compile(r"%+\((\w+)\)")
BRACE = re.compile(r"(?<!\{)\{(\w*)\}(?!\})")
TAG = re.compile(r"</?[a-zA-Z][^<>]*>")


@pytest.mark.parametrize("lang", LANGUAGES)
def test_placeholders_and_markup_are_kept(lang):
    problems = []
    for entry in messages(lang):
        for index, text in entry.msgstr.items():
            source = entry.msgid if index == 0 or entry.msgid_plural is None else entry.msgid_plural
            if "python-format" in entry.flags or "%(" in source:
                if set(NAMED.findall(source)) != set(NAMED.findall(text)):
                    problems.append(f"{entry.label(lang)}: named placeholders in {text!r}")
                if "python-format" in entry.flags and Counter(FORMAT.findall(source)) != Counter(
                    FORMAT.findall(text)
                ):
                    problems.append(f"{entry.label(lang)}: format directives in {text!r}")
            if set(BRACE.findall(source)) != set(BRACE.findall(text)):
                problems.append(f"{entry.label(lang)}: brace placeholders in {text!r}")
            if sorted(TAG.findall(source)) != sorted(TAG.findall(text)):
                problems.append(f"{entry.label(lang)}: HTML tags in {text!r}")
    assert not problems, "\n".join(problems)


EXPECTED = {
    "vi": {
        "Supplier directory": "Danh bạ nhà cung cấp",
        "Tokyo": "Tokyo",
        "Request a meeting": "Đề nghị gặp",
    },
    "ja": {
        "Supplier directory": "サプライヤー一覧",
        "Tokyo": "東京",
        "Request a meeting": "商談を申し込む",
    },
    "ko": {
        "Supplier directory": "공급업체 목록",
        "Tokyo": "도쿄",
        "Request a meeting": "미팅 요청",
    },
}


@pytest.mark.parametrize("lang", LANGUAGES)
def test_catalogue_is_used_at_run_time(compiled_catalogues, lang):
    with translation.override(lang):
        for english, translated in EXPECTED[lang].items():
            assert gettext(english) == translated
        assert gettext("Supplier directory") != "Supplier directory"
        counted = ngettext("%(counter)s company", "%(counter)s companies", 3) % {"counter": 3}
        assert counted.startswith("3") and "companies" not in counted
        rendered = Template(
            "{% load i18n %}{% translate 'Supplier directory' %}|"
            "{% translate '%(name)s is typing…' %}"
        ).render(Context())
    directory, typing = rendered.split("|")
    assert directory == EXPECTED[lang]["Supplier directory"]
    # The doubled percent of {% translate %} strings comes back as one for the chat script.
    assert typing.startswith("%(name)s") and "%%" not in typing and "typing" not in typing


def test_city_names_follow_the_language(compiled_catalogues):
    from fairsite.timefmt import city_name

    with translation.override("ja"):
        assert city_name("Asia/Ho_Chi_Minh") == "ハノイ"
        assert city_name("America/New_York") == "ニューヨーク"
    with translation.override("ko"):
        assert city_name("Asia/Seoul") == "서울"
    with translation.override("en"):
        assert city_name("Asia/Tokyo") == "Tokyo"
