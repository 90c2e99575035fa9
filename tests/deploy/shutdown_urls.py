"""The site's URLs plus ``/_test/sleep/<seconds>/``: a sync view that answers after sleeping
(a slow request in flight when the process is told to stop)."""

import time

from django.http import HttpResponse
from django.urls import include, path


def sleep(request, seconds: int):
    time.sleep(seconds)
    return HttpResponse(f"slept {seconds}")


urlpatterns = [
    path("_test/sleep/<int:seconds>/", sleep),
    path("", include("fairsite.urls")),
]
