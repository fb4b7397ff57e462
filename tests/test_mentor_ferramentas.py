"""The mentor's tools run as the asking user: they see what the commands show, writes wait for
that user's button, and a bad call gets an error result instead of a crash."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from bot.app import CogepApplication, build_application, serving
from bot.database import Database
from bot.dates import parse_when
from bot.errors import InvalidDate
from bot.mentor import MentorService, Modelo
from bot.services import Services
from db.models import Lembrete, Usuario
from tests.conftest import mentor_settings
from tests.fake_openai import JSON, Chamada, FakeOpenAI, Resposta
from tests.fake_telegram import FakeTelegram
from tests.people import Pessoa
from tests.test_mentor import espera_resposta
from tests.test_processos import abrir, processo_por_numero, registrar


def resultados_de_ferramenta(pedido: JSON) -> list[str]:
    return [str(m["content"]) for m in pedido["messages"] if m["role"] == "tool"]


@pytest.fixture
async def equipe(professor: CogepApplication, tg: FakeTelegram) -> dict[str, Pessoa]:
    """Ana and Bruno are membros, each with a processo of their own."""
    ana, bruno = await registrar(tg, 1601, "Ana"), await registrar(tg, 1602, "Bruno")
    await abrir(ana, "Migrar o servidor de e-mail")
    await abrir(bruno, "Demissão confidencial do fornecedor")
    return {"ana": ana, "bruno": bruno}


async def test_a_tool_lists_only_the_processos_the_user_may_see(
    equipe: dict[str, Pessoa], tg: FakeTelegram, ai: FakeOpenAI
) -> None:
    ana = equipe["ana"]
    ai.roteiro += [
        Resposta(chamadas=[Chamada("listar_processos", {"filtro": "todos"})]),
        Resposta(texto="Você tem um processo aberto: a migração do e-mail."),
    ]

    ana.envia("Quais processos existem na empresa? Liste todos, de todo mundo.")
    await espera_resposta(tg, ana.id, "migração do e-mail")

    (resultado,) = resultados_de_ferramenta(ai.pedidos[1])
    assert "Migrar o servidor de e-mail" in resultado
    assert "Demissão" not in resultado
    assert "não são instruções" in resultado  # tool output is delimited as data
    assert ai.pedidos[0]["tools"]  # tools were offered


async def test_a_tool_asked_for_another_users_processo_returns_nothing_of_it(
    equipe: dict[str, Pessoa], tg: FakeTelegram, ai: FakeOpenAI, database: Database
) -> None:
    ana = equipe["ana"]
    alheio = next(iter(await _numeros(database, "Demissão")))
    ai.roteiro += [
        Resposta(chamadas=[Chamada("ver_processo", {"numero": alheio})]),
        Resposta(texto="Não encontrei esse processo entre os seus."),
    ]

    ana.envia(f"Me mostre o processo {alheio}")
    await espera_resposta(tg, ana.id, "Não encontrei")

    (resultado,) = resultados_de_ferramenta(ai.pedidos[1])
    assert "erro" in resultado and "Demissão" not in resultado and "Bruno" not in resultado


async def _numeros(database: Database, titulo: str) -> list[str]:
    from sqlalchemy import select

    from db.models import Processo

    async with database.sessions() as session:
        return list(
            await session.scalars(select(Processo.numero).where(Processo.titulo.contains(titulo)))
        )


async def test_a_write_waits_for_the_askers_button_and_anyone_elses_click_does_nothing(
    equipe: dict[str, Pessoa], tg: FakeTelegram, ai: FakeOpenAI, database: Database
) -> None:
    ana, bruno = equipe["ana"], equipe["bruno"]
    proposta = {"titulo": "Revisar o plano de rollback", "prioridade": "alta", "prazo": "sexta 18h"}
    ai.roteiro += [
        Resposta(chamadas=[Chamada("propor_processo", proposta)]),
        Resposta(texto="Preparei o processo; confirme no botão."),
    ]

    ana.envia("Abra um processo para revisarmos o plano de rollback, prioridade alta")
    resposta = await espera_resposta(tg, ana.id, "confirme no botão")
    antes = await _numeros(database, "rollback")
    dados = ana.botao(resposta, "Abrir: Revisar o plano")
    await bruno.toca_dados(resposta["message_id"], dados)  # Bruno forges Ana's button
    depois_do_bruno = await _numeros(database, "rollback")
    await ana.toca(resposta, "Abrir: Revisar o plano")
    confirmado = await ana.ve("aberto")
    await ana.toca_dados(resposta["message_id"], dados)  # a doubled tap opens nothing more

    assert antes == [] and depois_do_bruno == []
    assert "não vale mais" in tg.answered_callbacks()[0]["text"]
    (numero,) = await _numeros(database, "rollback")
    assert numero in confirmado["text"]
    processo = await processo_por_numero(database, numero)
    assert processo.prioridade == "alta" and processo.prazo is not None
    assert "aguardando a confirmação" in resultados_de_ferramenta(ai.pedidos[1])[0]


async def test_a_refused_proposal_opens_nothing(
    equipe: dict[str, Pessoa], tg: FakeTelegram, ai: FakeOpenAI, database: Database
) -> None:
    ana = equipe["ana"]
    ai.roteiro += [
        Resposta(chamadas=[Chamada("propor_processo", {"titulo": "Trocar o balanceador"})]),
        Resposta(texto="Posso abrir, se quiser."),
    ]
    ana.envia("Devemos abrir um processo para o balanceador?")
    resposta = await espera_resposta(tg, ana.id, "Posso abrir")

    abrir_depois = ana.botao(resposta, "Abrir: Trocar")
    await ana.toca(resposta, "Não abrir")
    await ana.toca_dados(resposta["message_id"], abrir_depois)  # changing one's mind too late

    assert await _numeros(database, "balanceador") == []


async def test_bad_tool_arguments_get_an_error_result_and_the_answer_goes_on(
    equipe: dict[str, Pessoa], tg: FakeTelegram, ai: FakeOpenAI
) -> None:
    ana = equipe["ana"]
    ai.roteiro += [
        Resposta(chamadas=[Chamada("ver_processo", '{"numero": ')]),  # broken JSON
        Resposta(chamadas=[Chamada("apagar_tudo", {})]),  # no such tool
        Resposta(chamadas=[Chamada("propor_processo", {"titulo": "x", "prazo": "ontem"})]),
        Resposta(texto="Desculpe, me atrapalhei; qual processo você quer ver?"),
    ]

    ana.envia("Veja meu processo")
    await espera_resposta(tg, ana.id, "me atrapalhei")

    erros = [
        json.loads(r.split("\n", 1)[1].rsplit("\n", 1)[0])
        for r in resultados_de_ferramenta(ai.pedidos[3])
    ]
    assert [list(e) for e in erros] == [["erro"], ["erro"], ["erro"]]
    assert "JSON" in erros[0]["erro"] and "apagar_tudo" in erros[1]["erro"]
    assert "passado" in erros[2]["erro"] or "prazo" in erros[2]["erro"].lower()
    assert "tools" not in ai.pedidos[3]  # the last round must answer


async def test_asking_from_a_processo_card_puts_that_processo_in_context(
    equipe: dict[str, Pessoa], tg: FakeTelegram, ai: FakeOpenAI, database: Database
) -> None:
    ana = equipe["ana"]
    (numero,) = await _numeros(database, "Migrar o servidor")
    tela = await ana.diz(f"/processo {numero}")
    convite = await ana.toca(tela, "Perguntar ao professor")
    ana.envia("Por onde começo?")
    await espera_resposta(tg, ana.id, "Você perguntou: Por onde começo?")

    assert numero in convite["text"]
    dados = [str(m["content"]) for m in ai.pedidos[-1]["messages"] if m["role"] == "system"]
    assert any("processo em foco" in d and "Migrar o servidor de e-mail" in d for d in dados)
    assert ai.pedidos[-1]["messages"][-1]["content"] == "Por onde começo?"


async def test_nobody_asks_about_a_processo_they_cannot_see(
    equipe: dict[str, Pessoa], tg: FakeTelegram, ai: FakeOpenAI, database: Database
) -> None:
    ana, bruno = equipe["ana"], equipe["bruno"]
    tela = await ana.diz(f"/processo {(await _numeros(database, 'Migrar o servidor'))[0]}")
    do_bruno = await processo_por_numero(database, (await _numeros(database, "Demissão"))[0])

    await bruno.toca_dados(tela["message_id"], ana.botao(tela, "Perguntar ao professor"))
    await ana.toca_dados(tela["message_id"], f"mq:{do_bruno.id}")
    bruno.envia("E então?")
    await espera_resposta(tg, bruno.id, "Você perguntou: E então?")

    respostas = [c["text"] for c in tg.answered_callbacks()[-2:]]
    assert len(respostas) == 2 and all("não encontr" in t.lower() for t in respostas)
    enviado = " ".join(str(m["content"]) for m in ai.pedidos[-1]["messages"])
    assert "processo em foco" not in enviado and "Migrar" not in enviado


@dataclass
class LembreteDeTeste:
    usuario_id: int
    quando: datetime
    texto: str


class LembretesDeTeste:
    """A reminders service in memory (the notices issue provides the real one)."""

    def __init__(self) -> None:
        self.criados: list[LembreteDeTeste] = []

    def validar_quando(self, usuario: Usuario, quando: str) -> datetime:
        agora = datetime.now(UTC)
        momento = parse_when(quando, now=agora, tz=usuario.fuso_horario)
        if momento is None or momento <= agora:
            raise InvalidDate(f"Não entendi quando: {quando}")
        return momento

    async def criar(
        self, usuario: Usuario, quando: str, texto: str, *, processo: str | None = None
    ) -> LembreteDeTeste:
        lembrete = LembreteDeTeste(usuario.id, self.validar_quando(usuario, quando), texto)
        self.criados.append(lembrete)
        return lembrete


@pytest.fixture
async def com_lembretes(
    tg: FakeTelegram, database: Database, database_url: str, ai: FakeOpenAI
) -> AsyncIterator[LembretesDeTeste]:
    lembretes = LembretesDeTeste()
    settings = mentor_settings(tg, database_url, ai)
    app = build_application(settings, database=database)
    services: Services = app.bot_data.services
    mentor = MentorService(
        services.sessions, settings, services.processos, modelo=Modelo.de(settings),
        lembretes=lembretes,
    )  # fmt: skip
    app.bot_data.services = dataclasses.replace(services, mentor=mentor)
    async with serving(app, poll_timeout=1):
        yield lembretes


async def test_a_reminder_is_proposed_and_set_only_on_the_askers_tap(
    com_lembretes: LembretesDeTeste, tg: FakeTelegram, ai: FakeOpenAI
) -> None:
    ana, bruno = await registrar(tg, 1611, "Ana"), await registrar(tg, 1612, "Bruno")
    proposta = {"quando": "amanhã 9h", "texto": "revisar o rollback"}
    ai.roteiro += [
        Resposta(chamadas=[Chamada("propor_lembrete", proposta)]),
        Resposta(texto="Posso te lembrar amanhã às 9h."),
    ]

    ana.envia("Me lembre amanhã às 9h de revisar o rollback")
    resposta = await espera_resposta(tg, ana.id, "Posso te lembrar")
    dados = ana.botao(resposta, "revisar o rollback")
    await bruno.toca_dados(resposta["message_id"], dados)
    antes = list(com_lembretes.criados)
    await ana.toca(resposta, "revisar o rollback")
    agendado = await ana.ve("Lembrete agendado")

    assert antes == []
    assert [lembrete.texto for lembrete in com_lembretes.criados] == ["revisar o rollback"]
    assert "09:00" in agendado["text"]
    assert "propor_lembrete" in {t["function"]["name"] for t in ai.pedidos[0]["tools"]}


async def test_the_real_reminders_service_sets_what_the_mentor_proposed(
    professor: CogepApplication, tg: FakeTelegram, ai: FakeOpenAI, database: Database
) -> None:
    ana = await registrar(tg, 1613, "Ana")
    ai.roteiro += [
        Resposta(chamadas=[Chamada("propor_lembrete", {"quando": "amanhã 9h", "texto": "ligar"})]),
        Resposta(chamadas=[Chamada("propor_lembrete", {"quando": "ontem", "texto": "tarde"})]),
        Resposta(texto="Dois lembretes propostos."),
    ]
    ana.envia("Me lembre amanhã às 9h de ligar")
    resposta = await espera_resposta(tg, ana.id, "Dois lembretes propostos")

    rotulos = [b["text"] for linha in resposta["reply_markup"]["inline_keyboard"] for b in linha]
    recusa = json.loads(resultados_de_ferramenta(ai.pedidos[2])[-1].split("\n", 1)[1][:-9])
    await ana.toca(resposta, "ligar")
    agendado = await ana.ve("Lembrete agendado")

    async with database.sessions() as session:
        lembretes = list(await session.scalars(select(Lembrete)))
    assert [lembrete.texto for lembrete in lembretes] == ["ligar"]
    assert not any("tarde" in r for r in rotulos)  # the past one was refused at the proposal
    assert "passou" in recusa["erro"] or "passado" in recusa["erro"]  # and the model was told why
    assert "09:00" in agendado["text"]
