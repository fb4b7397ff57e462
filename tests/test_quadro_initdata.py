"""initData as Telegram signs it: what the board accepts as a person, and what it refuses.

The clock is injected: a signature is judged by the board's time, not the machine's.
"""

from __future__ import annotations

import hashlib
import hmac
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qsl, urlencode

import pytest

from bot.quadro.initdata import InitDataInvalida, assinar, verificar

TOKEN = "123456:ABC-def"
AGORA = datetime(2026, 12, 7, 12, 0, tzinfo=UTC)


def _verificar(dados: str, *, agora: datetime = AGORA, token: str = TOKEN):
    return verificar("tma " + dados, token=token, agora=lambda: agora)


def test_signed_data_names_the_telegram_user() -> None:
    dados = assinar(TOKEN, telegram_id=42, nome="Ana", auth_date=AGORA, query_id="AAH")

    identidade = _verificar(dados)

    assert (identidade.telegram_id, identidade.nome, identidade.auth_date) == (42, "Ana", AGORA)


def test_the_check_is_telegrams_own_recipe() -> None:
    """Written out independently from the documentation, so both sides cannot drift together."""
    campos = {"auth_date": str(int(AGORA.timestamp())), "user": '{"id":7,"first_name":"Bia"}'}
    texto = "\n".join(f"{k}={v}" for k, v in sorted(campos.items()))
    chave = hmac.new(b"WebAppData", TOKEN.encode(), hashlib.sha256).digest()
    campos["hash"] = hmac.new(chave, texto.encode(), hashlib.sha256).hexdigest()

    assert _verificar(urlencode(campos)).telegram_id == 7


@pytest.mark.parametrize(
    ("idade", "aceita"),
    [
        (timedelta(hours=24), True),
        (timedelta(hours=24, seconds=1), False),
        (timedelta(minutes=-4), True),  # a client clock a little ahead
        (timedelta(minutes=-6), False),
    ],
)
def test_a_signature_lives_24_hours_by_the_boards_clock(idade: timedelta, aceita: bool) -> None:
    dados = assinar(TOKEN, telegram_id=1, nome="A", auth_date=AGORA - idade)

    if aceita:
        assert _verificar(dados).telegram_id == 1
    else:
        with pytest.raises(InitDataInvalida):
            _verificar(dados)


def test_any_changed_field_breaks_the_signature() -> None:
    campos = dict(parse_qsl(assinar(TOKEN, telegram_id=1, nome="A", auth_date=AGORA)))
    for chave in ("auth_date", "user", "hash"):
        adulterado = {
            **campos,
            chave: campos[chave][:-1] + ("0" if campos[chave][-1] != "0" else "1"),
        }
        with pytest.raises(InitDataInvalida):
            _verificar(urlencode(adulterado))
    with pytest.raises(InitDataInvalida):  # an extra field the signer never saw
        _verificar(urlencode({**campos, "start_param": "x"}))


@pytest.mark.parametrize(
    "cabecalho",
    [None, "", "tma ", "Bearer abc", "tma hash=00", "tma a=1&a=2", "tma %zz=&&"],
)
def test_missing_or_malformed_data_is_refused(cabecalho: str | None) -> None:
    with pytest.raises(InitDataInvalida):
        verificar(cabecalho, token=TOKEN, agora=lambda: AGORA)


def test_data_signed_for_another_bot_is_refused() -> None:
    dados = assinar("999:outro", telegram_id=1, nome="A", auth_date=AGORA)

    with pytest.raises(InitDataInvalida):
        _verificar(dados)


def test_a_valid_signature_without_a_user_is_refused() -> None:
    campos = {"auth_date": str(int(AGORA.timestamp()))}
    chave = hmac.new(b"WebAppData", TOKEN.encode(), hashlib.sha256).digest()
    texto = f"auth_date={campos['auth_date']}"
    campos["hash"] = hmac.new(chave, texto.encode(), hashlib.sha256).hexdigest()

    with pytest.raises(InitDataInvalida):
        _verificar(urlencode(campos))
