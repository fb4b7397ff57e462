"""Processos from the chat: open, list, show, move, assign, comment, search — and who sees what."""

from __future__ import annotations

import asyncio
import re
import time
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select, update

from bot.app import CogepApplication, build_application, serving
from bot.database import Database
from bot.processos.linha import Rascunho
from db.models import Processo, ProcessoEvento, Usuario
from tests.conftest import make_settings
from tests.fake_telegram import FakeTelegram
from tests.people import Pessoa

NUMERO = re.compile(r"\b(\d{4}-\d{4,})\b")
SP = ZoneInfo("America/Sao_Paulo")


async def registrar(tg: FakeTelegram, user_id: int, nome: str) -> Pessoa:
    pessoa = Pessoa(tg, user_id, nome)
    await pessoa.diz("/start")
    return pessoa


async def tornar_gestor(database: Database, pessoa: Pessoa) -> None:
    async with database.sessions.begin() as session:
        await session.execute(
            update(Usuario).where(Usuario.telegram_id == pessoa.id).values(papel="gestor")
        )


async def processo_por_numero(database: Database, numero: str) -> Processo:
    async with database.sessions() as session:
        processo = await session.scalar(select(Processo).where(Processo.numero == numero))
    assert processo is not None
    return processo


async def eventos(database: Database, processo_id: int) -> list[tuple[str, str | None]]:
    async with database.sessions() as session:
        rows = await session.execute(
            select(ProcessoEvento.tipo, ProcessoEvento.para)
            .where(ProcessoEvento.processo_id == processo_id)
            .order_by(ProcessoEvento.id)
        )
    return [(tipo, para) for tipo, para in rows]


async def abrir(pessoa: Pessoa, linha: str) -> str:
    reply = await pessoa.diz(f"/novo {linha}")
    match = NUMERO.search(reply["text"])
    assert match, reply["text"]
    return match.group(1)


@pytest.fixture
async def equipe(bot: CogepApplication, tg: FakeTelegram, database: Database) -> dict[str, Pessoa]:
    """Ana and Bruno are membros, Gil is a gestor."""
    pessoas = {
        "ana": await registrar(tg, 201, "Ana"),
        "bruno": await registrar(tg, 202, "Bruno"),
        "gil": await registrar(tg, 203, "Gil"),
    }
    await tornar_gestor(database, pessoas["gil"])
    return pessoas


async def test_a_membro_opens_a_processo_step_by_step(
    equipe: dict[str, Pessoa], database: Database
) -> None:
    ana = equipe["ana"]

    assert "título" in (await ana.diz("/novo"))["text"]
    assert "Descreva" in (await ana.diz("Migração do servidor de e-mail"))["text"]
    prazo_q = await ana.diz("Trocar o Postfix pelo serviço novo")
    assert "prazo" in prazo_q["text"]
    prioridade_q = await ana.diz("30/12 14:00")
    contato_q = await ana.toca(prioridade_q, "alta")
    assert "contato" in contato_q["text"].lower()
    criado = await ana.toca(contato_q, "Pular")

    numero = NUMERO.search(criado["text"])
    assert numero, criado["text"]
    processo = await processo_por_numero(database, numero.group(1))
    assert processo.titulo == "Migração do servidor de e-mail"
    assert processo.descricao == "Trocar o Postfix pelo serviço novo"
    assert processo.prioridade == "alta" and processo.status == "aberto"
    assert processo.prazo is not None
    assert processo.prazo.astimezone(SP).strftime("%d/%m %H:%M") == "30/12 14:00"
    assert await eventos(database, processo.id) == [("criado", None)]


async def test_a_membro_opens_a_processo_in_one_line(
    equipe: dict[str, Pessoa], database: Database
) -> None:
    numero = await abrir(
        equipe["ana"], "Migrar servidor de e-mail | prazo sexta 18h | prioridade alta"
    )

    processo = await processo_por_numero(database, numero)
    assert processo.titulo == "Migrar servidor de e-mail"
    assert processo.prioridade == "alta"
    assert processo.prazo is not None
    local = processo.prazo.astimezone(SP)
    assert (local.weekday(), local.hour, local.minute) == (4, 18, 0)
    assert numero.startswith(f"{datetime.now(SP).year}-")


async def test_the_whole_life_of_a_processo_is_in_its_history(
    equipe: dict[str, Pessoa], tg: FakeTelegram, database: Database
) -> None:
    ana, bruno, gil = equipe["ana"], equipe["bruno"], equipe["gil"]
    numero = await abrir(ana, "Integrar ERP do cliente")

    tela = await gil.diz(f"/processo {numero}")
    escolha = await gil.toca(tela, "Atribuir")
    atribuido = await gil.toca(escolha, "Bruno")
    assert "Bruno" in atribuido["text"]
    aviso_ana = await ana.ve("atribuiu a")
    assert numero in aviso_ana["text"] and "atribuiu a Bruno" in aviso_ana["text"]
    assert "Gil atribuiu a você" in (await bruno.ve("atribuiu a"))["text"]

    tela = await bruno.diz(f"/processo {numero}")
    assert "Responsável: Bruno" in tela["text"]
    tela = await bruno.toca(tela, "Iniciar")
    pergunta = await bruno.toca(tela, "Comentar")
    assert "comentário" in pergunta["text"]
    await bruno.diz("Contrato revisado com o <cliente> & time")
    tela = await bruno.diz(f"/processo {numero}")
    final = await bruno.toca(tela, "Concluir")

    assert "concluído" in final["text"].lower()
    await ana.ve("concluído")
    processo = await processo_por_numero(database, numero)
    assert processo.status == "concluido" and processo.concluido_em is not None
    assert await eventos(database, processo.id) == [
        ("criado", None),
        ("responsavel", "Bruno"),
        ("status", "em_andamento"),
        ("comentario", None),
        ("status", "concluido"),
    ]
    historico = (await ana.diz(f"/processo {numero}"))["text"]
    for trecho in ("abriu o processo", "atribuiu a Bruno", "em andamento", "<cliente> & time"):
        assert trecho in historico


