"""`/ingerir <url>`: fetch a page or file without letting a user reach internal services.

Every hop (the URL and each redirect, at most `REDIRECIONAMENTOS`) is resolved first and refused
unless all its addresses are public (`endereco_publico`: an IPv6 form that embeds an IPv4
address, such as NAT64, 6to4, Teredo, IPv4-mapped or -compatible, is judged by the IPv4 address
it carries, since a translator on the path delivers it there); the request then goes to the
checked address itself (with the original Host header and TLS server name), so a DNS answer
that changes between check and connect (rebinding) cannot point it elsewhere. Size and time
are bounded while streaming.
`permitir_rede_local` (COGEP_INGEST_PERMITIR_REDE_LOCAL) lifts the address check, for tests and
for teams that ingest from their intranet on purpose.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from dataclasses import dataclass
from urllib.parse import SplitResult, urljoin, urlsplit, urlunsplit

import httpx

from bot import texts
from bot.conhecimento.extracao import Recusado

REDIRECIONAMENTOS = 5
AGENTE = "Cogep/1.0 (+base de conhecimento)"


@dataclass(frozen=True)
class Baixado:
    """A fetched resource."""

    conteudo: bytes
    mime: str | None
    url_final: str


def url_valida(texto: str) -> str | None:
    """The URL if it is an absolute http(s) URL with a host, else None."""
    partes = urlsplit(texto.strip())
    if partes.scheme not in ("http", "https") or not partes.hostname:
        return None
    return urlunsplit(partes)


async def baixar(
    url: str, *, limite_bytes: int, tempo: float, permitir_rede_local: bool = False
) -> Baixado:
    """GET `url` following redirects, each checked; `Recusado` with the reason on failure."""
    try:
        async with asyncio.timeout(tempo):
            return await _seguir(url, limite_bytes, permitir_rede_local)
    except TimeoutError:
        raise Recusado(texts.falha_download("o servidor demorou demais")) from None
    except httpx.HTTPError as exc:
        raise Recusado(texts.falha_download(type(exc).__name__)) from None


async def _seguir(url: str, limite_bytes: int, permitir_rede_local: bool) -> Baixado:
    async with httpx.AsyncClient(follow_redirects=False, timeout=15.0, trust_env=False) as cliente:
        for _ in range(REDIRECIONAMENTOS + 1):
            if url_valida(url) is None:
                raise Recusado(texts.falha_download("endereço inválido"))
            partes = urlsplit(url)
            endereco = await _endereco_permitido(
                partes.hostname or "", partes.port, permitir_rede_local
            )
            alvo, cabecalhos, extensoes = _fixar(partes, endereco)
            pedido = cliente.build_request("GET", alvo, headers=cabecalhos, extensions=extensoes)
            resposta = await cliente.send(pedido, stream=True)
            try:
                if resposta.is_redirect and "location" in resposta.headers:
                    url = urljoin(url, resposta.headers["location"])
                    continue
                if resposta.status_code >= 400:
                    raise Recusado(texts.falha_download(f"HTTP {resposta.status_code}"))
                conteudo = await _ler_limitado(resposta, limite_bytes)
                mime = resposta.headers.get("content-type")
                return Baixado(conteudo, mime, url)
            finally:
                await resposta.aclose()
    raise Recusado(texts.falha_download("redirecionamentos demais"))


async def _ler_limitado(resposta: httpx.Response, limite: int) -> bytes:
    declarado = resposta.headers.get("content-length")
    if declarado and declarado.isdigit() and int(declarado) > limite:
        raise Recusado(texts.falha_grande(int(declarado), limite))
    partes: list[bytes] = []
    total = 0
    async for parte in resposta.aiter_bytes():
        total += len(parte)
        if total > limite:
            raise Recusado(texts.falha_grande(total, limite))
        partes.append(parte)
    return b"".join(partes)


async def _endereco_permitido(host: str, porta: int | None, permitir_rede_local: bool) -> str:
    """One resolved address of `host`, refusing hosts with any non-public address."""
    loop = asyncio.get_running_loop()
    try:
        infos = await loop.getaddrinfo(host, porta or 80, type=socket.SOCK_STREAM)
    except socket.gaierror:
        raise Recusado(texts.falha_download("endereço não encontrado")) from None
    enderecos = [str(info[4][0]) for info in infos]
    if not permitir_rede_local:
        for endereco in enderecos:
            if not endereco_publico(ipaddress.ip_address(endereco.split("%")[0])):
                raise Recusado(texts.FALHA_REDE_LOCAL)
    return enderecos[0]


_NAT64 = ipaddress.IPv6Network("64:ff9b::/96")  # RFC 6052: the IPv4 address in the last 32 bits
_NAT64_LOCAL = ipaddress.IPv6Network("64:ff9b:1::/48")  # RFC 8215: a network's own translator
_IPV4_COMPATIVEL = ipaddress.IPv6Network("::/96")  # deprecated ::a.b.c.d


def endereco_publico(ip: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    """Whether `ip` is a public unicast address, judging IPv6 forms by the IPv4 they embed.

    `is_global` alone says yes to 64:ff9b::127.0.0.1 or 2002:7f00:1::, which a NAT64 or 6to4
    relay delivers to the embedded (here loopback) address.
    """
    if isinstance(ip, ipaddress.IPv6Address):
        if ip in _NAT64_LOCAL:
            return False  # where it leads depends on the local network's prefix
        embutidos = _ipv4_embutidos(ip)
        if embutidos:
            return all(endereco_publico(v4) for v4 in embutidos)
    return ip.is_global and not ip.is_multicast


def _ipv4_embutidos(ip: ipaddress.IPv6Address) -> list[ipaddress.IPv4Address]:
    """The IPv4 addresses an IPv6 address carries (mapped, compatible, NAT64, 6to4, Teredo)."""
    if ip.ipv4_mapped is not None:
        return [ip.ipv4_mapped]
    if ip.sixtofour is not None:
        return [ip.sixtofour]
    if ip.teredo is not None:
        return list(ip.teredo)  # (server, client): both are reached
    if ip in _NAT64 or ip in _IPV4_COMPATIVEL:
        return [ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)]
    return []


def _fixar(partes: SplitResult, endereco: str) -> tuple[str, dict[str, str], dict[str, str]]:
    """The request URL aimed at the checked address, with Host and SNI of the real name."""
    host = partes.hostname or ""
    ip_literal = f"[{endereco}]" if ":" in endereco else endereco
    netloc = ip_literal + (f":{partes.port}" if partes.port else "")
    alvo = urlunsplit((partes.scheme, netloc, partes.path or "/", partes.query, ""))
    host_header = host + (f":{partes.port}" if partes.port else "")
    cabecalhos = {"Host": host_header, "User-Agent": AGENTE}
    extensoes = {"sni_hostname": host} if partes.scheme == "https" else {}
    return alvo, cabecalhos, extensoes
