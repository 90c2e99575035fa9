"""Settings of the daphne processes the benchmarks start: the project's, with a connection pool
per process (psycopg's, through Django's ``"pool"`` option) instead of a connection per thread.

Under daphne, Django runs each request's synchronous code in a thread of its own, so a
persistent connection (``CONN_MAX_AGE`` > 0) is never reused by the next request and stays open
until the thread is collected: under sustained load the server runs out of connections, and
without persistence every request pays for a new connection. A pool shared by the process's
threads does neither.
"""

from fairsite.settings import *  # noqa: F403
from fairsite.settings import DATABASES

DATABASES["default"]["CONN_MAX_AGE"] = 0
DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {"min_size": 2, "max_size": 8}
