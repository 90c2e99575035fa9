"""Production settings plus a test-only view that takes its time (tests/deploy/test_shutdown.py)."""

from fairsite.settings import *  # noqa: F403

ROOT_URLCONF = "tests.deploy.shutdown_urls"
