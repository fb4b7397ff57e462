"""The outbox: every push is a row first, then sent once, paced, through faults and replicas."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select, update
from telegram import Bot
from telegram.ext import ExtBot

from bot.database import Database
from bot.notificacoes import Caixa, Nota
from bot.notificacoes.entrega import ARRENDAMENTO, Entregador
from bot.notificacoes.ritmo import Ritmo
from bot.saida.ritmo import Limitador
from bot.saida.transporte import TelegramTransporte
from db.models import Notificacao, Usuario
from db.repositories import notificacoes as repo
from tests.fake_telegram import FakeTelegram, FloodLimits
from tests.test_processos import abrir, registrar, tornar_gestor


class Relogio:
    """A clock the test moves by hand."""

    def __init__(self) -> None:
        self.agora = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.agora

    def avancar(self, **delta: float) -> None:
        self.agora += timedelta(**delta)


@pytest.fixture
async def bot_api(tg: FakeTelegram) -> AsyncIterator[Bot]:
    """A Bot on the fake API: a second 'process' sending, without polling; its pacer keeps no
    rate (the fake does not enforce Telegram's unless asked) but remembers 429s per chat."""
    ritmo = Ritmo(por_segundo=1000, privado=0.0, grupo=0.0)
    async with ExtBot(tg.token, base_url=tg.base_url, rate_limiter=Limitador(ritmo)) as bot:
        yield bot


def ritmo_de(bot: Bot) -> Ritmo:
    """The pacer every send of `bot` goes through."""
    assert isinstance(bot, ExtBot) and isinstance(bot.rate_limiter, Limitador)
    return bot.rate_limiter.ritmo


def entregador(database: Database, bot: Bot, relogio: Relogio, **kwargs: object) -> Entregador:
    return Entregador(
        database.sessions, TelegramTransporte(bot), por_segundo=1000, agora=relogio,
        espera_ociosa=0.05, recuo_base=0.0, **kwargs,  # type: ignore[arg-type]
    )  # fmt: skip


async def pessoas(
    tg: FakeTelegram, database: Database, n: int, *, base: int = 500_000
) -> list[int]:
    """n registered users (and their chats) without going through /start."""
    ids = [base + i for i in range(n)]
    for telegram_id in ids:
        tg.user(telegram_id, f"Pessoa {telegram_id}")
    async with database.sessions.begin() as session:
        session.add_all(  # with the team long before the tests' clock
            Usuario(telegram_id=i, nome=f"Pessoa {i}", criado_em=datetime(2026, 1, 1, tzinfo=UTC))
            for i in ids
        )
    return ids


async def escrever(database: Database, relogio: Relogio, *notas: Nota) -> None:
    async with database.sessions.begin() as session:
        await Caixa(database.sessions, agora=relogio).escrever(session, *notas)


async def ate_que(
    valor: Callable[[], Awaitable[object]], esperado: object, *, timeout: float = 5.0
) -> bool:
    """Poll until `valor()` equals `esperado` (the sender records just after Telegram answers)."""
    fim = asyncio.get_running_loop().time() + timeout
    while (atual := await valor()) != esperado:
        if asyncio.get_running_loop().time() > fim:
            raise AssertionError(f"still {atual!r}, expected {esperado!r}")
        await asyncio.sleep(0.02)
    return True


def nota(chat_id: int, texto: str, *, chave: str | None = None, tipo: str = "outro") -> Nota:
    return Nota(chave=chave or f"teste:{chat_id}:{texto}", tipo=tipo, chat_id=chat_id, texto=texto)


def recebidas(tg: FakeTelegram) -> Counter[tuple[int, str]]:
    return Counter(
        (c.params["chat_id"], c.params["text"])
        for c in tg.calls_to("sendMessage")
        if c.error is None
    )


async def status(database: Database) -> Counter[str]:
    async with database.sessions() as session:
        rows = await session.execute(select(Notificacao.status, func.count()).group_by("status"))
    return Counter({str(s): int(n) for s, n in rows.all()})


# -- the existing notices, now rows first --------------------------------------------------------


async def test_a_comment_notice_carries_the_comment_and_is_a_row_of_the_outbox(
    tg: FakeTelegram, bot: object, database: Database
) -> None:
    ana, gil = await registrar(tg, 101, "Ana"), await registrar(tg, 103, "Gil")
    await tornar_gestor(database, gil)
    numero = await abrir(ana, "Revisar contrato")

    tela = await gil.diz(f"/processo {numero}")
    await gil.toca(tela, "Comentar")
    await gil.diz("Cliente pediu <urgência> & prazo até sexta")

    aviso = await ana.ve("comentou")
    assert "Cliente pediu <urgência> & prazo até sexta" in aviso["text"]
    assert await ate_que(lambda: status(database), Counter({"enviada": 1}))
    async with database.sessions() as session:
        linha = await session.scalar(select(Notificacao).where(Notificacao.tipo == "processo"))
    assert linha is not None and linha.chat_id == ana.id


async def test_a_change_rolled_back_leaves_no_notice(
    tg: FakeTelegram, bot: object, database: Database
) -> None:
    ana, bruno = await registrar(tg, 101, "Ana"), await registrar(tg, 102, "Bruno")
    numero = await abrir(ana, "Sigiloso")
    # Bruno, a membro, may not comment on Ana's processo: the transaction is refused whole.
    resposta = await bruno.diz(f"/processo {numero}")
    assert "não encontr" in resposta["text"].lower()
    assert (await status(database)) == Counter()


# -- delivered once --------------------------------------------------------------------------


async def test_a_restart_between_due_and_sent_sends_once(
    tg: FakeTelegram, bot_api: Bot, database: Database
) -> None:
    relogio = Relogio()
    [ana] = await pessoas(tg, database, 1)
    await escrever(database, relogio, nota(ana, "Lembrete: reunião"))
    # The first process claims the row and dies before sending it.
    async with database.sessions.begin() as session:
        assert len(await repo.reivindicar(session, agora=relogio(), ate=relogio() + ARRENDAMENTO,
                                          limite=10)) == 1  # fmt: skip
    depois = entregador(database, bot_api, relogio)
    await depois.esvaziar()
    assert recebidas(tg) == Counter()  # still leased to the dead process

    relogio.avancar(seconds=ARRENDAMENTO.total_seconds())
    await depois.esvaziar()
    await entregador(database, bot_api, relogio).esvaziar()  # and a third start sends nothing

    assert recebidas(tg) == Counter({(ana, "Lembrete: reunião"): 1})
    assert await status(database) == Counter({"enviada": 1})


async def test_two_bot_processes_against_one_database_send_each_notice_once(
    tg: FakeTelegram, bot_api: Bot, database: Database
) -> None:
    relogio = Relogio()
    ids = await pessoas(tg, database, 60)
    await escrever(database, relogio, *(nota(i, f"Aviso {k}") for i in ids for k in range(3)))

    async with Bot(tg.token, base_url=tg.base_url) as outro:
        a = entregador(database, bot_api, relogio, max_faixas=7)
        b = entregador(database, outro, relogio, max_faixas=7)
        await asyncio.gather(a.esvaziar(), b.esvaziar())

    entregues = recebidas(tg)
    assert len(entregues) == 180 and set(entregues.values()) == {1}
    # Each chat got its three in order, whoever sent them.
    for i in ids:
        textos = [c.params["text"] for c in tg.calls_to("sendMessage") if c.params["chat_id"] == i]
        assert textos == ["Aviso 0", "Aviso 1", "Aviso 2"]


async def test_a_dedupe_key_written_twice_is_one_notice(
    tg: FakeTelegram, bot_api: Bot, database: Database
) -> None:
    relogio = Relogio()
    [ana] = await pessoas(tg, database, 1)
    await escrever(database, relogio, nota(ana, "Prazo amanhã", chave="prazo24h:2026-0042:x"))
    await escrever(database, relogio, nota(ana, "Prazo amanhã", chave="prazo24h:2026-0042:x"))
    await entregador(database, bot_api, relogio).esvaziar()
    assert recebidas(tg) == Counter({(ana, "Prazo amanhã"): 1})


# -- faults ----------------------------------------------------------------------------------


async def test_a_429_storm_delays_but_loses_nothing_and_pauses_only_that_chat(
    tg: FakeTelegram, bot_api: Bot, database: Database
) -> None:
    relogio = Relogio()
    ids = await pessoas(tg, database, 20)
    alvo = ids[0]
    tg.fail_next("sendMessage", error_code=429, description="Too Many Requests: retry after 30",
                 retry_after=30, chat_id=alvo, times=5)  # fmt: skip
    await escrever(database, relogio, *(nota(i, "Oi") for i in ids))
    enviador = entregador(database, bot_api, relogio)

    await enviador.esvaziar()
    assert len(recebidas(tg)) == 19  # everybody else at once; the flooded chat waits
    ritmo = ritmo_de(bot_api)
    assert ritmo.espera(alvo) > 25
    for _ in range(5):
        relogio.avancar(seconds=30)
        ritmo._livre.pop(alvo)  # the test moves time; the pacer's clock is real
        await enviador.esvaziar()

    assert recebidas(tg)[(alvo, "Oi")] == 1 and len(recebidas(tg)) == 20
    assert await status(database) == Counter({"enviada": 20})


async def test_flood_control_of_the_fake_is_met_by_the_pacer(
    tg: FakeTelegram, database: Database
) -> None:
    relogio = Relogio()
    [ana] = await pessoas(tg, database, 1)
    limites = tg.enforce_limits(FloodLimits(per_second=30, per_chat_per_second=1))
    await escrever(database, relogio, *(nota(ana, f"Parte {k}") for k in range(3)))
    async with ExtBot(tg.token, base_url=tg.base_url, rate_limiter=Limitador(Ritmo())) as bot:
        await Entregador(database.sessions, TelegramTransporte(bot), agora=relogio).esvaziar()
    momentos = [c.at for c in tg.calls_to("sendMessage")]
    assert limites.refused == 0 and len(momentos) == 3
    assert momentos[2] - momentos[0] >= 1.9  # one a second in a private chat


async def test_a_blocked_user_is_marked_inactive_and_skipped(
    tg: FakeTelegram, bot_api: Bot, database: Database
) -> None:
    relogio = Relogio()
    ana, bia = await pessoas(tg, database, 2)
    tg.block(ana)
    await escrever(database, relogio, nota(ana, "Um"), nota(ana, "Dois"), nota(bia, "Um"))
    await entregador(database, bot_api, relogio).esvaziar()

    async with database.sessions() as session:
        ativo = await session.scalar(select(Usuario.ativo).where(Usuario.telegram_id == ana))
        motivos = await session.scalars(
            select(Notificacao.motivo).where(Notificacao.chat_id == ana)
        )
        assert ativo is False and set(motivos) == {"bloqueado"}
    assert recebidas(tg) == Counter({(bia, "Um"): 1})
    assert len([c for c in tg.calls_to("sendMessage") if c.params["chat_id"] == ana]) == 1


async def test_transient_errors_are_retried_a_bounded_number_of_times_then_recorded(
    tg: FakeTelegram, bot_api: Bot, database: Database
) -> None:
    relogio = Relogio()
    ana, bia = await pessoas(tg, database, 2)
    tg.fail_next("sendMessage", error_code=502, description="Bad Gateway", chat_id=ana, times=99)
    tg.fail_next("sendMessage", error_code=502, description="Bad Gateway", chat_id=bia, times=2)
    await escrever(database, relogio, nota(ana, "Oi"), nota(bia, "Oi"))
    sender = entregador(database, bot_api, relogio)
    # The running sender loops for ever; `esvaziar` may return while a retry is being written
    # back (seen under CI load), so the test drives it as the loop would, a bounded number of
    # rounds, and then checks the outcome the loop reaches.
    for _ in range(20):
        await sender.esvaziar()
        async with database.sessions() as session:
            linhas = {n.chat_id: n for n in await session.scalars(select(Notificacao))}
        if all(n.status != "pendente" for n in linhas.values()):
            break
    assert linhas[bia].status == "enviada" and linhas[bia].tentativas == 2
    assert linhas[ana].status == "falhou" and linhas[ana].tentativas == 4
    assert "Bad Gateway" in (linhas[ana].motivo or "")
    assert len([c for c in tg.calls_to("sendMessage") if c.params["chat_id"] == ana]) == 5


async def test_a_long_notice_resumes_after_the_last_part_that_went_through(
    tg: FakeTelegram, bot_api: Bot, database: Database
) -> None:
    relogio = Relogio()
    [ana] = await pessoas(tg, database, 1)
    longo = "\n".join(f"linha {i} " + "x" * 90 for i in range(80))  # about two messages
    await escrever(database, relogio, nota(ana, longo))
    ok = len(tg.calls)
    tg.fail_next("sendMessage", error_code=502, description="Bad Gateway", chat_id=ana, after=1)
    await entregador(database, bot_api, relogio).esvaziar()

    textos = [
        c.params["text"] for c in tg.calls[ok:] if c.method == "sendMessage" and c.error is None
    ]
    assert "".join(textos).replace("\n", "") == longo.replace("\n", "")


async def test_a_queued_reply_goes_before_any_bulk_notice(
    tg: FakeTelegram, bot_api: Bot, database: Database
) -> None:
    relogio = Relogio()
    ids = await pessoas(tg, database, 31)
    await escrever(database, relogio, *(nota(i, "Anúncio", tipo="aviso") for i in ids[:-1]))
    caixa = Caixa(database.sessions, agora=relogio)
    await caixa.enfileirar_resposta(ids[-1], "Sua resposta <b>chegou</b>", chave="resposta:1")
    assert not await caixa.enfileirar_resposta(ids[-1], "de novo", chave="resposta:1")

    await entregador(database, bot_api, relogio, max_faixas=5).esvaziar()
    primeira = tg.calls_to("sendMessage")[0]
    assert (
        primeira.params["chat_id"] == ids[-1]
        and primeira.params["text"] == "Sua resposta <b>chegou</b>"
    )
    assert len(recebidas(tg)) == 31


async def test_a_user_who_returns_gets_notices_again(
    tg: FakeTelegram, bot: object, database: Database
) -> None:
    ana = await registrar(tg, 101, "Ana")
    async with database.sessions.begin() as session:
        await session.execute(
            update(Usuario).where(Usuario.telegram_id == ana.id).values(ativo=False)
        )
    await ana.diz("/start")
    async with database.sessions() as session:
        assert await session.scalar(select(Usuario.ativo).where(Usuario.telegram_id == ana.id))
