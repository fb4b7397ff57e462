"""`/ingerir <url>` refuses addresses inside the network, however they are spelled.

IPv6 has several ways to carry an IPv4 address (NAT64, 6to4, Teredo, IPv4-mapped and
-compatible); a relay on the path delivers the request to that IPv4 address, so each form is
judged by the address it carries. The classifier is tested directly: nothing connects anywhere.
"""

from __future__ import annotations

import ipaddress

import pytest

from bot.conhecimento.web import endereco_publico


@pytest.mark.parametrize(
    ("endereco", "publico"),
    [
        ("8.8.8.8", True),
        ("2606:4700:4700::1111", True),
        ("127.0.0.1", False),
        ("10.0.0.5", False),
        ("169.254.169.254", False),
        ("100.64.0.1", False),
        ("::1", False),
        ("::", False),
        ("fe80::1", False),
        ("fd00::1", False),
        ("ff02::1", False),
        # NAT64 (RFC 6052): the IPv4 address in the last 32 bits
        ("64:ff9b::7f00:1", False),
        ("64:ff9b::10.0.0.5", False),
        ("64:ff9b::169.254.169.254", False),
        ("64:ff9b::8.8.8.8", True),
        # local-use NAT64 (RFC 8215): leads wherever the local network decides
        ("64:ff9b:1::a00:5", False),
        ("64:ff9b:1::808:808", False),
        # 6to4: the IPv4 address in bits 16-48
        ("2002:7f00:1::", False),
        ("2002:a00:5::1", False),
        ("2002:a9fe:a9fe::", False),
        ("2002:808:808::1", True),
        # IPv4-compatible (deprecated) and IPv4-mapped
        ("::127.0.0.1", False),
        ("::10.0.0.5", False),
        ("::169.254.169.254", False),
        ("::ffff:127.0.0.1", False),
        ("::ffff:10.0.0.5", False),
        ("::ffff:169.254.169.254", False),
        # Teredo: server 65.54.227.120, client 192.0.2.45 (documentation range) -> refused
        ("2001:0:4136:e378:8000:63bf:3fff:fdd2", False),
        # Teredo with a loopback server
        ("2001:0:7f00:1:8000:63bf:f7f7:f7f7", False),
    ],
)
def test_an_address_is_public_only_if_what_it_leads_to_is_public(
    endereco: str, publico: bool
) -> None:
    assert endereco_publico(ipaddress.ip_address(endereco)) is publico
