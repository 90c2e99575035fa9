"""The settings before the pool: persistent per-thread connections (``CONN_MAX_AGE=60``) and
no pool. Used only as the negative control of the pool tests."""

from fairsite.settings import *  # noqa: F403

DATABASES["default"]["CONN_MAX_AGE"] = 60  # noqa: F405
DATABASES["default"].get("OPTIONS", {}).pop("pool", None)  # noqa: F405
