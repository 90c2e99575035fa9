"""Shared pieces of the browser tests: Debian's Chromium driven by Playwright (no browser
download), and a folder for screenshots kept as test artifacts."""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import pytest

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture
def chromium() -> str:
    """The Chromium binary; skipped where it is missing, except when the run requires it
    (CI sets ``FAIRSITE_REQUIRE_BROWSER=1``)."""
    path = CHROMIUM if os.path.exists(CHROMIUM) else shutil.which("chromium")
    if not path:
        if os.environ.get("FAIRSITE_REQUIRE_BROWSER") == "1":
            pytest.fail("Chromium is required (FAIRSITE_REQUIRE_BROWSER=1) but not installed")
        pytest.skip("Chromium is not installed")
    return path


@pytest.fixture
def artifacts() -> Path:
    path = Path(os.environ.get("FAIRSITE_ARTIFACTS", "test-artifacts"))
    path.mkdir(parents=True, exist_ok=True)
    return path


@pytest.fixture
def browser_context(chromium, monkeypatch):
    """A fresh persistent context (its own empty user-data dir), closed after the test.

    Playwright's sync API keeps an event loop in the test's thread; the test's own ORM calls
    are ordinary blocking calls, so Django's async-safety guard is lifted for the test.
    """
    from playwright.sync_api import sync_playwright

    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with tempfile.TemporaryDirectory(prefix="fairsite-chromium-") as user_data:
        with sync_playwright() as playwright:
            context = playwright.chromium.launch_persistent_context(
                user_data,
                executable_path=chromium,
                args=CHROMIUM_ARGS,
                headless=True,
                locale="en-US",
                viewport={"width": 1280, "height": 900},
            )
            try:
                yield context
            finally:
                context.close()
