"""Address checks of the SSRF guard and the body decoder's cap."""

from __future__ import annotations

import gzip
import ipaddress
import zlib

import pytest

from pipeline.fetch import BodyDecoder
from pipeline.fetch_guard import AddressPolicy, FetchRefused, address_class, check_addresses


@pytest.mark.parametrize(
    ("address", "kind"),
    [
        ("93.184.215.14", None),
        ("2606:4700::1111", None),
        ("127.0.0.1", "loopback"),
        ("127.8.9.10", "loopback"),
        ("::1", "loopback"),
        ("::ffff:127.0.0.1", "loopback"),  # IPv4-mapped IPv6
        ("10.1.2.3", "private"),
        ("172.16.0.1", "private"),
        ("192.168.1.1", "private"),
        ("100.64.0.1", "private"),  # carrier-grade NAT
        ("fd12:3456::1", "private"),
        ("169.254.169.254", "metadata"),
        ("fd00:ec2::254", "metadata"),
        ("100.100.100.200", "metadata"),
        ("169.254.1.1", "link-local"),
        ("fe80::1", "link-local"),
        ("0.0.0.0", "unspecified"),
        ("224.0.0.1", "multicast"),
        ("240.0.0.1", "reserved"),
    ],
)
def test_address_classes(address: str, kind: str | None) -> None:
    assert address_class(ipaddress.ip_address(address)) == kind


def test_public_addresses_pass_without_any_allowance() -> None:
    check_addresses("feeds.example.com", 443, ["93.184.215.14"], AddressPolicy())


def test_loopback_is_refused_unless_allowed() -> None:
    with pytest.raises(FetchRefused, match="loopback"):
        check_addresses("localhost", 8080, ["127.0.0.1"], AddressPolicy())
    check_addresses("localhost", 8080, ["127.0.0.1"], AddressPolicy(allow_private=True))


def test_a_feed_allowance_covers_its_own_origin_only() -> None:
    policy = AddressPolicy(private_origins=frozenset({("127.0.0.1", 8080)}))
    check_addresses("127.0.0.1", 8080, ["127.0.0.1"], policy)
    with pytest.raises(FetchRefused):
        check_addresses("127.0.0.1", 8081, ["127.0.0.1"], policy)  # another port
    with pytest.raises(FetchRefused):
        check_addresses("localhost", 8080, ["127.0.0.1"], policy)  # another name


@pytest.mark.parametrize("address", ["169.254.169.254", "fe80::1", "fd00:ec2::254"])
def test_metadata_and_link_local_are_never_allowed(address: str) -> None:
    with pytest.raises(FetchRefused, match="never fetched"):
        check_addresses("meta", 80, [address], AddressPolicy(allow_private=True))


def test_a_name_resolving_to_public_and_private_addresses_is_refused() -> None:
    with pytest.raises(FetchRefused, match=r"rebind\.example\.com \(10\.0\.0\.5\)"):
        check_addresses("rebind.example.com", 80, ["93.184.215.14", "10.0.0.5"], AddressPolicy())


def _zeros_gzip(n_mb: int) -> bytes:
    comp = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    block = bytes(1024 * 1024)
    return b"".join(comp.compress(block) for _ in range(n_mb)) + comp.flush()


def test_decoder_stops_a_gzip_bomb_at_the_cap() -> None:
    bomb = _zeros_gzip(64)  # 64 MB of zeros in about 64 KB
    decoder = BodyDecoder("gzip", limit=1024 * 1024)
    with pytest.raises(FetchRefused, match="after decompression"):
        for i in range(0, len(bomb), 4096):
            decoder.feed(bomb[i : i + 4096])
    assert decoder.size <= 1024 * 1024 + 64 * 1024


@pytest.mark.parametrize("coding", ["gzip", "x-gzip", "deflate", "deflate-raw", "identity"])
def test_decoder_round_trips(coding: str) -> None:
    data = b"<rss>" + "Grüße ".encode() * 5000 + b"</rss>"
    if coding in ("gzip", "x-gzip"):
        wire = gzip.compress(data)
    elif coding == "deflate":
        wire = zlib.compress(data)
    elif coding == "deflate-raw":  # servers that send raw deflate under "deflate"
        comp = zlib.compressobj(6, zlib.DEFLATED, -zlib.MAX_WBITS)
        wire, coding = comp.compress(data) + comp.flush(), "deflate"
    else:
        wire = data
    decoder = BodyDecoder(coding, limit=10**6)
    for i in range(0, len(wire), 1000):
        decoder.feed(wire[i : i + 1000])
    assert decoder.finish() == data


def test_decoder_refuses_unknown_encodings() -> None:
    with pytest.raises(FetchRefused, match="unsupported Content-Encoding 'br'"):
        BodyDecoder("br", limit=100)
