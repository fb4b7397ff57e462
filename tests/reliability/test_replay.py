"""Every change a person can make, replayed after a crash, is made once and told truthfully.

The crash that matters: the change was committed, then the process died while the reply was in
flight, before the update was marked done. At the next start the inbox hands the update over
again. Each case below makes one change; the test then puts its update back in the inbox (as
the crash leaves it) and replays it through the inbox's own start-up path. The person must read
"já tinha sido feito" and the database must not change at all.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import pytest
from aiohttp import web
from sqlalchemy import func, select, text, update

from bot.app import CogepApplication, build_application, serving
from bot.database import Database
from bot.entrada.porta import Porta
from bot.services import Services
from db.models import Contato, Lembrete, Mensagem, UpdateRecebido, Usuario
from tests.conftest import ADMIN_ID, mentor_settings
from tests.fake_openai import Chamada, FakeOpenAI, Resposta
from tests.fake_telegram import FakeTelegram
from tests.people import Pessoa
from tests.test_conhecimento_chat import PRONTO, envia_arquivo
from tests.test_contatos import contato_pronto
from tests.test_processos import NUMERO

JA_FEITO = "já tinha sido feito"
# What each table shows of a change; None: every column. Left out: the inbox itself, what
# background loops move on their own (delivery status, ingestion progress, chunks).
VISTO: dict[str, tuple[str, ...] | None] = {
    "fluxos": None,
    "usuarios": None,
    "avisos": ("id", "autor_id", "texto"),
    "contatos": None,
    "documentos": ("id", "titulo", "origem", "referencia", "privado", "enviado_por_id"),
    "grupos": None,
    "mentor_acoes": None,
    "notificacoes": ("chave",),
    "processos": None,
    "lembretes": None,
    "mensagens": None,
    "processo_eventos": None,
}


@dataclass
class Cena:
    """The team and the bot one case plays in."""

    tg: FakeTelegram
    database: Database
    app: CogepApplication
    ai: FakeOpenAI
    ana: Pessoa  # a membro
    chefe: Pessoa  # the admin
    pagina: str  # an intranet page the bot may fetch

    async def processo(self, titulo: str = "Revisar contrato") -> tuple[str, dict[str, Any]]:
        """A new processo of Ana's: its number and its screen."""
        criado = await self.ana.diz(f"/novo {titulo}")
        match = NUMERO.search(criado["text"])
        assert match is not None, criado["text"]
        return match.group(0), await self.ana.diz(f"/processo {match.group(0)}")


Caso = Callable[[Cena], Awaitable[Any]]


async def novo_numa_linha(c: Cena) -> None:
    await c.ana.diz("/novo Migrar o servidor de e-mail")


async def novo_guiado(c: Cena) -> None:
    await c.ana.diz("/novo")
    await c.ana.diz("Migração do servidor de e-mail")
    await c.ana.diz("Trocar o Postfix pelo serviço novo")
    prioridade = await c.ana.diz("30/12 14:00")
    contato = await c.ana.toca(prioridade, "alta")
    await c.ana.toca(contato, "Pular")


async def status(c: Cena) -> None:
    _, tela = await c.processo()
    await c.ana.toca(tela, "Iniciar")


async def comentario(c: Cena) -> None:
    _, tela = await c.processo()
    await c.ana.toca(tela, "Comentar")
    await c.ana.diz("Contrato revisado com o cliente")


async def prazo(c: Cena) -> None:
    _, tela = await c.processo()
    await c.ana.toca(tela, "Prazo")
    await c.ana.diz("30/12 14:00")


async def cancelar_processo(c: Cena) -> None:
    _, tela = await c.processo()
    pergunta = await c.ana.toca(tela, "Cancelar")
    await c.ana.toca(pergunta, "Sim, cancelar")


async def prioridade(c: Cena) -> None:
    _, tela = await c.processo()
    escolha = await c.ana.toca(tela, "Prioridade")
    await c.ana.toca(escolha, "urgente")


async def atribuir(c: Cena) -> None:
    numero, _ = await c.processo()
    tela = await c.chefe.diz(f"/processo {numero}")
    escolha = await c.chefe.toca(tela, "Atribuir")
    await c.chefe.toca(escolha, "Ana")


async def vincular_contato(c: Cena) -> None:
    async with c.database.sessions.begin() as session:
        session.add(Contato(nome="Maria Bonita", empresa="Acme"))
    _, tela = await c.processo()
    await c.ana.toca(tela, "Contato")
    await c.ana.diz("Maria Bonita")