async def test_a_slow_notice_does_not_hold_up_the_reply_and_is_not_lost(
    equipe: dict[str, Pessoa], tg: FakeTelegram
) -> None:
    ana, gil = equipe["ana"], equipe["gil"]
    numero = await abrir(ana, "Atualizar o antivírus")
    tela = await gil.diz(f"/processo {numero}")
    escolha = await gil.toca(tela, "Atribuir")
    # Telegram makes the notice to Ana wait two seconds (flood control on her chat).
    tg.fail_next("sendMessage", error_code=429, description="Too Many Requests: retry after 2",
                 retry_after=2, chat_id=ana.id)  # fmt: skip

    inicio = time.monotonic()
    atribuido = await gil.toca(escolha, "Gil")
    resposta_em = time.monotonic() - inicio
    aviso = await ana.ve("atribuiu a", timeout=10)

    assert "Responsável: Gil" in atribuido["text"] and resposta_em < 1.5
    assert numero in aviso["text"]


async def test_another_membro_cannot_see_it_anywhere(
    equipe: dict[str, Pessoa], database: Database
) -> None:
    ana, bruno = equipe["ana"], equipe["bruno"]
    numero = await abrir(ana, "Contrato sigiloso da Acme")
    processo = await processo_por_numero(database, numero)

    by_number = await bruno.diz(f"/processo {numero}")
    by_short = await bruno.diz(f"/processo {processo.sequencia}")
    by_list = await bruno.diz("/processos todos")
    by_search = await bruno.diz("/buscar sigiloso")
    forged = {}
    for acao in ("pv", "ps:{}:e:0", "ps:{}:x:0", "ps:{}:x:0:ok", "pi", "pi:{}:urgente", "pc", "pp",
                 "pk"):  # fmt: skip
        data = acao.format(processo.id) if "{}" in acao else f"{acao}:{processo.id}"
        await bruno.toca_dados(by_list["message_id"], data)
        forged[data] = bruno.tg.answered_callbacks()[-1].get("text", "")

    assert "não encontrado" in by_number["text"] and "não encontrado" in by_short["text"]
    assert numero not in by_list["text"] and "Acme" not in by_list["text"]
    assert "Nada encontrado" in by_search["text"]
    assert {d: a for d, a in forged.items() if "não encontrado" not in a} == {}
    depois = await processo_por_numero(database, numero)
    assert (depois.status, depois.prioridade) == ("aberto", processo.prioridade)
    assert await eventos(database, processo.id) == [("criado", None)]
    assert numero in (await equipe["gil"].diz("/processos todos"))["text"]


async def test_illegal_transitions_are_refused(
    equipe: dict[str, Pessoa], database: Database
) -> None:
    ana = equipe["ana"]
    numero = await abrir(ana, "Ajustar backup")
    processo = await processo_por_numero(database, numero)
    tela = await ana.diz(f"/processo {numero}")

    assert not any("Concluir" in b for b in ana.botoes(tela))
    versao = ana.botao(tela, "Iniciar").split(":")[-1]
    await ana.toca_dados(tela["message_id"], f"ps:{processo.id}:c:{versao}")

    answer = ana.tg.answered_callbacks()[-1]
    assert "Não é possível passar de aberto para concluído" in answer.get("text", "")
    assert (await processo_por_numero(database, numero)).status == "aberto"


async def test_a_stale_button_shows_the_fresh_state(
    equipe: dict[str, Pessoa], database: Database
) -> None:
    ana, gil = equipe["ana"], equipe["gil"]
    numero = await abrir(ana, "Revisar firewall")
    old_screen = await ana.diz(f"/processo {numero}")
    gil_screen = await gil.diz(f"/processo {numero}")
    confirmar = await gil.toca(gil_screen, "Cancelar")
    await gil.toca(confirmar, "Sim, cancelar")

    fresh = await ana.toca(old_screen, "Iniciar")

    assert "não vale mais" in ana.tg.answered_callbacks()[-1].get("text", "")
    assert "cancelado" in fresh["text"]
    assert (await processo_por_numero(database, numero)).status == "cancelado"


async def test_cancelling_asks_once_more_and_can_be_undone_before_confirming(
    equipe: dict[str, Pessoa], database: Database
) -> None:
    ana = equipe["ana"]
    numero = await abrir(ana, "Trocar certificado TLS")
    tela = await ana.diz(f"/processo {numero}")

    pergunta = await ana.toca(tela, "Cancelar")
    assert "definitivo" in ana.tg.answered_callbacks()[-1].get("text", "")
    assert ana.botoes(pergunta) == ["🚫 Sim, cancelar", "↩️ Não, voltar"]
    assert (await processo_por_numero(database, numero)).status == "aberto"

    de_volta = await ana.toca(pergunta, "Não, voltar")
    assert "Iniciar" in " ".join(ana.botoes(de_volta))
    assert (await processo_por_numero(database, numero)).status == "aberto"

    pergunta = await ana.toca(de_volta, "Cancelar")
    forjado = ana.botao(pergunta, "Sim, cancelar").removesuffix(":ok") + ":talvez"
    await ana.toca_dados(pergunta["message_id"], forjado)
    assert (await processo_por_numero(database, numero)).status == "aberto"

    final = await ana.toca(pergunta, "Sim, cancelar")
    assert "cancelado" in final["text"]
    assert (await processo_por_numero(database, numero)).status == "cancelado"


