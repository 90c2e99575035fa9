"""The client's address: X-Forwarded-For only from a trusted proxy."""

from __future__ import annotations

import pytest
from django.http import HttpResponse
from django.test import RequestFactory

from exhibitors.adapters import AccountAdapter
from fairsite.middleware import ClientAddressMiddleware, client_address


def _through_middleware(*, peer: str, xff: str | None = None):
    headers = {"REMOTE_ADDR": peer}
    if xff is not None:
        headers["HTTP_X_FORWARDED_FOR"] = xff
    request = RequestFactory().get("/", **headers)
    ClientAddressMiddleware(lambda r: HttpResponse())(request)
    return request


def test_forged_forwarded_for_from_an_untrusted_peer_is_ignored(settings):
    settings.TRUSTED_PROXIES = []
    request = _through_middleware(peer="203.0.113.7", xff="198.51.100.1")
    assert request.client_ip == "203.0.113.7"
    assert request.META["REMOTE_ADDR"] == "203.0.113.7"
    assert AccountAdapter().get_client_ip(request) == "203.0.113.7"


def test_forwarded_for_from_a_trusted_proxy_is_honoured(settings):
    settings.TRUSTED_PROXIES = ["10.0.0.0/8"]
    request = _through_middleware(peer="10.0.0.2", xff="198.51.100.1")
    assert request.client_ip == "198.51.100.1"
    assert request.META["FAIRSITE_PEER_ADDR"] == "10.0.0.2"
    assert AccountAdapter().get_client_ip(request) == "198.51.100.1"


def test_what_a_client_writes_into_the_header_itself_is_not_taken(settings):
    """The client sent "X-Forwarded-For: 1.2.3.4"; the trusted proxy appended the real one."""
    settings.TRUSTED_PROXIES = ["10.0.0.2", "10.0.0.3"]
    forwarded = "1.2.3.4, 198.51.100.9, 10.0.0.3"
    assert client_address(peer="10.0.0.2", forwarded_for=forwarded) == "198.51.100.9"


@pytest.mark.parametrize("xff", ["not-an-address", "", " , "])
def test_garbage_from_a_trusted_proxy_falls_back_to_the_proxy(settings, xff):
    settings.TRUSTED_PROXIES = ["127.0.0.1"]
    assert client_address(peer="127.0.0.1", forwarded_for=xff) == "127.0.0.1"


def test_a_unix_socket_peer_is_the_local_proxy(settings):
    settings.TRUSTED_PROXIES = []
    assert client_address(peer=None, forwarded_for="198.51.100.4") == "198.51.100.4"
    assert client_address(peer=None, forwarded_for=None) == "127.0.0.1"


def test_ipv6_ranges(settings):
    settings.TRUSTED_PROXIES = ["::1", "fd00::/8"]
    assert client_address(peer="fd00::5", forwarded_for="2001:db8::1") == "2001:db8::1"
    assert client_address(peer="2001:db8::7", forwarded_for="2001:db8::1") == "2001:db8::7"
