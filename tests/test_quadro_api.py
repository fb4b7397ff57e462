"""The board's API, as the people who open it: what each one sees and may change, and that a
forged, stale or foreign signature, a pending or revoked user, or another membro changes nothing.

The API runs on a real aiohttp server on loopback over the real services and PostgreSQL; the
requests carry initData signed as Telegram signs it (`bot.quadro.initdata.assinar`).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer
from sqlalchemy import func, select, text, update

from bot import texts
from bot.database import Database
from bot.processos.linha import Rascunho
from bot.quadro import Estado, montar
from bot.quadro.initdata import assinar
from bot.render import to_plain
from bot.services import Services
from bot.settings import Settings
from db.models import Lembrete, Notificacao, Processo, ProcessoEvento, Usuario

TOKEN = "424242:quadro-de-teste"
OUTRO_BOT = "515151:outro-bot"


@dataclass
class Resposta:
    status: int
    corpo: Any


class Quadro:
    """The board served on loopback, and the team that opens it."""

    def __init__(self, services: Services, database: Database, base_url: str) -> None:
        self.services = services
        self.database = database
        self.base_url = base_url
        self.http = aiohttp.ClientSession()
        self.agora = datetime.now(UTC)

    async def pessoa(
        self, telegram_id: int, nome: str, *, papel: str = "membro", acesso: str = "liberado"
    ) -> Usuario:
        registro = await self.services.usuarios.registrar(
            telegram_id=telegram_id, nome=nome, username=None
        )
        async with self.database.sessions.begin() as session:
            await session.execute(
                update(Usuario)
                .where(Usuario.id == registro.usuario.id)
                .values(papel=papel, acesso=acesso)
            )
        usuario = await self.services.usuarios.carregar(telegram_id)
        assert usuario is not None
        return usuario

    async def abrir(self, autor: Usuario, titulo: str, **campos: Any) -> Processo:
        return await self.services.processos.abrir(autor, Rascunho(titulo=titulo, **campos))

    def init_data(
        self, quem: Usuario | int, *, token: str = TOKEN, idade: timedelta = timedelta()
    ) -> str:
        telegram_id = quem if isinstance(quem, int) else quem.telegram_id
        return assinar(token, telegram_id=telegram_id, nome="X", auth_date=self.agora - idade)

    async def chamar(
        self,
        quem: Usuario | int | None,
        metodo: str,
        caminho: str,
        corpo: Any = None,
        *,
        autorizacao: str | None = None,
    ) -> Resposta:
        headers = {}
        if autorizacao is not None:
            headers["Authorization"] = autorizacao
        elif quem is not None:
            headers["Authorization"] = "tma " + self.init_data(quem)
        async with self.http.request(
            metodo, self.base_url + caminho, json=corpo, headers=headers
        ) as resposta:
            dados = await resposta.json() if resposta.content_type == "application/json" else None
            return Resposta(resposta.status, dados)

    async def retrato(self) -> tuple[Any, ...]:
        """Everything a call could change: processos, history, notices, reminders."""
        async with self.database.sessions() as session:
            processos = (
                await session.execute(
                    select(
                        Processo.id, Processo.status, Processo.responsavel_id, Processo.prazo,
                        Processo.atualizado_em,
                    ).order_by(Processo.id)
                )
            ).all()  # fmt: skip
            eventos = await session.scalar(select(func.count()).select_from(ProcessoEvento))
            avisos = await session.scalar(select(func.count()).select_from(Notificacao))
            lembretes = (
                await session.execute(select(Lembrete.id, Lembrete.status).order_by(Lembrete.id))
            ).all()
        return processos, eventos, avisos, lembretes

    async def eventos(self, processo_id: int) -> list[tuple[str, str | None, int | None]]:
        async with self.database.sessions() as session:
            rows = await session.execute(
                select(ProcessoEvento.tipo, ProcessoEvento.para, ProcessoEvento.autor_id)
                .where(ProcessoEvento.processo_id == processo_id)
                .order_by(ProcessoEvento.id)
            )
        return [tuple(r) for r in rows]  # type: ignore[misc]

    async def avisos_para(self, usuario: Usuario) -> list[str]:
        async with self.database.sessions() as session:
            return list(
                await session.scalars(
                    select(Notificacao.texto)
                    .where(Notificacao.usuario_id == usuario.id)
                    .order_by(Notificacao.id)
                )
            )


def settings_do_quadro(database_url: str, **extra: Any) -> Settings:
    return Settings(
        _env_file=None,
        database_url=database_url,
        telegram_bot_token=TOKEN,
        cadastro_aberto=True,
        **extra,
    )


@pytest.fixture
async def quadro(database: Database, database_url: str) -> AsyncIterator[Quadro]:
    services = Services.build(settings_do_quadro(database_url), database.sessions)
    raiz = web.Application()
    montar(raiz, Estado(services=services, token=TOKEN))
    server = TestServer(raiz, host="127.0.0.1")
    await server.start_server()
    rig = Quadro(services, database, str(server.make_url("/app/")))
    yield rig
    await rig.http.close()
    await server.close()
    await services.mentor.fechar()


@dataclass
class Equipe:
    ana: Usuario  # membro, solicitante of p1
    bruno: Usuario  # membro, responsável of p1
    carla: Usuario  # membro with her own processo
    gil: Usuario  # gestor
    p1: Processo
    p2: Processo


@pytest.fixture
async def equipe(quadro: Quadro) -> Equipe:
    ana = await quadro.pessoa(301, "Ana")
    bruno = await quadro.pessoa(302, "Bruno")
    carla = await quadro.pessoa(303, "Carla")
    gil = await quadro.pessoa(304, "Gil", papel="gestor")
    p1 = await quadro.abrir(ana, "Migrar servidor de e-mail", prazo="amanhã 18h")
    await quadro.services.processos.atribuir(gil, p1.id, bruno.id)
    p2 = await quadro.abrir(carla, "Renovar certificado digital")
    return Equipe(ana, bruno, carla, gil, p1, p2)


def todas_as_rotas(equipe: Equipe) -> list[tuple[str, str, Any]]:
    """Every route of the API, each with a request that would change something if let in."""
    p1 = equipe.p1.id
    return [
        ("GET", "api/eu", None),
        ("GET", "api/processos", None),
        ("GET", f"api/processos/{p1}", None),
        ("POST", f"api/processos/{p1}/status", {"para": "em_andamento"}),
        ("POST", f"api/processos/{p1}/comentarios", {"texto": "oi"}),
        ("POST", f"api/processos/{p1}/responsavel", {"responsavel_id": equipe.ana.id}),
        ("POST", f"api/processos/{p1}/prazo", {"prazo": "sexta 18h"}),
        ("GET", "api/responsaveis", None),
        ("GET", "api/lembretes", None),
        ("POST", "api/lembretes", {"texto": "amanhã 9h ligar"}),
        ("DELETE", "api/lembretes/1", None),
        ("GET", "api/conhecimento?q=deploy", None),
    ]


def numeros(corpo: dict[str, Any]) -> dict[str, list[str]]:
    return {c["status"]: [p["numero"] for p in c["processos"]] for c in corpo["colunas"]}


# -- who gets in ------------------------------------------------------------------------------
async def test_the_board_opens_with_telegrams_signature_and_says_who_is_there(
    quadro: Quadro, equipe: Equipe
) -> None:
    resposta = await quadro.chamar(equipe.gil, "GET", "api/eu")

    assert resposta.status == 200
    assert resposta.corpo == {"id": equipe.gil.id, "nome": "Gil", "papel": "gestor", "gestor": True}


@pytest.mark.parametrize(
    "caso", ["sem cabeçalho", "outro esquema", "adulterado", "vencido", "outro bot", "lixo"]
)
async def test_a_missing_tampered_stale_or_foreign_signature_is_refused_with_401(
    quadro: Quadro, equipe: Equipe, caso: str
) -> None:
    valido = quadro.init_data(equipe.ana)
    autorizacao = {
        "sem cabeçalho": "",
        "outro esquema": "Bearer " + valido,
        # Ana's signature with Gil's id spliced in: the hash no longer matches
        "adulterado": "tma " + valido.replace("%22id%22%3A301", "%22id%22%3A304"),
        "vencido": "tma " + quadro.init_data(equipe.ana, idade=timedelta(hours=24, minutes=1)),
        "outro bot": "tma " + quadro.init_data(equipe.ana, token=OUTRO_BOT),
        "lixo": "tma %%%&&&===",
    }[caso]
    await quadro.services.lembretes.criar_de_texto(equipe.gil, "amanhã 9h revisar")
    antes = await quadro.retrato()

    respostas = [
        await quadro.chamar(None, metodo, caminho, corpo, autorizacao=autorizacao)
        for metodo, caminho, corpo in todas_as_rotas(equipe)
    ]

    assert {r.status for r in respostas} == {401}
    assert {r.corpo["erro"] for r in respostas} == {texts.QUADRO_SESSAO_INVALIDA}
    assert await quadro.retrato() == antes


async def test_a_signature_a_day_old_still_opens_the_board(quadro: Quadro, equipe: Equipe) -> None:
    autorizacao = "tma " + quadro.init_data(equipe.ana, idade=timedelta(hours=23, minutes=59))

    resposta = await quadro.chamar(None, "GET", "api/eu", autorizacao=autorizacao)

    assert resposta.status == 200


@pytest.mark.parametrize("acesso", ["pendente", "recusado"])
async def test_a_pending_or_revoked_user_is_told_why_and_changes_nothing(
    quadro: Quadro, equipe: Equipe, acesso: str
) -> None:
    await quadro.services.lembretes.criar_de_texto(equipe.ana, "amanhã 9h revisar")  # id 1
    async with quadro.database.sessions.begin() as session:
        await session.execute(
            update(Usuario).where(Usuario.id == equipe.ana.id).values(acesso=acesso)
        )
    antes = await quadro.retrato()

    respostas = [
        await quadro.chamar(equipe.ana, metodo, caminho, corpo)
        for metodo, caminho, corpo in todas_as_rotas(equipe)
    ]

    assert {r.status for r in respostas} == {403}
    motivo = texts.AGUARDANDO_LIBERACAO if acesso == "pendente" else texts.ACESSO_RECUSADO
    assert {r.corpo["erro"] for r in respostas} == {to_plain(motivo)}
    assert await quadro.retrato() == antes


async def test_someone_who_never_sent_start_is_sent_to_the_bot(quadro: Quadro) -> None:
    resposta = await quadro.chamar(999_999, "GET", "api/processos")

    assert resposta.status == 403
    assert "/start" in resposta.corpo["erro"]


# -- what the board shows ---------------------------------------------------------------------
async def test_a_membro_sees_only_their_processos_in_columns_by_status(
    quadro: Quadro, equipe: Equipe
) -> None:
    ana = await quadro.chamar(equipe.ana, "GET", "api/processos")
    bruno = await quadro.chamar(equipe.bruno, "GET", "api/processos")
    carla = await quadro.chamar(equipe.carla, "GET", "api/processos")

    assert [c["status"] for c in ana.corpo["colunas"]] == [
        "aberto", "em_andamento", "aguardando", "concluido", "cancelado",
    ]  # fmt: skip
    assert numeros(ana.corpo)["aberto"] == [equipe.p1.numero]
    assert numeros(bruno.corpo)["aberto"] == [equipe.p1.numero]  # he owns it
    assert numeros(carla.corpo)["aberto"] == [equipe.p2.numero]
    cartao = ana.corpo["colunas"][0]["processos"][0]
    assert cartao["titulo"] == "Migrar servidor de e-mail"
    assert cartao["responsavel"] == "Bruno"
    assert cartao["prazo_texto"].startswith("amanhã 18:00")
    assert cartao["atrasado"] is False
    assert ana.corpo["colunas"][0]["total"] == 1


async def test_a_gestor_sees_everything_and_filters_like_the_chat(
    quadro: Quadro, equipe: Equipe
) -> None:
    async with quadro.database.sessions.begin() as session:  # p2's deadline passed yesterday
        await session.execute(
            update(Processo)
            .where(Processo.id == equipe.p2.id)
            .values(prazo=datetime.now(UTC) - timedelta(days=1))
        )
    todos = await quadro.chamar(equipe.gil, "GET", "api/processos")
    atrasados = await quadro.chamar(equipe.gil, "GET", "api/processos?atrasados=1")
    do_bruno = await quadro.chamar(
        equipe.gil, "GET", f"api/processos?responsavel={equipe.bruno.id}"
    )
    sem_ninguem = await quadro.chamar(equipe.gil, "GET", "api/processos?responsavel=0")
    meus = await quadro.chamar(equipe.gil, "GET", "api/processos?meus=1")
    busca = await quadro.chamar(equipe.gil, "GET", "api/processos?q=certif")

    assert numeros(todos.corpo)["aberto"] == [equipe.p2.numero, equipe.p1.numero]  # late first
    assert todos.corpo["colunas"][0]["processos"][0]["atrasado"] is True
    assert numeros(atrasados.corpo)["aberto"] == [equipe.p2.numero]
    assert numeros(do_bruno.corpo)["aberto"] == [equipe.p1.numero]
    assert numeros(sem_ninguem.corpo)["aberto"] == [equipe.p2.numero]
    assert numeros(meus.corpo)["aberto"] == []
    assert numeros(busca.corpo)["aberto"] == [equipe.p2.numero]


async def test_a_long_column_shows_twenty_cards_and_counts_them_all(
    quadro: Quadro, equipe: Equipe
) -> None:
    for i in range(21):
        await quadro.abrir(equipe.bruno, f"Chamado {i}")
    await quadro.services.processos.mudar_status(equipe.bruno, equipe.p1.id, "em_andamento")

    resposta = await quadro.chamar(equipe.bruno, "GET", "api/processos")

    colunas = {c["status"]: c for c in resposta.corpo["colunas"]}
    assert [len(c["processos"]) for c in colunas.values()] == [20, 1, 0, 0, 0]
    assert [c["total"] for c in colunas.values()] == [21, 1, 0, None, None]
    assert not any(c["total_mais"] for c in colunas.values())


async def test_a_huge_column_says_99_plus_instead_of_counting_everything(
    quadro: Quadro, equipe: Equipe
) -> None:
    async with quadro.database.sessions.begin() as session:
        await session.execute(
            text(
                "INSERT INTO processos (sequencia, numero, titulo, status, solicitante_id)"
                " SELECT 90000 + g, 'X-' || g, 'Chamado ' || g, 'aguardando', :ana"
                " FROM generate_series(1, 105) g"
            ),
            {"ana": equipe.ana.id},
        )

    resposta = await quadro.chamar(equipe.gil, "GET", "api/processos")

    aguardando = resposta.corpo["colunas"][2]
    assert (aguardando["total"], aguardando["total_mais"]) == (99, True)
    assert len(aguardando["processos"]) == 20
    assert resposta.corpo["colunas"][0]["total_mais"] is False


async def test_a_membros_search_finds_only_what_she_may_see(quadro: Quadro, equipe: Equipe) -> None:
    resposta = await quadro.chamar(equipe.ana, "GET", "api/processos?q=certificado")

    assert all(c["processos"] == [] for c in resposta.corpo["colunas"])


async def test_a_membro_cannot_filter_by_responsavel(quadro: Quadro, equipe: Equipe) -> None:
    resposta = await quadro.chamar(
        equipe.ana, "GET", f"api/processos?responsavel={equipe.bruno.id}"
    )
    torto = await quadro.chamar(equipe.gil, "GET", "api/processos?responsavel=bruno")

    assert resposta.status == 403
    assert resposta.corpo["erro"] == texts.SO_GESTOR_FILTRA
    assert torto.status == 400


async def test_a_card_opens_with_its_history_comments_and_contact(
    quadro: Quadro, equipe: Equipe
) -> None:
    contato = await quadro.services.contatos.criar(
        equipe.ana, nome="Marta Souza", empresa="Acme Ltda", email="marta@acme.com.br"
    )
    await quadro.services.processos.vincular_contato(equipe.ana, equipe.p1.id, contato.id)
    await quadro.services.processos.comentar(equipe.bruno, equipe.p1.id, "Backup feito antes.")

    resposta = await quadro.chamar(equipe.ana, "GET", f"api/processos/{equipe.p1.id}")

    d = resposta.corpo
    assert resposta.status == 200
    assert d["numero"] == equipe.p1.numero and d["solicitante"] == "Ana"
    assert d["contato"]["nome"] == "Marta Souza" and d["contato"]["empresa"] == "Acme Ltda"
    assert [c["texto"] for c in d["comentarios"]] == ["Backup feito antes."]
    assert d["comentarios"][0]["autor"] == "Bruno"
    assert d["historico"][0]["texto"].endswith("Ana abriu o processo")
    assert any("atribuiu a Bruno" in h["texto"] for h in d["historico"])
    assert [t["para"] for t in d["transicoes"]] == ["em_andamento", "cancelado"]
    assert d["pode_atribuir"] is False


async def test_another_membro_cannot_open_or_change_someone_elses_processo(
    quadro: Quadro, equipe: Equipe
) -> None:
    antes = await quadro.retrato()
    p1 = equipe.p1.id

    respostas = [
        await quadro.chamar(equipe.carla, "GET", f"api/processos/{p1}"),
        await quadro.chamar(
            equipe.carla, "POST", f"api/processos/{p1}/status", {"para": "em_andamento"}
        ),
        await quadro.chamar(
            equipe.carla, "POST", f"api/processos/{p1}/comentarios", {"texto": "oi"}
        ),
        await quadro.chamar(
            equipe.carla, "POST", f"api/processos/{p1}/prazo", {"prazo": "sexta 18h"}
        ),
    ]

    assert [r.status for r in respostas] == [404, 404, 404, 404]
    assert respostas[0].corpo["erro"] == to_plain(texts.PROCESSO_NAO_ENCONTRADO)
    assert await quadro.retrato() == antes


# -- changes: the chat's rules, history and notices ---------------------------------------------
async def test_moving_a_card_writes_the_history_and_tells_the_solicitante_as_the_chat_does(
    quadro: Quadro, equipe: Equipe
) -> None:
    resposta = await quadro.chamar(
        equipe.bruno, "POST", f"api/processos/{equipe.p1.id}/status", {"para": "em_andamento"}
    )

    assert resposta.status == 200
    assert resposta.corpo["status"] == "em_andamento"
    assert (await quadro.eventos(equipe.p1.id))[-1] == ("status", "em_andamento", equipe.bruno.id)
    processo = (await quadro.services.processos.detalhe(equipe.ana, equipe.p1.id)).processo
    esperado = texts.aviso_status(processo, "Bruno", "aberto", "em_andamento")
    assert (await quadro.avisos_para(equipe.ana))[-1] == esperado


async def test_an_illegal_move_is_refused_with_the_legal_ones_and_changes_nothing(
    quadro: Quadro, equipe: Equipe
) -> None:
    antes = await quadro.retrato()

    resposta = await quadro.chamar(
        equipe.ana, "POST", f"api/processos/{equipe.p1.id}/status", {"para": "concluido"}
    )
    desconhecido = await quadro.chamar(
        equipe.ana, "POST", f"api/processos/{equipe.p1.id}/status", {"para": "arquivado"}
    )

    assert resposta.status == 409
    assert "A partir de aberto: em andamento, cancelado" in resposta.corpo["erro"]
    assert desconhecido.status == 400
    assert await quadro.retrato() == antes


async def test_cancelling_needs_a_confirmation_and_the_right_person(
    quadro: Quadro, equipe: Equipe
) -> None:
    caminho = f"api/processos/{equipe.p1.id}/status"
    antes = await quadro.retrato()

    sem_confirmar = await quadro.chamar(equipe.ana, "POST", caminho, {"para": "cancelado"})
    responsavel = await quadro.chamar(
        equipe.bruno, "POST", caminho, {"para": "cancelado", "confirmado": True}
    )
    assert (sem_confirmar.status, responsavel.status) == (400, 403)
    assert sem_confirmar.corpo["erro"] == texts.QUADRO_CONFIRMAR_CANCELAMENTO
    assert await quadro.retrato() == antes

    solicitante = await quadro.chamar(
        equipe.ana, "POST", caminho, {"para": "cancelado", "confirmado": True}
    )
    assert solicitante.status == 200
    assert solicitante.corpo["status"] == "cancelado"


async def test_a_stale_screen_is_refused(quadro: Quadro, equipe: Equipe) -> None:
    velho = (await quadro.chamar(equipe.ana, "GET", f"api/processos/{equipe.p1.id}")).corpo
    await quadro.services.processos.comentar(equipe.bruno, equipe.p1.id, "mudou algo")
    antes = await quadro.retrato()

    resposta = await quadro.chamar(
        equipe.ana, "POST", f"api/processos/{equipe.p1.id}/status",
        {"para": "em_andamento", "versao": velho["versao"]},
    )  # fmt: skip

    assert resposta.status == 409
    assert await quadro.retrato() == antes


async def test_a_comment_goes_to_the_history_and_to_the_others(
    quadro: Quadro, equipe: Equipe
) -> None:
    caminho = f"api/processos/{equipe.p1.id}/comentarios"
    antes = await quadro.retrato()
    vazio = await quadro.chamar(equipe.ana, "POST", caminho, {"texto": "   "})
    sem_texto = await quadro.chamar(equipe.ana, "POST", caminho, {"outra": 1})
    assert (vazio.status, sem_texto.status) == (400, 400)
    assert await quadro.retrato() == antes

    resposta = await quadro.chamar(equipe.ana, "POST", caminho, {"texto": "Pode ser à noite <b>?"})

    assert resposta.status == 200
    assert resposta.corpo["comentarios"][-1]["texto"] == "Pode ser à noite <b>?"
    assert (await quadro.eventos(equipe.p1.id))[-1][0] == "comentario"
    assert "Pode ser à noite &lt;b&gt;?" in (await quadro.avisos_para(equipe.bruno))[-1]


async def test_only_a_gestor_assigns(quadro: Quadro, equipe: Equipe) -> None:
    caminho = f"api/processos/{equipe.p2.id}/responsavel"
    antes = await quadro.retrato()

    # A membro may take an unowned processo for herself (🙋 Assumir in the chat), never give it.
    membro = await quadro.chamar(equipe.carla, "POST", caminho, {"responsavel_id": equipe.ana.id})
    ninguem = await quadro.chamar(equipe.gil, "POST", caminho, {"responsavel_id": 987654})
    candidatos_membro = await quadro.chamar(equipe.carla, "GET", "api/responsaveis")
    assert (membro.status, ninguem.status, candidatos_membro.status) == (403, 404, 403)
    assert membro.corpo["erro"] == texts.SO_GESTOR_ATRIBUI
    assert await quadro.retrato() == antes

    candidatos = await quadro.chamar(equipe.gil, "GET", "api/responsaveis")
    gestor = await quadro.chamar(equipe.gil, "POST", caminho, {"responsavel_id": equipe.bruno.id})

    assert {p["nome"] for p in candidatos.corpo} >= {"Ana", "Bruno", "Carla", "Gil"}
    assert gestor.status == 200 and gestor.corpo["responsavel"] == "Bruno"
    assert (await quadro.eventos(equipe.p2.id))[-1][:2] == ("responsavel", "Bruno")
    assert equipe.p2.numero in (await quadro.avisos_para(equipe.bruno))[-1]


async def test_a_deadline_is_read_like_in_the_chat_and_a_past_one_refused(
    quadro: Quadro, equipe: Equipe
) -> None:
    caminho = f"api/processos/{equipe.p2.id}/prazo"
    antes = await quadro.retrato()
    passado = await quadro.chamar(equipe.carla, "POST", caminho, {"prazo": "ontem 10h"})
    confuso = await quadro.chamar(equipe.carla, "POST", caminho, {"prazo": "quando der"})
    assert (passado.status, confuso.status) == (400, 400)
    assert await quadro.retrato() == antes

    resposta = await quadro.chamar(equipe.carla, "POST", caminho, {"prazo": "amanhã 14h"})

    assert resposta.status == 200
    assert resposta.corpo["prazo_texto"] == "amanhã 14:00"
    assert (await quadro.eventos(equipe.p2.id))[-1][0] == "prazo"


async def test_malformed_requests_change_nothing(quadro: Quadro, equipe: Equipe) -> None:
    antes = await quadro.retrato()
    caminho = f"{quadro.base_url}api/processos/{equipe.p1.id}/status"
    headers = {"Authorization": "tma " + quadro.init_data(equipe.ana)}

    async with quadro.http.post(caminho, data=b"{nao e json", headers=headers) as quebrado:
        assert quebrado.status == 400
    lista = await quadro.chamar(equipe.ana, "POST", f"api/processos/{equipe.p1.id}/status", [1])
    enorme = await quadro.chamar(equipe.ana, "GET", "api/processos/99999999999999999999")

    assert lista.status == 400
    assert enorme.status == 404
    assert await quadro.retrato() == antes


# -- the other tabs ---------------------------------------------------------------------------
async def test_reminders_tab_lists_creates_and_cancels_only_ones_own(
    quadro: Quadro, equipe: Equipe
) -> None:
    criado = await quadro.chamar(
        equipe.ana, "POST", "api/lembretes", {"texto": "amanhã 9h ligar para a Marta"}
    )
    assert criado.status == 200
    [lembrete] = criado.corpo
    assert lembrete["texto"] == "ligar para a Marta"
    assert lembrete["quando_texto"] == "amanhã 09:00"
    assert (await quadro.chamar(equipe.bruno, "GET", "api/lembretes")).corpo == []

    antes = await quadro.retrato()
    alheio = await quadro.chamar(equipe.bruno, "DELETE", f"api/lembretes/{lembrete['id']}")
    sem_hora = await quadro.chamar(equipe.ana, "POST", "api/lembretes", {"texto": "ligar"})
    assert (alheio.status, sem_hora.status) == (404, 400)
    assert await quadro.retrato() == antes

    cancelado = await quadro.chamar(equipe.ana, "DELETE", f"api/lembretes/{lembrete['id']}")
    assert cancelado.status == 200 and cancelado.corpo == []


async def test_the_knowledge_base_answers_with_citations_within_what_one_may_see(
    quadro: Quadro, equipe: Equipe, tmp_path: Path
) -> None:
    publico = tmp_path / "Manual de Deploy.md"
    publico.write_text(
        "# Manual de Deploy\n\n## Rollback\n\n"
        "Para reverter o deploy, rode o rollback do Kubernetes.\n"
    )
    privado = tmp_path / "Notas da Carla.md"
    privado.write_text("# Segredo\n\nO rollback secreto da Carla usa outra ferramenta.\n")
    conhecimento = quadro.services.conhecimento
    await conhecimento.processar(
        (await conhecimento.registrar_arquivo(publico, dono=equipe.ana)).id
    )
    doc = await conhecimento.registrar_arquivo(privado, dono=equipe.carla, privado=True)
    await conhecimento.processar(doc.id)

    ana = await quadro.chamar(equipe.ana, "GET", "api/conhecimento?q=rollback")
    carla = await quadro.chamar(equipe.carla, "GET", "api/conhecimento?q=rollback")
    vazio = await quadro.chamar(equipe.ana, "GET", "api/conhecimento?q=")

    assert [p["citacao"] for p in ana.corpo] == ["Manual de Deploy › Rollback"]
    assert "rollback do Kubernetes" in ana.corpo[0]["texto"]
    assert len(carla.corpo) == 2
    assert vazio.status == 400


# -- the page ---------------------------------------------------------------------------------
async def test_the_page_is_served_without_a_secret_and_app_without_slash_leads_to_it(
    quadro: Quadro,
) -> None:
    async with quadro.http.get(quadro.base_url) as pagina:
        html = await pagina.text()
    async with quadro.http.get(quadro.base_url.rstrip("/"), allow_redirects=False) as sem_barra:
        destino = sem_barra.headers["Location"]
    async with quadro.http.get(quadro.base_url + "estatico/app.js") as script:
        js = await script.text()

    assert pagina.status == 200
    assert "https://telegram.org/js/telegram-web-app.js" in html
    assert "Content-Security-Policy" in pagina.headers
    assert TOKEN not in html and TOKEN.split(":")[1] not in js
    assert destino == "/app/"
    assert "tma " in js


async def test_the_board_adapter_imports_neither_sqlalchemy_nor_telegram() -> None:
    from tests.test_arquitetura import _offenders

    assert _offenders("bot/quadro", {"sqlalchemy", "telegram", "handlers"}) == {}


async def test_no_database_statement_reaches_the_page_on_a_bug(
    quadro: Quadro, equipe: Equipe, caplog: pytest.LogCaptureFixture
) -> None:
    async with quadro.database.sessions.begin() as session:  # a broken row the code never makes
        await session.execute(text("ALTER TABLE processo_eventos RENAME TO eventos_sumidos"))
    try:
        resposta = await quadro.chamar(equipe.ana, "GET", f"api/processos/{equipe.p1.id}")
    finally:
        async with quadro.database.sessions.begin() as session:
            await session.execute(text("ALTER TABLE eventos_sumidos RENAME TO processo_eventos"))

    assert resposta.status == 500
    assert resposta.corpo == {"erro": to_plain(texts.ERRO_INTERNO)}
    assert "board GET" in caplog.text