async def test_priority_changes_from_the_detail_screen(
    equipe: dict[str, Pessoa], database: Database
) -> None:
    ana = equipe["ana"]
    numero = await abrir(ana, "Atualizar dependências")
    tela = await ana.diz(f"/processo {numero}")

    escolha = await ana.toca(tela, "Prioridade")
    opcoes = [b.split()[-1] for b in ana.botoes(escolha)]
    assert opcoes == ["baixa", "normal", "alta", "urgente", "Voltar"]
    depois = await ana.toca(escolha, "urgente")
    pid = (await processo_por_numero(database, numero)).id
    await ana.toca_dados(depois["message_id"], f"pi:{pid}:gigante")

    assert "mudou a prioridade: normal → urgente" in depois["text"]
    assert "Iniciar" in " ".join(ana.botoes(depois))
    assert "prioridade" in ana.tg.answered_callbacks()[-1].get("text", "").lower()
    assert (await processo_por_numero(database, numero)).prioridade == "urgente"


async def test_title_and_description_can_be_corrected(
    equipe: dict[str, Pessoa], database: Database
) -> None:
    ana = equipe["ana"]
    numero = await abrir(ana, "Migrar servidr de email")
    tela = await ana.diz(f"/processo {numero}")

    escolha = await ana.toca(tela, "Editar")
    assert ana.botoes(escolha) == ["✏️ Título", "📝 Descrição", "↩️ Voltar"]
    await ana.toca(escolha, "Título")
    vazio = await ana.diz("   ")
    longo = await ana.diz("x" * 5000)
    renomeado = await ana.diz("Migrar servidor de <e-mail>")
    await ana.toca(renomeado, "Editar")
    await ana.toca(renomeado, "Descrição")
    descrito = await ana.diz("Trocar o Postfix\npelo serviço novo")
    await ana.toca(descrito, "Editar")
    await ana.toca(descrito, "Descrição")
    apagado = await ana.diz("sem descrição")

    assert "título" in vazio["text"].lower() and "5000" in longo["text"]
    assert "Migrar servidor de <e-mail>" in renomeado["text"].splitlines()[0]
    assert "mudou o título para Migrar servidor de <e-mail>" in renomeado["text"]
    assert "Trocar o Postfix\npelo serviço novo" in descrito["text"]
    assert "apagou a descrição" in apagado["text"]
    processo = await processo_por_numero(database, numero)
    assert (processo.titulo, processo.descricao) == ("Migrar servidor de <e-mail>", None)
    assert [tipo for tipo, _ in await eventos(database, processo.id)] == [
        "criado", "titulo", "descricao", "descricao",
    ]  # fmt: skip
    assert numero in (await ana.diz("/buscar servidor"))["text"]


async def test_an_old_skip_button_skips_only_its_own_question(
    equipe: dict[str, Pessoa], database: Database
) -> None:
    ana = equipe["ana"]
    await ana.diz("/novo")
    descricao_q = await ana.diz("Trocar switch do andar 2")
    prazo_q = await ana.toca(descricao_q, "Pular")

    prioridade_q = await ana.toca(prazo_q, "Pular")
    await ana.toca(prazo_q, "Pular")  # a double tap on the same button
    repetido = ana.tg.answered_callbacks()[-1].get("text", "")
    await ana.toca(descricao_q, "Pular")  # and a tap on an older question

    assert "prioridade" in prioridade_q["text"].lower()
    assert "já passou" in repetido and "já passou" in ana.tg.answered_callbacks()[-1]["text"]
    criado = await ana.toca(prioridade_q, "alta")
    criado = await ana.toca(criado, "Pular")
    numero = NUMERO.search(criado["text"])
    assert numero, criado["text"]
    assert (await processo_por_numero(database, numero.group(1))).prioridade == "alta"


async def test_reassigning_tells_the_previous_responsavel_and_nobody_is_an_option(
    equipe: dict[str, Pessoa], database: Database
) -> None:
    ana, bruno, gil = equipe["ana"], equipe["bruno"], equipe["gil"]
    numero = await abrir(ana, "Renovar domínio")
    tela = await gil.diz(f"/processo {numero}")
    await gil.toca(await gil.toca(tela, "Atribuir"), "Bruno")
    await bruno.ve("atribuiu a você")

    escolha = await gil.toca(tela, "Atribuir")
    assert "• Bruno" in gil.botoes(escolha)
    await gil.toca(escolha, "Ninguém")
    aviso_bruno = await bruno.ve("sem responsável")

    assert numero in aviso_bruno["text"]
    processo = await processo_por_numero(database, numero)
    assert processo.responsavel_id is None
    assert await eventos(database, processo.id) == [
        ("criado", None), ("responsavel", "Bruno"), ("responsavel", None),
    ]  # fmt: skip


