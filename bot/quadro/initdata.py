"""Who is calling the board: Telegram's signed `initData`, verified as Telegram specifies.

The page cannot keep a secret, so it sends what Telegram handed it (`Telegram.WebApp.initData`)
in `Authorization: tma <initData>`, and every API call is checked here before anything else:

    secret_key  = HMAC_SHA256(key="WebAppData", msg=bot_token)
    check       = "\\n".join(sorted(f"{key}={value}" for every field but hash))
    valid       = hmac.compare_digest(hex(HMAC_SHA256(key=secret_key, msg=check)), hash)

and `auth_date` no older than `VALIDADE` by the injected clock (a few minutes into the future are
tolerated: clocks drift). Data signed for another bot fails the same check, since the key comes
from this bot's token. `assinar` builds valid initData: the tests' and the dev server's side.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import parse_qsl, urlencode

from bot.errors import Interno

VALIDADE = timedelta(hours=24)
TOLERANCIA_FUTURO = timedelta(minutes=5)
ESQUEMA = "tma "


class InitDataInvalida(Interno):
    """Missing, malformed, tampered, stale or foreign initData; the reason is for the log."""


@dataclass(frozen=True)
class Identidade:
    """The Telegram user the signed data names."""

    telegram_id: int
    nome: str
    auth_date: datetime


def _chave(token: str) -> bytes:
    return hmac.new(b"WebAppData", token.encode(), hashlib.sha256).digest()


def _texto_de_verificacao(campos: dict[str, str]) -> str:
    return "\n".join(f"{k}={v}" for k, v in sorted(campos.items()) if k != "hash")


def verificar(cabecalho: str | None, *, token: str, agora: Callable[[], datetime]) -> Identidade:
    """The caller's identity from an `Authorization` header, or `InitDataInvalida`."""
    if not cabecalho or not cabecalho.startswith(ESQUEMA):
        raise InitDataInvalida("no tma authorization")
    try:
        pares = parse_qsl(cabecalho[len(ESQUEMA) :].strip(), strict_parsing=True)
    except ValueError:
        raise InitDataInvalida("not a query string") from None
    campos = dict(pares)
    if len(campos) != len(pares):
        raise InitDataInvalida("a field appears twice")
    recebido = campos.get("hash", "")
    esperado = hmac.new(
        _chave(token), _texto_de_verificacao(campos).encode(), hashlib.sha256
    ).hexdigest()
    if not hmac.compare_digest(esperado, recebido.lower()):
        raise InitDataInvalida("bad hash")
    try:
        momento = datetime.fromtimestamp(int(campos["auth_date"]), tz=agora().tzinfo)
        usuario = json.loads(campos["user"])
        telegram_id = int(usuario["id"])
    except (KeyError, ValueError, TypeError, OverflowError):
        raise InitDataInvalida("no auth_date or user") from None
    idade = agora() - momento
    if idade > VALIDADE or idade < -TOLERANCIA_FUTURO:
        raise InitDataInvalida("stale auth_date")
    nome = " ".join(str(usuario.get(k, "")) for k in ("first_name", "last_name")).strip()
    return Identidade(telegram_id=telegram_id, nome=nome, auth_date=momento)


def assinar(token: str, *, telegram_id: int, nome: str, auth_date: datetime, **extra: str) -> str:
    """initData signed for `token`, as Telegram would hand it to the page."""
    usuario = json.dumps(
        {"id": telegram_id, "first_name": nome, "language_code": "pt-br"},
        ensure_ascii=False,
        separators=(",", ":"),
    )
    campos = {"auth_date": str(int(auth_date.timestamp())), "user": usuario, **extra}
    assinatura = hmac.new(
        _chave(token), _texto_de_verificacao(campos).encode(), hashlib.sha256
    ).hexdigest()
    return urlencode({**campos, "hash": assinatura})
