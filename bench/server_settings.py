"""Settings of the daphne processes the benchmarks start: the project's, with database
connections closed at the end of each request.

Under daphne, Django runs each request's synchronous code in a thread of its own, so a
persistent connection (``CONN_MAX_AGE`` > 0) is never reused by the next request and stays open
until the thread is collected; under sustained load the server runs out of connections.
"""

from fairsite.settings import *  # noqa: F403
from fairsite.settings import DATABASES

DATABASES["default"]["CONN_MAX_AGE"] = 0