async def test_a_cancelled_processo_takes_comments_but_no_more_changes(
    equipe: dict[str, Pessoa], database: Database
) -> None:
    ana = equipe["ana"]
    numero = await abrir(ana, "Ideia descartada")
    processo = await processo_por_numero(database, numero)
    tela = await ana.diz(f"/processo {numero}")
    cancelado = await ana.toca(await ana.toca(tela, "Cancelar"), "Sim, cancelar")

    assert ana.botoes(cancelado) == ["💬 Comentar", "🔄 Atualizar", "🎓 Perguntar ao professor"]
    await ana.toca_dados(cancelado["message_id"], f"pi:{processo.id}:urgente")
    assert "foi cancelado" in ana.tg.answered_callbacks()[-1].get("text", "")
    await ana.toca(cancelado, "Comentar")
    comentado = await ana.diz("Motivo: o cliente desistiu")
    assert "o cliente desistiu" in comentado["text"]
    assert (await processo_por_numero(database, numero)).prioridade == "normal"


async def test_changes_that_change_nothing_leave_no_trace(
    equipe: dict[str, Pessoa], database: Database
) -> None:
    ana = equipe["ana"]
    numero = await abrir(ana, "Revisar backups | prioridade alta")
    processo = await processo_por_numero(database, numero)
    tela = await ana.diz(f"/processo {numero}")

    escolha = await ana.toca(tela, "Prioridade")
    assert "• 🔸 alta" in ana.botoes(escolha)
    await ana.toca(escolha, "alta")
    for _ in range(2):
        await ana.toca(tela, "Prazo")
        await ana.diz("sem prazo")

    assert await eventos(database, processo.id) == [("criado", None)]


async def test_concluidos_are_the_concluded_ones_not_the_cancelled(
    equipe: dict[str, Pessoa],
) -> None:
    ana = equipe["ana"]
    feito, desistido = await abrir(ana, "Feito"), await abrir(ana, "Desistido")
    tela = await ana.diz(f"/processo {feito}")
    tela = await ana.toca(tela, "Iniciar")
    await ana.toca(tela, "Concluir")
    tela = await ana.diz(f"/processo {desistido}")
    await ana.toca(await ana.toca(tela, "Cancelar"), "Sim, cancelar")

    concluidos = await ana.diz("/processos concluidos")
    todos = await ana.diz("/processos todos")

    assert feito in concluidos["text"] and desistido not in concluidos["text"]
    assert feito in todos["text"] and desistido in todos["text"]
    assert "Todos os processos" in todos["text"]


async def test_numbers_and_filters_that_do_not_exist_are_explained(
    equipe: dict[str, Pessoa],
) -> None:
    ana = equipe["ana"]

    sem_numero = await ana.diz("/processo")
    inexistente = await ana.diz("/processo 2026-9999")
    filtro = await ana.diz("/processos abertinhos")

    assert "Qual processo?" in sem_numero["text"]
    assert "Processo 2026-9999 não encontrado" in inexistente["text"]
    assert "Não conheço o filtro abertinhos" in filtro["text"]
    assert "Processos abertos" in (await ana.ve("Processos abertos"))["text"]


async def test_a_long_history_says_what_it_leaves_out_and_shows_it_all_on_request(
    equipe: dict[str, Pessoa], database: Database
) -> None:
    ana = equipe["ana"]
    numero = await abrir(ana, "Projeto longo")
    processo = await processo_por_numero(database, numero)
    longo = "Relato detalhado. " * 100  # 1,800 characters
    tela = await ana.diz(f"/processo {numero}")
    assert "Histórico" not in " ".join(ana.botoes(tela))  # nothing is left out yet
    for i in range(16):
        await ana.toca(tela, "Comentar")
        tela = await ana.diz(longo if i == 0 else f"comentário {i}")

    assert "… 2 eventos anteriores em 📜 Histórico" in tela["text"]
    assert "abriu o processo" not in tela["text"]
    completo = await ana.toca(tela, "Histórico")
    mensagens = [completo["text"], *ana.respostas()[1:]]
    todo = "\n".join(mensagens)

    assert "Histórico de " + numero in mensagens[0]
    assert "abriu o processo" in todo and "comentário 15" in todo
    assert longo.strip() in todo.replace("\n", " ")  # the long comment in full
    assert len(await eventos(database, processo.id)) == 17


async def test_only_the_solicitante_or_a_gestor_may_cancel(
    equipe: dict[str, Pessoa], database: Database
) -> None:
    ana, bruno, gil = equipe["ana"], equipe["bruno"], equipe["gil"]
    numero = await abrir(ana, "Pedido da Ana")
    processo = await processo_por_numero(database, numero)
    tela = await gil.diz(f"/processo {numero}")
    await gil.toca(await gil.toca(tela, "Atribuir"), "Bruno")
    await bruno.ve("atribuiu a você")

    tela_bruno = await bruno.diz(f"/processo {numero}")
    versao = bruno.botao(tela_bruno, "Iniciar").split(":")[-1]
    await bruno.toca_dados(tela_bruno["message_id"], f"ps:{processo.id}:x:{versao}:ok")

    assert not any("Cancelar" in b for b in bruno.botoes(tela_bruno))
    assert "Só quem abriu" in bruno.tg.answered_callbacks()[-1].get("text", "")
    assert (await processo_por_numero(database, numero)).status == "aberto"
    assert any("Cancelar" in b for b in ana.botoes(await ana.diz(f"/processo {numero}")))


async def test_twenty_people_opening_at_once_get_twenty_numbers(
    bot: CogepApplication, tg: FakeTelegram
) -> None:
    pessoas = [await registrar(tg, 300 + i, f"Pessoa {i}") for i in range(20)]

    for pessoa in pessoas:
        pessoa.envia(f"/novo Tarefa simultânea de {pessoa.id}")
    replies = await asyncio.gather(*(p.ve("aberto:") for p in pessoas))

    numeros = {NUMERO.search(r["text"]).group(1) for r in replies}  # type: ignore[union-attr]
    assert len(numeros) == 20