async def contato_novo(c: Cena) -> None:
    await contato_pronto(c.ana, "Maria da Silva", "Acme Ltda")


async def cancelar_formulario(c: Cena) -> None:
    await c.ana.diz("/novo")
    await c.ana.diz("/cancelar")


async def lembrar(c: Cena) -> None:
    await c.ana.diz("/lembrar amanhã 9h revisar o PR")


async def cancelar_lembrete(c: Cena) -> None:
    await c.ana.diz("/lembrar amanhã 9h revisar o PR")
    lista = await c.ana.diz("/lembretes")
    await c.ana.toca(lista, "❌ 1")


async def adiar_lembrete(c: Cena) -> None:
    await c.ana.diz("/lembrar em 10 minutos ligar pro cliente")
    async with c.database.sessions.begin() as session:  # ten minutes pass
        await session.execute(update(Lembrete).values(quando=datetime.now(UTC)))
    services: Services = c.app.bot_data.services
    await services.lembretes.disparar_devidos()
    disparo = await c.ana.ve("⏰ Lembrete\nligar pro cliente")
    await c.ana.toca(disparo, "1 h")


async def documento(c: Cena) -> None:
    await envia_arquivo(c.ana, "notas.txt", b"Backups diarios guardados por trinta dias.\n" * 20,
                        mime="text/plain")  # fmt: skip
    await c.ana.ve(PRONTO, timeout=20)


async def ingerir_url(c: Cena) -> None:
    await c.ana.diz(f"/ingerir {c.pagina}")
    await c.ana.ve(PRONTO, timeout=20)


async def aviso_rascunho(c: Cena) -> None:
    await c.chefe.diz("/aviso Amanhã não haverá expediente")


async def aviso_enviado(c: Cena) -> None:
    previa = await c.chefe.diz("/aviso Amanhã não haverá expediente")
    await c.chefe.toca(previa, "Enviar")
    await c.ana.ve("não haverá expediente")


async def perfil_nome(c: Cena) -> None:
    cartao = await c.ana.diz("/perfil")
    await c.ana.toca(cartao, "Nome")
    await c.ana.diz("Ana Souza")


async def notificacoes_desligar(c: Cena) -> None:
    tela = await c.ana.diz("/notificacoes")
    await c.ana.toca(tela, "Desligar tudo")


async def papel(c: Cena) -> None:
    await c.chefe.diz(f"/papel {c.ana.id} gestor")


async def acesso(c: Cena) -> None:
    await c.chefe.diz(f"/acesso {c.ana.id} revogar")


async def autorizar_grupo(c: Cena) -> None:
    grupo = c.tg.group(-1001, "Equipe de infra")
    await c.chefe.diz("/autorizar", chat=grupo)


async def nova_conversa(c: Cena) -> None:
    async with c.database.sessions.begin() as session:
        usuario_id = await session.scalar(select(Usuario.id).where(Usuario.telegram_id == c.ana.id))
        session.add(Mensagem(chat_id=c.ana.id, usuario_id=usuario_id, papel="usuario", texto="oi"))
    await c.ana.diz("/nova_conversa")


async def confirmar_proposta(c: Cena) -> None:
    proposta = {"titulo": "Revisar o plano de rollback", "prioridade": "alta"}
    c.ai.roteiro += [
        Resposta(chamadas=[Chamada("propor_processo", proposta)]),
        Resposta(texto="Preparei o processo; confirme no botão."),
    ]
    resposta = await c.ana.diz("Abra um processo para revisarmos o rollback")
    resposta = await c.ana.ve("confirme no botão", timeout=10)
    await c.ana.toca(resposta, "Abrir: Revisar o plano")
    await c.ana.ve("aberto")


async def recusar_proposta(c: Cena) -> None:
    c.ai.roteiro += [
        Resposta(chamadas=[Chamada("propor_processo", {"titulo": "Revisar o rollback"})]),
        Resposta(texto="Preparei o processo; confirme no botão."),
    ]
    await c.ana.diz("Abra um processo para revisarmos o rollback")
    resposta = await c.ana.ve("confirme no botão", timeout=10)
    await c.ana.toca(resposta, "Não abrir")


