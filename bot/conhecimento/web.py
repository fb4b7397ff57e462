"""`/ingerir <url>`: fetch a page or file without letting a user reach internal services.

Every hop (the URL and each redirect, at most `REDIRECIONAMENTOS`) is resolved first and refused
unless all its addresses are public; the request then goes to the checked address itself (with
the original Host header and TLS server name), so a DNS answer that changes between check and
connect (rebinding) cannot point it elsewhere. Size and time are bounded while streaming.
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
            ip = ipaddress.ip_address(endereco.split("%")[0])
            if not ip.is_global or ip.is_multicast:
                raise Recusado(texts.FALHA_REDE_LOCAL)
    return enderecos[0]


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