async def test_a_form_becomes_one_processo_even_if_its_last_answer_comes_twice(
    bot: CogepApplication, equipe: dict[str, Pessoa], database: Database
) -> None:
    ana = equipe["ana"]
    await ana.diz("/novo")  # the form now waits in the database for Ana's answers
    services = bot.bot_data.services
    usuario = await services.usuarios.carregar(ana.id)
    assert usuario is not None
    rascunho = Rascunho(titulo="Renovar certificado")

    # Two deliveries of the last answer at once, as two replicas would handle them.
    resultados = await asyncio.gather(
        *(services.processos.abrir(usuario, rascunho, formulario=(ana.id, ana.id)) for _ in "ab"),
        return_exceptions=True,
    )

    assert sorted(type(r).__name__ for r in resultados) == ["Processo", "StaleState"]
    async with database.sessions() as session:
        titulos = list(await session.scalars(select(Processo.titulo)))
    assert titulos == ["Renovar certificado"]


@pytest.mark.parametrize(
    ("linha", "esperado"),
    [
        ("Tarefa | prazo ontem", "já passou"),
        ("Tarefa | prazo quando der", "Não entendi o prazo"),
        ("Tarefa | prazo 31/02", "Não entendi o prazo"),
        ("| prazo amanhã", "título não pode ficar vazio"),
        ("x" * 5000, "Título longo demais: 5000 caracteres"),
        ("Tarefa | prioridade altíssima", "Prioridade inválida"),
        ("Tarefa | dono Ana", "Não conheço o campo"),
    ],
)
async def test_bad_input_is_refused_and_nothing_is_created(
    equipe: dict[str, Pessoa], database: Database, linha: str, esperado: str
) -> None:
    reply = await equipe["ana"].diz(f"/novo {linha}")

    assert esperado in reply["text"]
    async with database.sessions() as session:
        assert await session.scalar(select(Processo.id)) is None


async def test_a_one_line_novo_with_a_mistake_asks_only_for_what_was_wrong(
    equipe: dict[str, Pessoa], database: Database
) -> None:
    ana = equipe["ana"]

    erro = await ana.diz("/novo Corrigir bug do login | prazo ontem | prioridade alta")
    pergunta = await ana.ve("Qual o prazo")
    criado = await ana.diz("amanhã 10h")

    assert "já passou" in erro["text"]
    assert "Pular" in ana.botoes(pergunta)[0]
    numero = NUMERO.search(criado["text"])
    assert numero, criado["text"]
    processo = await processo_por_numero(database, numero.group(1))
    assert (processo.titulo, processo.prioridade) == ("Corrigir bug do login", "alta")
    assert processo.prazo is not None and processo.prazo.astimezone(SP).hour == 10


async def test_a_one_line_novo_with_an_empty_field_asks_only_for_that_field(
    equipe: dict[str, Pessoa], database: Database
) -> None:
    ana = equipe["ana"]

    erro = await ana.diz("/novo Corrigir bug do login | prazo | prioridade alta")
    await ana.ve("Qual o prazo")
    criado = await ana.diz("amanhã 10h")

    assert "Faltou o valor de prazo" in erro["text"]
    numero = NUMERO.search(criado["text"])
    assert numero, criado["text"]
    processo = await processo_por_numero(database, numero.group(1))
    assert (processo.titulo, processo.prioridade) == ("Corrigir bug do login", "alta")
    assert processo.prazo is not None and processo.prazo.astimezone(SP).hour == 10


async def test_a_one_line_novo_with_an_unknown_field_keeps_the_rest_and_asks_what_is_missing(
    equipe: dict[str, Pessoa], database: Database
) -> None:
    ana = equipe["ana"]

    erro = await ana.diz("/novo Trocar nobreak | dono Ana | prioridade alta | prazo amanhã 9h")
    descricao = await ana.ve("Descreva")
    contato = await ana.toca(descricao, "Pular")
    criado = await ana.toca(contato, "Pular")

    assert "Não conheço o campo dono" in erro["text"]
    assert "contato" in contato["text"].lower()
    numero = NUMERO.search(criado["text"])
    assert numero, criado["text"]
    processo = await processo_por_numero(database, numero.group(1))
    assert (processo.titulo, processo.prioridade) == ("Trocar nobreak", "alta")
    assert processo.prazo is not None and processo.prazo.astimezone(SP).hour == 9


async def test_an_open_question_does_not_outlive_a_new_command(
    equipe: dict[str, Pessoa], database: Database
) -> None:
    ana = equipe["ana"]
    seis, cinco = await abrir(ana, "Processo seis"), await abrir(ana, "Processo cinco")
    tela = await ana.diz(f"/processo {seis}")
    pergunta = await ana.toca(await ana.toca(tela, "Editar"), "Título")
    await ana.diz(f"/processo {cinco}")  # moved on without answering
    solto = await ana.diz("Ligar pro cliente")

    tela = await ana.diz(f"/processo {cinco}")
    await ana.toca(tela, "Comentar")
    await ana.diz("/novo Pendência | prioridade baixa")
    solto_2 = await ana.diz("Reunião às 15h com o time")

    assert "Título atual: Processo seis" in pergunta["text"]  # shown to copy and fix
    assert "professor" in solto["text"] and "professor" in solto_2["text"]  # the mentor took it
    assert (await processo_por_numero(database, seis)).titulo == "Processo seis"
    processo = await processo_por_numero(database, cinco)
    assert await eventos(database, processo.id) == [("criado", None)]


