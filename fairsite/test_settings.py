"""Test settings: the real settings, with fast hashing, in-memory mail and English by default.

The database and Redis come from the environment exactly as in production, so CI runs the suite
on PostgreSQL and Redis (``FAIRSITE_DATABASE_URL``, ``FAIRSITE_REDIS_URL``).
"""

import os
import tempfile

os.environ.setdefault(
    "FAIRSITE_SQLITE_PATH", os.path.join(tempfile.gettempdir(), "fairsite-test.sqlite3")
)

from fairsite.settings import *  # noqa: E402,F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
LANGUAGE_CODE = "en"
MEDIA_ROOT = tempfile.mkdtemp(prefix="fairsite-media-")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
if REDIS_URL:  # noqa: F405
    # Each test run gets its own key space so parallel runs and leftovers never collide.
    _prefix = f"fairsite-test-{os.getpid()}"
    CHANNEL_LAYERS["default"]["CONFIG"]["prefix"] = _prefix  # noqa: F405
    CACHES["default"]["KEY_PREFIX"] = _prefix  # noqa: F405
STATIC_ROOT = tempfile.mkdtemp(prefix="fairsite-static-")
# Tasks run in-process after commit, so a test sees an action's e-mails as soon as its
# transaction commits. The queue engine (procrastinate on PostgreSQL) is exercised by the tests
# that opt in to it (tests/fairsite/test_tasks.py) and by real worker processes.
TASKS_ENGINE = os.environ.get("FAIRSITE_TASKS") or "inline"
# The in-process suite runs without the connection pool: its fixtures reach the ORM from many
# helper threads (asgiref's sync_to_async, Playwright's loop), each of which keeps a connection
# checked out for as long as the thread lives, more than one process's pool holds. The pool
# is tested where production runs it, in real daphne processes (tests/deploy/test_pool.py and
# the topology, journey and multi-process tests).
if "OPTIONS" in DATABASES["default"]:  # noqa: F405
    DATABASES["default"]["OPTIONS"].pop("pool", None)  # noqa: F405
