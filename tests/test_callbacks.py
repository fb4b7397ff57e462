"""Buttons: each kind round-trips within Telegram's 64 bytes; forged or stale data is refused."""

from __future__ import annotations

import re
from dataclasses import dataclass

import pytest

from bot.app import CogepApplication
from handlers import botoes
from handlers.callbacks import MAX_BYTES, Callback
from tests.fake_telegram import FakeTelegram
from tests.test_processos import registrar

BIG = 2**63 - 1  # PostgreSQL's largest bigint: the widest id a button may carry


@dataclass(frozen=True)
class Nota(Callback, prefixo="zzn"):
    nota_id: int
    texto: str | None = None


@dataclass(frozen=True)
class NotaNova(Callback, prefixo="zzv", versao=2):
    nota_id: int


@pytest.mark.parametrize(
    "botao",
    [
        botoes.BotaoVerProcesso(BIG),
        botoes.BotaoMudarStatus(BIG, "x", BIG, confirmado="ok"),
        botoes.BotaoAtribuir(BIG, BIG, BIG),
        botoes.BotaoVincularContato(BIG, BIG),
        botoes.BotaoLista("concluidos", 10**6, BIG),
        botoes.BotaoPrioridade(BIG, "urgente"),
        botoes.BotaoEditarCampo(BIG, "telefone"),
        botoes.BotaoPerfil("hora", 23),
        botoes.BotaoDecidirAcesso(BIG, "n", "l"),
        botoes.BotaoRascunho("contato", "descartar"),
        botoes.BotaoPular("contato", "telefone"),
    ],
    ids=lambda b: type(b).__name__,
)
def test_every_kind_fits_and_comes_back_as_itself(botao: Callback) -> None:
    data = botao.encode()
    assert len(data.encode()) <= MAX_BYTES
    assert type(botao).decode(data) == botao


def test_the_wire_format_of_buttons_already_sent_is_kept() -> None:
    assert botoes.BotaoMudarStatus(7, "x", 31, confirmado="ok").encode() == "ps:7:x:31:ok"
    assert botoes.BotaoMudarStatus.decode("ps:7:e:31") == botoes.BotaoMudarStatus(7, "e", 31)
    assert botoes.BotaoLista.decode("pl:abertos:0:0") == botoes.BotaoLista("abertos", 0, 0)
    assert botoes.BotaoDecidirAcesso.decode("ua:5:s") == botoes.BotaoDecidirAcesso(5, "s")
    assert botoes.BotaoPrioridade(3).encode() == "pi:3"


def test_trailing_defaults_cost_no_bytes() -> None:
    assert Nota(1).encode() == "zzn:1"
    assert Nota(1, "a").encode() == "zzn:1:a"
    assert Nota.decode("zzn:1") == Nota(1)
    assert Nota.decode("zzn:1:") == Nota(1)


@pytest.mark.parametrize(
    "data",
    [
        None,
        "",
        "zzn",  # a required field missing
        "zzn:abc",  # not a number
        "zzn:1.5",
        "zzn:9223372036854775808",  # one past bigint: would fail in SQL
        "zzn:99999999999999999999",
        "zzn:1:a:b",  # more fields than the kind has
        "zzx:1",  # another kind
        "zzn.2:1",  # a version this kind never had
        "zzn:1:" + "a" * 60,  # over 64 bytes
    ],
)
def test_forged_data_decodes_to_nothing(data: str | None) -> None:
    assert Nota.decode(data) is None


@pytest.mark.parametrize(
    ("kind", "data"),
    [
        (botoes.BotaoMudarStatus, "ps:1:q:3"),  # no such status
        (botoes.BotaoMudarStatus, "ps:1:x:3:talvez"),  # only "ok" confirms
        (botoes.BotaoDecidirAcesso, "ua:1:talvez"),
        (botoes.BotaoDecidirAcesso, "ua:1:s:z"),
        (botoes.BotaoEditarCampo, "cf:1:senha"),
        (botoes.BotaoPerfil, "pf:apagar"),
        (botoes.BotaoPerfil, "pf:nome:3"),  # a name is typed, never carried
        (botoes.BotaoRascunho, "fr:novo:talvez"),
        (botoes.BotaoPaginaContatos, "cl:-1"),
    ],
)
def test_a_kind_refuses_values_it_cannot_carry(kind: type[Callback], data: str) -> None:
    assert kind.decode(data) is None


def test_a_new_version_makes_old_buttons_stale() -> None:
    assert NotaNova(4).encode() == "zzv.2:4"
    assert NotaNova.decode("zzv.2:4") == NotaNova(4)
    assert NotaNova.decode("zzv:4") is None  # sent before the format changed


def test_what_cannot_be_sent_is_refused_when_encoding() -> None:
    with pytest.raises(ValueError, match="64 bytes"):
        Nota(1, "é" * 40).encode()
    with pytest.raises(ValueError, match="may not contain"):
        Nota(1, "a:b").encode()
    with pytest.raises(ValueError, match="out of range"):
        Nota(2**63).encode()
    with pytest.raises(TypeError, match="bool"):
        Nota(True).encode()


def test_a_prefix_is_taken_once() -> None:
    with pytest.raises(ValueError, match="taken"):

        class Outra(Callback, prefixo="pv"):
            pass

    with pytest.raises(ValueError, match="lowercase"):

        class Longa(Callback, prefixo="abcde"):
            pass


def test_each_pattern_routes_only_its_own_kind() -> None:
    pattern = re.compile(botoes.BotaoEditar.pattern())
    assert pattern.match("pe:1") and pattern.match("pe.2:1")
    assert not pattern.match("pet:1") and not pattern.match("ped:1")


async def test_a_button_in_a_retired_format_is_answered_as_expired(
    bot: CogepApplication, tg: FakeTelegram
) -> None:
    ana = await registrar(tg, 611, "Ana")
    tela = await ana.diz("/ajuda")

    for data in ("nv:pular:descricao", "ps:1:x", "zz:1", "ua:1:s:z"):
        await ana.toca_dados(tela["message_id"], data)
        assert "não vale mais" in tg.answered_callbacks()[-1].get("text", "")