async def test_a_new_novo_over_a_draft_asks_before_throwing_it_away(
    equipe: dict[str, Pessoa],
) -> None:
    ana = equipe["ana"]
    await ana.diz("/novo")
    await ana.diz("Rascunho A")
    pergunta = await ana.diz("/novo")
    assert "processo em rascunho Rascunho A" in pergunta["text"]

    await ana.toca(pergunta, "Continuar")
    continuado = await ana.ve("Descreva")
    pular = await ana.diz("pular")  # typed, as after an error the button is far up
    assert "Pular" in ana.botoes(continuado)[0] and "prazo" in pular["text"]
    erro = await ana.diz("quando der")
    pulado = await ana.diz("Pular")
    assert "Não entendi o prazo" in erro["text"] and "prioridade" in pulado["text"].lower()

    outra = await ana.diz("/novo")
    novo = await ana.toca(outra, "Descartar")
    assert "Qual o título?" in novo["text"].replace("<b>", "").replace("</b>", "")


async def test_unnamed_fields_of_a_one_line_novo_are_understood(
    equipe: dict[str, Pessoa], database: Database
) -> None:
    criado = await equipe["ana"].diz("/novo Trocar nobreak | sexta 18h | urgente")

    numero = NUMERO.search(criado["text"])
    assert numero, criado["text"]
    processo = await processo_por_numero(database, numero.group(1))
    assert processo.prioridade == "urgente" and processo.prazo is not None


async def test_html_in_titles_is_shown_as_typed(
    equipe: dict[str, Pessoa], database: Database
) -> None:
    ana = equipe["ana"]
    numero = await abrir(ana, "<b>Urgente</b> & <script>alert(1)</script> *já* _agora_")

    tela = await ana.diz(f"/processo {numero}")

    assert "<b>Urgente</b> & <script>alert(1)</script> *já* _agora_" in tela["text"]


async def test_guided_flow_survives_a_restart(
    tg: FakeTelegram, database: Database, database_url: str
) -> None:
    settings = make_settings(tg, database_url)
    ana = Pessoa(tg, 211, "Ana")
    async with serving(build_application(settings, database=database), poll_timeout=1):
        await ana.diz("/start")
        await ana.diz("/novo")
        await ana.diz("Título antes do restart")

    async with serving(build_application(settings, database=database), poll_timeout=1):
        pergunta = await ana.diz("Descrição depois do restart")
        assert "prazo" in pergunta["text"]
        pergunta = await ana.toca(pergunta, "Pular")
        pergunta = await ana.toca(pergunta, "normal")
        criado = await ana.toca(pergunta, "Pular")

    numero = NUMERO.search(criado["text"])
    assert numero
    processo = await processo_por_numero(database, numero.group(1))
    assert processo.titulo == "Título antes do restart"
    assert processo.descricao == "Descrição depois do restart"


async def test_bad_answers_in_the_guided_flow_keep_the_question(
    equipe: dict[str, Pessoa],
) -> None:
    ana = equipe["ana"]
    await ana.diz("/novo")

    refused = await ana.diz("y" * 300)
    accepted = await ana.diz("Título certo")
    past = await ana.diz("pular descrição não, essa é a descrição")
    past = await ana.diz("anteontem")

    assert "Título longo demais" in refused["text"]
    assert "Descreva" in accepted["text"]
    assert "já passou" in past["text"]


async def test_deadline_changes_with_natural_dates(
    equipe: dict[str, Pessoa], database: Database
) -> None:
    ana = equipe["ana"]
    numero = await abrir(ana, "Renovar certificado")
    tela = await ana.diz(f"/processo {numero}")

    await ana.toca(tela, "Prazo")
    refused = await ana.diz("semana passada talvez")
    changed = await ana.diz("amanhã 9h")

    assert "Não entendi o prazo" in refused["text"]
    assert "amanhã 09:00" in changed["text"]
    processo = await processo_por_numero(database, numero)
    assert processo.prazo is not None and processo.prazo.astimezone(SP).hour == 9


async def test_search_ignores_accents_and_finds_comments(
    equipe: dict[str, Pessoa],
) -> None:
    ana = equipe["ana"]
    numero = await abrir(ana, "Migração do relatório financeiro")
    outro = await abrir(ana, "Trocar impressora")
    tela = await ana.diz(f"/processo {outro}")
    await ana.toca(tela, "Comentar")
    await ana.diz("Fornecedor pediu orçamento atualizado")

    by_accentless = await ana.diz("/buscar migracao relatorio")
    by_prefix = await ana.diz("/buscar financ")
    by_comment = await ana.diz("/buscar orcamento")
    by_number = await ana.diz(f"/buscar {numero}")
    empty = await ana.diz("/buscar")

    assert numero in by_accentless["text"]
    assert numero in by_prefix["text"]
    assert outro in by_comment["text"] and numero not in by_comment["text"]
    assert numero in by_number["text"]
    assert "Diga o que buscar" in empty["text"]
    hifen = await abrir(ana, "Configurar o e-mail do front-end")
    for busca in ("email", "e-mail", "frontend", "front end"):
        assert hifen in (await ana.diz(f"/buscar {busca}"))["text"], busca
    assert ana.botoes(by_comment) == [outro, "📚 Procurar nos documentos"]
    aberto = await ana.toca(by_comment, outro)
    assert "Fornecedor pediu orçamento atualizado" in aberto["text"]


