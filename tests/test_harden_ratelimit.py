"""Issue 9, item 4: the rate limit behind proxies, per /64, counting only accepted submissions."""

from __future__ import annotations

import uuid

import httpx
import pytest
from starlette.requests import Request
from test_requests_web import FORM, GOOD, live_server_for, open_form, settings_for

from csohelp.web.security import RateLimiter, client_ip, proxy_networks, rate_key

PROXIES = proxy_networks(["127.0.0.0/8", "10.0.0.0/8", "fd00::/8"])


def request_from(peer: str, *lines: str) -> Request:
    headers = [(b"x-forwarded-for", line.encode()) for line in lines]
    return Request({"type": "http", "method": "POST", "path": "/", "headers": headers,
                    "client": (peer, 1234), "query_string": b""})


@pytest.mark.parametrize("lines, expected", [
    (("203.0.113.9", "198.51.100.7"), "198.51.100.7"),        # the proxy added its own line
    (("203.0.113.9, 198.51.100.7, 10.0.0.2",), "198.51.100.7"),
    (("198.51.100.7:5555",), "198.51.100.7"),
    (("[2001:db8::1]:443",), "2001:db8::1"),
    (("[2001:db8::1]",), "2001:db8::1"),
    (("2001:db8::1",), "2001:db8::1"),
    (("::ffff:198.51.100.7",), "198.51.100.7"),
    (("198.51.100.7", "10.0.0.3:80, fd00::1"), "198.51.100.7"),
    (("10.0.0.5", "10.0.0.6"), "10.0.0.5"),                   # only proxies: the first
    ((), "127.0.0.1"),
])
def test_the_client_is_the_first_untrusted_hop_from_the_right_of_every_line(lines, expected):
    assert client_ip(request_from("127.0.0.1", *lines), PROXIES) == expected


def test_an_untrusted_peer_is_the_client_whatever_it_claims():
    assert client_ip(request_from("198.51.100.50", "203.0.113.9"), PROXIES) == "198.51.100.50"


@pytest.mark.parametrize("address, key", [
    ("2001:db8:1:2::1", "2001:db8:1:2::/64"), ("2001:db8:1:2:ffff:ffff:ffff:ffff", "2001:db8:1:2::/64"),
    ("198.51.100.7", "198.51.100.7"), ("::ffff:198.51.100.7", "198.51.100.7")])
def test_ipv6_clients_count_per_64(address, key):
    assert rate_key(address) == key


def test_the_limiter_counts_only_what_is_recorded():
    limiter = RateLimiter(2)
    assert [limiter.allow("a", now=0) for _ in range(5)] == [None] * 5  # checks alone count nothing
    limiter.record("a", now=0)
    limiter.record("a", now=1)
    assert limiter.allow("a", now=2) == 58 and limiter.allow("b", now=2) is None
    assert limiter.allow("a", now=60.5) is None  # the first one left the window


@pytest.fixture(scope="module")
def server(built_project, tmp_path_factory):
    settings = settings_for(built_project, tmp_path_factory.mktemp("limit"), rate_limit=2,
                            trusted_proxies=("127.0.0.0/8",))
    with live_server_for(settings) as live:
        yield live


@pytest.fixture
def client(server):
    with httpx.Client(base_url=server.url, timeout=10) as c:
        yield c


def post(client: httpx.Client, *lines: str, body: dict | None = None, key: str | None = None) -> int:
    headers = [("x-forwarded-for", line) for line in lines]
    if key:
        headers.append(("idempotency-key", key))
    return client.post("/api/requests", json=body or GOOD, headers=headers).status_code


def test_a_client_written_line_does_not_escape_the_limit(client):
    # The proxy adds its own line with the real client; the first line is the client's own.
    statuses = [post(client, f"203.0.113.{i}", "198.51.100.10") for i in range(3)]
    assert statuses == [201, 201, 429]


def test_ports_and_ipv6_subnets_are_one_client(client):
    assert [post(client, "198.51.100.11:5555"), post(client, "198.51.100.11:6666"),
            post(client, "198.51.100.11")] == [201, 201, 429]
    assert [post(client, "[2001:db8:5:6::1]:443"), post(client, "2001:db8:5:6::2"),
            post(client, "2001:db8:5:6:1::3")] == [201, 201, 429]


def test_typos_and_replays_do_not_use_up_the_limit(client):
    bad = {**GOOD, "email": "jean..dupont@acme.ca"}
    assert [post(client, "198.51.100.12", body=bad) for _ in range(5)] == [422] * 5
    key = uuid.uuid4().hex
    assert [post(client, "198.51.100.12", key=key) for _ in range(3)] == [201] * 3  # one stored
    assert [post(client, "198.51.100.12"), post(client, "198.51.100.12")] == [201, 429]


def test_form_errors_do_not_count_either(client):
    headers = {"x-forwarded-for": "198.51.100.13"}
    for _ in range(3):
        bad = client.post("/en/request/", data={**FORM, "email": "a..b@c.ca", **open_form(client)},
                          headers=headers)
        assert bad.status_code == 422
    ok = [client.post("/en/request/", data={**FORM, **open_form(client)}, headers=headers).status_code
          for _ in range(3)]
    assert ok == [303, 303, 429]