CASOS: dict[str, Caso] = {
    "/novo in one line": novo_numa_linha,
    "/novo guided, last answer": novo_guiado,
    "status button": status,
    "cancel confirmed": cancelar_processo,
    "comment": comentario,
    "deadline": prazo,
    "priority button": prioridade,
    "assign button": atribuir,
    "contact linked to a processo": vincular_contato,
    "/contato novo, last answer": contato_novo,
    "/cancelar a form": cancelar_formulario,
    "/lembrar": lembrar,
    "reminder cancel button": cancelar_lembrete,
    "reminder snooze button": adiar_lembrete,
    "document upload": documento,
    "/ingerir a URL": ingerir_url,
    "/aviso draft": aviso_rascunho,
    "/aviso send button": aviso_enviado,
    "/perfil name": perfil_nome,
    "/notificacoes switch": notificacoes_desligar,
    "/papel": papel,
    "/acesso": acesso,
    "/autorizar": autorizar_grupo,
    "/nova_conversa": nova_conversa,
    "mentor proposal confirmed": confirmar_proposta,
    "mentor proposal refused": recusar_proposta,
}


@pytest.fixture
async def pagina() -> AsyncIterator[str]:
    """An intranet page, for /ingerir."""
    html = "<html><head><title>Backups</title></head><body><main><p>Os backups diários são "
    html += "guardados por trinta dias.</p></main></body></html>"

    async def servir(request: web.Request) -> web.Response:
        return web.Response(text=html, content_type="text/html")

    app = web.Application()
    app.router.add_get("/backups", servir)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    porta = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    yield f"http://127.0.0.1:{porta}/backups"
    await runner.cleanup()


@pytest.fixture
async def cena(
    tg: FakeTelegram, database: Database, database_url: str, ai: FakeOpenAI, pagina: str
) -> AsyncIterator[Cena]:
    settings = mentor_settings(tg, database_url, ai, COGEP_INGEST_PERMITIR_REDE_LOCAL=True)
    app = build_application(settings, database=database)
    async with serving(app, poll_timeout=1):
        chefe = Pessoa(tg, ADMIN_ID, "Chefe")
        ana = Pessoa(tg, 101, "Ana")
        await chefe.diz("/start")
        await ana.diz("/start")
        yield Cena(tg, database, app, ai, ana, chefe, pagina)


@pytest.mark.parametrize("caso", list(CASOS.values()), ids=list(CASOS))
async def test_a_change_replayed_after_a_crash_is_made_once_and_told(
    cena: Cena, caso: Caso
) -> None:
    await caso(cena)
    antes = await _retrato(cena.database)

    resposta = await _repetir_o_ultimo_update(cena)

    assert JA_FEITO in resposta
    assert await _retrato(cena.database) == antes


async def _retrato(database: Database) -> dict[str, list[str]]:
    """What every table shows of the changes people made."""
    retrato = {}
    async with database.sessions() as session:
        for tabela, colunas in VISTO.items():
            linha = f"ROW({', '.join(colunas)})" if colunas else "t"
            rows = await session.scalars(text(f"SELECT {linha}::text FROM {tabela} t ORDER BY 1"))
            retrato[tabela] = list(rows)
    return retrato


async def _repetir_o_ultimo_update(c: Cena) -> str:
    """Leave the last update as a crash after its COMMIT would, replay it; the reply."""
    await _tudo_concluido(c.database)
    async with c.database.sessions() as session:
        ultimo = await session.scalar(select(func.max(UpdateRecebido.update_id)))
        await session.execute(
            update(UpdateRecebido)
            .where(UpdateRecebido.update_id == ultimo)
            .values(concluido_em=None, dono=None)  # unfinished, its process gone
        )
    desde = len(c.tg.calls)
    porta: Porta = c.app.bot.porta
    assert await porta.reprocessar(c.app.bot, c.app.update_queue) == 1

    def resposta() -> str | None:
        for call in c.tg.calls[desde:]:
            if call.method in ("sendMessage", "answerCallbackQuery"):
                texto = str(call.params.get("text") or "")
                if texto:
                    return texto
        return None

    dito = await c.tg.wait_for(resposta, timeout=10)
    await _tudo_concluido(c.database)
    return dito


async def _tudo_concluido(database: Database) -> None:
    """Wait until every update is marked done (the marks are written shortly after)."""
    for _ in range(100):
        async with database.sessions() as session:
            restantes = await session.scalar(
                select(func.count()).where(UpdateRecebido.concluido_em.is_(None))
            )
        if not restantes:
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f"{restantes} update(s) never marked done")