async def test_list_filters_and_pages(equipe: dict[str, Pessoa], database: Database) -> None:
    ana = equipe["ana"]
    numeros = [await abrir(ana, f"Item {i:02d}") for i in range(12)]
    async with database.sessions.begin() as session:
        await session.execute(
            update(Processo)
            .where(Processo.numero == numeros[0])
            .values(prazo=datetime(2020, 1, 1, tzinfo=SP))
        )

    primeira = await ana.diz("/processos")
    segunda = await ana.toca(primeira, "▶")
    atrasados = await ana.toca(segunda, "atrasados")

    assert numeros[0] in primeira["text"] and numeros[1] not in primeira["text"]  # overdue first
    assert numeros[1] in segunda["text"] and "página 2" in segunda["text"]
    assert numeros[0] in atrasados["text"] and "atrasado" in atrasados["text"]
    assert numeros[-1] not in atrasados["text"]


async def test_a_gestor_filters_by_responsavel_or_by_nobody(
    equipe: dict[str, Pessoa],
) -> None:
    ana, gil = equipe["ana"], equipe["gil"]
    do_bruno, de_ninguem = await abrir(ana, "Do Bruno"), await abrir(ana, "De ninguém")
    tela = await gil.diz(f"/processo {do_bruno}")
    await gil.toca(await gil.toca(tela, "Atribuir"), "Bruno")

    lista = await gil.diz("/processos")
    escolha = await gil.toca(lista, "Por responsável")
    bruno = await gil.toca(escolha, "Bruno")
    escolha = await gil.toca(await gil.diz("/processos"), "Por responsável")
    ninguem = await gil.toca(escolha, "Ninguém")
    todos = await gil.toca(ninguem, "atrasados")

    assert do_bruno in bruno["text"] and de_ninguem not in bruno["text"]
    assert "responsável: Bruno" in bruno["text"]
    assert de_ninguem in ninguem["text"] and do_bruno not in ninguem["text"]
    assert "responsável: ninguém ainda" in ninguem["text"]
    assert "responsável: ninguém ainda" in todos["text"]  # the filter stays while paging on


async def test_a_prazo_a_few_days_back_has_passed_and_a_far_one_is_next_year(
    equipe: dict[str, Pessoa], database: Database
) -> None:
    ana = equipe["ana"]
    hoje = datetime.now(SP).date()
    recente, longe = hoje - timedelta(days=3), hoje - timedelta(days=100)

    passou = await ana.diz(f"/novo Tarefa | prazo {recente:%d/%m} 14:00")
    await ana.ve("Qual o prazo")  # asked again, the title kept
    await ana.diz("/cancelar")
    criado = await ana.diz(f"/novo Outra | prazo {longe:%d/%m} 14:00")

    assert "já passou" in passou["text"]
    numero = NUMERO.search(criado["text"])
    assert numero, criado["text"]
    processo = await processo_por_numero(database, numero.group(1))
    assert processo.prazo is not None
    prazo = processo.prazo.astimezone(SP)
    assert (prazo.day, prazo.month) == (longe.day, longe.month) and prazo.date() > hoje
    assert ("no ano que vem" in criado["text"]) == (prazo.year == hoje.year + 1)


async def test_processos_lists_the_most_urgent_first(
    equipe: dict[str, Pessoa], database: Database
) -> None:
    ana = equipe["ana"]
    sem_prazo = await abrir(ana, "Sem prazo | prioridade normal")
    baixa = await abrir(ana, "Baixa | prazo em 5 dias | prioridade baixa")
    atrasado = await abrir(ana, "Atrasado | prazo amanhã | prioridade baixa")
    urgente = await abrir(ana, "Urgente | prazo em 5 dias | prioridade urgente")
    urgente_sem_prazo = await abrir(ana, "Urgente sem prazo | prioridade urgente")
    async with database.sessions.begin() as session:
        await session.execute(
            update(Processo)
            .where(Processo.numero == atrasado)
            .values(prazo=datetime.now(SP) - timedelta(days=1))
        )

    lista = await ana.diz("/processos")

    ordem = NUMERO.findall(lista["text"])
    assert ordem[:5] == [atrasado, urgente, baixa, urgente_sem_prazo, sem_prazo]


async def test_starting_a_processo_nobody_owns_offers_to_take_it(
    equipe: dict[str, Pessoa], database: Database
) -> None:
    ana = equipe["ana"]
    numero = await abrir(ana, "Trocar toner")

    iniciado = await ana.toca(await ana.diz(f"/processo {numero}"), "Iniciar")
    assert "sem responsável" in ana.tg.answered_callbacks()[-1].get("text", "")
    assumido = await ana.toca(iniciado, "Assumir")

    assert "Responsável: Ana" in assumido["text"]
    processo = await processo_por_numero(database, numero)
    assert processo.responsavel_id == processo.solicitante_id
    # Once someone owns it, only a gestor changes that: a forged button for Bruno is refused.
    async with database.sessions() as session:
        bruno_id = await session.scalar(select(Usuario.id).where(Usuario.telegram_id == 202))
    tela = await ana.diz(f"/processo {numero}")
    versao = ana.botao(tela, "Concluir").split(":")[-1]
    await ana.toca_dados(tela["message_id"], f"pa:{processo.id}:{bruno_id}:{versao}")
    assert "Só gestores" in ana.tg.answered_callbacks()[-1].get("text", "")
    assert (await processo_por_numero(database, numero)).responsavel_id == processo.solicitante_id


