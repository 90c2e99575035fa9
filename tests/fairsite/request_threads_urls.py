"""A view and a middleware that tell which thread ran them (test_request_threads.py)."""

import threading

from django.http import HttpResponse
from django.urls import path


def record(get_response):
    def middleware(request):
        request.middleware_thread = threading.get_ident()
        return get_response(request)

    return middleware


def thread_view(request):
    return HttpResponse(f"{request.middleware_thread} {threading.get_ident()}")


urlpatterns = [path("thread/", thread_view)]
