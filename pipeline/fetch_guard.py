"""Which addresses a fetch may connect to (SSRF guard), checked on resolved IPs on every hop."""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

# (host, port) -> IP addresses; tests pass their own to map names without touching DNS.
Resolver = Callable[[str, int], Awaitable[list[str]]]

# Cloud metadata endpoints outside the link-local range (AWS IPv6, Alibaba).
METADATA = frozenset(
    ipaddress.ip_address(a) for a in ("fd00:ec2::254", "100.100.100.200", "169.254.169.254")
)
NEVER = ("link-local", "metadata", "multicast", "reserved")


class FetchRefused(Exception):  # noqa: N818 - a policy verdict, not a bug
    """The fetch was refused by policy (address, scheme, size, redirects); str() says why."""


@dataclass(frozen=True)
class AddressPolicy:
    """What besides public addresses a fetch may reach.

    `allow_private` opens loopback and private ranges on every hop (settings-wide, for the demo).
    `private_origins` opens them only for those exact (host, port) pairs: a feed marked
    allow_private gets its own origin, so a redirect elsewhere on loopback is still refused.
    Link-local, metadata and multicast addresses are never reachable.
    """

    allow_private: bool = False
    private_origins: frozenset[tuple[str, int]] = field(default_factory=frozenset)

    def permits_private(self, host: str, port: int) -> bool:
        return self.allow_private or (host.lower(), port) in self.private_origins


def address_class(ip: ipaddress.IPv4Address | ipaddress.IPv6Address) -> str | None:
    """None for a public unicast address, else the kind of non-public address it is."""
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    if ip in METADATA:
        return "metadata"
    if ip.is_link_local:
        return "link-local"
    if ip.is_multicast:
        return "multicast"
    if ip.is_loopback:
        return "loopback"
    if ip.is_unspecified:
        return "unspecified"
    if ip.is_reserved:
        return "reserved"
    if ip.is_global:
        return None
    return "private"  # RFC 1918, unique-local, carrier-grade NAT, reserved, documentation


def check_addresses(host: str, port: int, addresses: list[str], policy: AddressPolicy) -> None:
    """Raise FetchRefused unless every address `host` resolved to may be contacted."""
    if not addresses:
        raise FetchRefused(f"host {host} resolved to no address")
    for text in addresses:
        ip = ipaddress.ip_address(text.split("%", 1)[0])
        kind = address_class(ip)
        if kind is None:
            continue
        shown = host if host == text else f"{host} ({text})"
        if kind in NEVER:
            raise FetchRefused(f"refused {shown}:{port}: a {kind} address is never fetched")
        if not policy.permits_private(host, port):
            raise FetchRefused(
                f"refused {shown}:{port}: a {kind} address (allowed only for a feed's own "
                "origin with allow_private, or with NEWSFLOW_ALLOW_PRIVATE_HOSTS)"
            )


async def system_resolver(host: str, port: int) -> list[str]:
    """IP addresses of `host` from the system resolver; IP literals come back unchanged."""
    try:
        return [str(ipaddress.ip_address(host))]
    except ValueError:
        pass
    loop = asyncio.get_running_loop()
    infos = await loop.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    seen: list[str] = []
    for _family, _type, _proto, _name, sockaddr in infos:
        if sockaddr[0] not in seen:
            seen.append(sockaddr[0])
    return seen


def pick_address(addresses: list[str]) -> str:
    """The address to connect to: the first IPv4 one (IPv6 routes are often missing)."""
    for text in addresses:
        if ":" not in text:
            return text
    return addresses[0].split("%", 1)[0]