async def test_a_deep_link_opens_the_card_only_for_whoever_may_see_it(
    equipe: dict[str, Pessoa], tg: FakeTelegram
) -> None:
    ana, bruno, gil = equipe["ana"], equipe["bruno"], equipe["gil"]
    numero = await abrir(ana, "Renovar domínio")
    card = await ana.diz(f"/processo {numero}")

    compartilhado = await ana.toca(card, "Link")
    link = f"https://t.me/{tg.bot_user['username']}?start=p_{numero}"
    assert link in compartilhado["text"]

    assert "Renovar domínio" in (await gil.diz(f"/start p_{numero}"))["text"]  # a gestor sees it
    de_fora = await bruno.diz(f"/start p_{numero}")
    assert "não encontrado" in de_fora["text"] and "Renovar" not in de_fora["text"]
    novata = Pessoa(tg, 299, "Carla")
    await novata.diz(f"/start p_{numero}")  # a newcomer: welcome, then the usual answer
    assert "não encontrado" in (await novata.ve("não encontrado"))["text"]


async def test_novo_as_a_reply_takes_the_message_as_description_and_names_its_author(
    equipe: dict[str, Pessoa], tg: FakeTelegram, database: Database
) -> None:
    ana = equipe["ana"]
    cliente = tg.user(900, "Carlos", last_name="Cliente")
    ana._cursor = len(tg.calls)
    encaminhada = tg.forward_text(ana.user, "A impressora do 2º andar não liga.", de=cliente)
    await ana.ve(None)  # the forward is free text: the mentor answers it, that is all

    ana._cursor = len(tg.calls)
    citada = encaminhada["message"]["message_id"]
    tg.send_text(ana.user, "/novo Impressora | prioridade alta", reply_to_message_id=citada)
    criado = await ana.ve("aberto:")
    numero = NUMERO.search(criado["text"])
    assert numero, criado["text"]
    processo = await processo_por_numero(database, numero.group(1))
    assert processo.descricao == "A impressora do 2º andar não liga."

    tela = await ana.diz(f"/processo {processo.numero}")
    assert "a partir de uma mensagem de Carlos Cliente" in tela["text"]


async def test_a_bare_novo_as_a_reply_asks_the_title_and_skips_the_description(
    equipe: dict[str, Pessoa], tg: FakeTelegram, database: Database
) -> None:
    ana = equipe["ana"]
    ana._cursor = len(tg.calls)
    propria = tg.send_text(ana.user, "Trocar o toner da sala 3")
    await ana.ve(None)  # free text: the mentor answers it

    ana._cursor = len(tg.calls)
    tg.send_text(ana.user, "/novo", reply_to_message_id=propria["message"]["message_id"])
    await ana.ve("título")
    prazo = await ana.diz("Toner")

    assert "prazo" in prazo["text"] and "Descreva" not in prazo["text"]


async def test_comments_are_internal_unless_marked_for_the_client_and_shown_apart(
    equipe: dict[str, Pessoa], database: Database
) -> None:
    ana = equipe["ana"]
    numero = await abrir(ana, "Orçamento do cliente")

    pergunta = await ana.toca(await ana.diz(f"/processo {numero}"), "Comentar")
    await ana.diz("Margem apertada, negociar frete")
    await ana.toca(await ana.diz(f"/processo {numero}"), "Comentar")
    await ana.diz("Cliente: enviamos a proposta revisada hoje")
    tela = await ana.diz(f"/processo {numero}")

    assert "interno" in pergunta["text"]
    separado = tela["text"].split("Para o cliente")[1].split("Histórico")[0]
    assert "enviamos a proposta revisada hoje" in separado and "Margem" not in separado
    assert "escreveu para o cliente: enviamos a proposta" in tela["text"]
    assert "comentou: Margem apertada" in tela["text"]
    processo = await processo_por_numero(database, numero)
    assert await eventos(database, processo.id) == [
        ("criado", None), ("comentario", None), ("comentario", "cliente"),
    ]  # fmt: skip


async def test_a_prazo_in_business_days_lands_on_a_business_day(
    equipe: dict[str, Pessoa], database: Database
) -> None:
    numero = await abrir(equipe["ana"], "Responder auditoria | prazo em 3 dias úteis")

    processo = await processo_por_numero(database, numero)
    assert processo.prazo is not None
    prazo = processo.prazo.astimezone(SP)
    assert prazo.weekday() < 5 and prazo.hour == 18  # a working day, at the end of it
    assert 3 <= (prazo.date() - datetime.now(SP).date()).days <= 7


async def test_the_prazo_clock_pauses_while_waiting_for_the_client(
    equipe: dict[str, Pessoa], database: Database
) -> None:
    ana = equipe["ana"]
    numero = await abrir(ana, "Aguardar o cliente | prazo em 5 dias")
    antes = (await processo_por_numero(database, numero)).prazo
    assert antes is not None
    tela = await ana.toca(await ana.diz(f"/processo {numero}"), "Iniciar")
    tela = await ana.toca(tela, "Aguardar")
    assert "pausado: aguardando o cliente" in tela["text"]
    async with database.sessions.begin() as session:  # it has been waiting for two days
        await session.execute(
            update(ProcessoEvento)
            .where(ProcessoEvento.tipo == "status", ProcessoEvento.para == "aguardando")
            .values(criado_em=datetime.now(SP) - timedelta(days=2))
        )

    retomado = await ana.toca(await ana.diz(f"/processo {numero}"), "Retomar")

    depois = (await processo_por_numero(database, numero)).prazo
    assert depois is not None
    assert abs((depois - antes) - timedelta(days=2)) < timedelta(minutes=1)
    assert "o relógio parou enquanto aguardava" in retomado["text"]
