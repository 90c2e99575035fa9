"""Production mode: deploy checks pass, and the app refuses to start without its secrets."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SECRET = "k" * 20 + "-production-secret-key-of-sufficient-length-9f3a"


def manage(*args: str, **env: str) -> subprocess.CompletedProcess:
    base = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith("FAIRSITE_") and key != "DJANGO_SETTINGS_MODULE"
    }
    base["DJANGO_SETTINGS_MODULE"] = "fairsite.settings"
    base["FAIRSITE_SQLITE_PATH"] = os.path.join(os.environ.get("TMPDIR", "/tmp"), "deploy.sqlite3")
    base.update(env)
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=base,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_check_deploy_passes_in_production_mode():
    assert len(SECRET) >= 50
    result = manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        FAIRSITE_DEBUG="0",
        FAIRSITE_SECRET_KEY=SECRET,
        FAIRSITE_ALLOWED_HOSTS="fair.example.com",
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_check_deploy_fails_with_a_weak_secret_key():
    """Negative control: the deploy check is really run and really strict."""
    result = manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        FAIRSITE_DEBUG="0",
        FAIRSITE_SECRET_KEY="short",
        FAIRSITE_ALLOWED_HOSTS="fair.example.com",
    )
    assert result.returncode != 0
    assert "security.W009" in result.stdout + result.stderr


def test_production_refuses_to_start_without_secret_key():
    result = manage("check", FAIRSITE_DEBUG="0", FAIRSITE_ALLOWED_HOSTS="fair.example.com")
    assert result.returncode != 0
    assert "FAIRSITE_SECRET_KEY" in result.stderr


def test_production_refuses_to_start_without_allowed_hosts():
    result = manage("check", FAIRSITE_DEBUG="0", FAIRSITE_SECRET_KEY=SECRET)
    assert result.returncode != 0
    assert "FAIRSITE_ALLOWED_HOSTS" in result.stderr


def test_demo_mode_starts_without_any_setting():
    result = manage("check")
    assert result.returncode == 0, result.stderr
