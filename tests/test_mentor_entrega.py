"""A failing preview never costs the answer: each failure of each way of showing it steps down.

Every Bot API method the mentor streams or answers with is made to fail in each way a server
fails (a 400, a 500, a timeout, a dropped connection); the whole answer still arrives, is
stored, and the failed way is not tried again for the rest of that answer.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from sqlalchemy import select
from telegram.request import HTTPXRequest

from bot.app import CogepApplication, build_application, serving
from bot.database import Database
from db.models import Mensagem
from tests.conftest import mentor_settings
from tests.fake_openai import Chamada, FakeOpenAI, Resposta
from tests.fake_telegram import JSON, FakeTelegram
from tests.test_mentor import RESPOSTA, como_html, espera_resposta
from tests.test_processos import registrar, tornar_gestor

LEITURA = 0.75  # the bot's read timeout here; a hung call is given up after it
FALHAS = {  # name: (status, description, kind)
    "400": (400, "Bad Request: DRAFT_INVALID", "status"),
    "500": (500, "Internal Server Error", "status"),
    "timeout": (500, "hung", "timeout"),
    "rede": (500, "dropped", "network"),
}


def falhar(tg: FakeTelegram, metodo: str, falha: str, **kwargs: int) -> None:
    """Make `metodo` fail the way `falha` names."""
    status, descricao, tipo = FALHAS[falha]
    tg.fail_next(metodo, error_code=status, description=descricao, kind=tipo, **kwargs)


@pytest.fixture
def ricas() -> bool:
    return False


@pytest.fixture
async def professor(
    tg: FakeTelegram, database: Database, database_url: str, ai: FakeOpenAI, ricas: bool
) -> AsyncIterator[CogepApplication]:
    """The mentor on the fake model, giving up on a Bot API call after LEITURA seconds."""
    tg.hang_seconds = LEITURA * 2
    app = build_application(
        mentor_settings(tg, database_url, ai, mensagens_ricas=ricas),
        database=database,
        request=HTTPXRequest(connection_pool_size=64, read_timeout=LEITURA),
        updates_request=HTTPXRequest(connection_pool_size=2),
    )
    async with serving(app, poll_timeout=1):
        yield app


async def ultima_resposta_guardada(database: Database) -> tuple[str, str]:
    async with database.sessions() as session:
        linha = (
            await session.scalars(
                select(Mensagem).where(Mensagem.papel == "mentor").order_by(Mensagem.id.desc())
            )
        ).first()
        assert linha is not None
        return linha.estado, linha.texto


def chamadas(tg: FakeTelegram, metodo: str, chat_id: int, *, desde: int = 0) -> int:
    return sum(1 for c in tg.calls[desde:] if c.method == metodo and c.params["chat_id"] == chat_id)


def sem_traceback(caplog: pytest.LogCaptureFixture) -> None:
    """The failure is told in one log line, not a traceback."""
    assert not [r for r in caplog.records if r.exc_info and r.name.startswith("cogep")]


@pytest.mark.parametrize("falha", FALHAS)
async def test_a_failing_draft_turns_drafts_off_for_that_answer_and_the_answer_arrives(
    professor: CogepApplication, tg: FakeTelegram, ai: FakeOpenAI, database: Database,
    falha: str, caplog: pytest.LogCaptureFixture,
) -> None:  # fmt: skip
    ana = await registrar(tg, 2101, "Ana")
    ai.roteiro.append(Resposta(texto=RESPOSTA, pedaco=6, intervalo=0.03))
    falhar(tg, "sendMessageDraft", falha, times=50, after=1)  # "thinking" passes
    inicio = len(tg.calls)

    ana.envia("Como versionar uma API?")
    final = await espera_resposta(tg, ana.id, "o que quebraria?", timeout=10)

    assert final["text"] == como_html(RESPOSTA)
    assert chamadas(tg, "sendMessageDraft", ana.id, desde=inicio) == 2  # none after the failure
    assert await ultima_resposta_guardada(database) == ("ok", RESPOSTA)
    sem_traceback(caplog)


@pytest.mark.parametrize("ricas", [True])
@pytest.mark.parametrize("falha", FALHAS)
async def test_a_failing_rich_draft_steps_down_to_html_drafts(
    professor: CogepApplication, tg: FakeTelegram, ai: FakeOpenAI, database: Database,
    falha: str, caplog: pytest.LogCaptureFixture,
) -> None:  # fmt: skip
    ana = await registrar(tg, 2102, "Ana")
    ai.roteiro.append(Resposta(texto=RESPOSTA, pedaco=6, intervalo=0.03))
    falhar(tg, "sendRichMessageDraft", falha, times=50)
    inicio = len(tg.calls)

    ana.envia("Como versionar uma API?")
    final = await espera_resposta(tg, ana.id, "o que quebraria?", timeout=10)

    assert final["text"] == RESPOSTA  # the final rich message still works
    assert chamadas(tg, "sendRichMessageDraft", ana.id, desde=inicio) == 1
    assert [d for d in tg.drafts(ana.id) if d["text"] and not d["rich"]]  # HTML drafts went on
    assert await ultima_resposta_guardada(database) == ("ok", RESPOSTA)
    sem_traceback(caplog)


@pytest.mark.parametrize("ricas", [True])
@pytest.mark.parametrize("falha", FALHAS)
async def test_a_failing_rich_message_is_sent_as_html(
    professor: CogepApplication, tg: FakeTelegram, ai: FakeOpenAI, database: Database,
    falha: str, caplog: pytest.LogCaptureFixture,
) -> None:  # fmt: skip
    ana = await registrar(tg, 2103, "Ana")
    ai.roteiro.append(Resposta(texto=RESPOSTA, pedaco=40))
    falhar(tg, "sendRichMessage", falha, times=50)
    inicio = len(tg.calls)

    ana.envia("Como versionar uma API?")
    final = await espera_resposta(tg, ana.id, "o que quebraria?", timeout=10)

    assert final["text"] == como_html(RESPOSTA)
    assert any(e["type"] == "pre" for e in final["entities"])  # HTML, formatting kept
    assert chamadas(tg, "sendRichMessage", ana.id, desde=inicio) == 1
    assert await ultima_resposta_guardada(database) == ("ok", RESPOSTA)
    sem_traceback(caplog)


@pytest.mark.parametrize("falha", FALHAS)
async def test_a_failing_html_answer_is_sent_as_plain_text(
    professor: CogepApplication, tg: FakeTelegram, ai: FakeOpenAI, database: Database,
    falha: str, caplog: pytest.LogCaptureFixture,
) -> None:  # fmt: skip
    ana = await registrar(tg, 2104, "Ana")
    ai.roteiro.append(Resposta(texto=RESPOSTA, pedaco=40))
    falhar(tg, "sendMessage", falha, chat_id=ana.id)
    inicio = len(tg.calls)

    ana.envia("Como versionar uma API?")
    final = await espera_resposta(tg, ana.id, "o que quebraria?", timeout=10)

    assert final["text"] == como_html(RESPOSTA)
    assert not final.get("entities")  # plain text: nothing left to refuse
    assert chamadas(tg, "sendMessage", ana.id, desde=inicio) == 2
    assert await ultima_resposta_guardada(database) == ("ok", RESPOSTA)
    sem_traceback(caplog)


@pytest.fixture
async def grupo(professor: CogepApplication, tg: FakeTelegram, database: Database) -> JSON:
    gil = await registrar(tg, 2190, "Gil")
    await tornar_gestor(database, gil)
    chat = tg.group(-100210, "Arquitetura")
    mark = tg.mark(chat["id"])
    tg.my_chat_member(gil.user, new_status="administrator", chat=chat)
    await tg.wait_for_message(chat["id"], after=mark)
    return chat


@pytest.mark.parametrize("falha", FALHAS)
async def test_a_failing_edit_in_a_group_stops_the_previews_and_the_answer_is_sent_anew(
    grupo: JSON, tg: FakeTelegram, ai: FakeOpenAI, database: Database,
    falha: str, caplog: pytest.LogCaptureFixture,
) -> None:  # fmt: skip
    ana = await registrar(tg, 2105, "Ana")
    ai.roteiro.append(Resposta(texto=RESPOSTA, pedaco=6, intervalo=0.03))
    falhar(tg, "editMessageText", falha, times=50)
    inicio = len(tg.calls)

    ana.envia("@cogep_test_bot como versionar uma API?", chat=grupo)
    final = await espera_resposta(tg, grupo["id"], "o que quebraria?", timeout=10)

    assert final["text"] == como_html(RESPOSTA)
    assert chamadas(tg, "editMessageText", grupo["id"], desde=inicio) == 1
    await tg.wait_for(lambda: [c for c in tg.calls_to("deleteMessage") if c.result])
    restantes = [m["text"] for m in tg.chat_messages(grupo["id"])]
    assert not any("pensando" in t for t in restantes)  # the frozen placeholder was removed
    assert await ultima_resposta_guardada(database) == ("ok", RESPOSTA)
    sem_traceback(caplog)


async def test_a_tool_round_ends_the_draft_and_shows_that_processos_are_being_consulted(
    professor: CogepApplication, tg: FakeTelegram, ai: FakeOpenAI
) -> None:
    ana = await registrar(tg, 2106, "Ana")
    ai.roteiro += [
        Resposta(texto="Vou olhar seus processos.", pedaco=3, intervalo=0.05,
                 chamadas=[Chamada("listar_processos", {"filtro": "todos"})]),
        Resposta(texto="Você não tem processos abertos.", pedaco=3, intervalo=0.05),
    ]  # fmt: skip

    ana.envia("Tenho algo pendente?")
    final = await espera_resposta(tg, ana.id, "processos abertos.", timeout=10)

    consulta = next(
        c for c in tg.calls if c.method == "sendMessage" and "consultando" in c.params["text"]
    )
    drafts = [d for d in tg.drafts(ana.id) if d["text"]]
    antes = [d["text"] for d in drafts if d["at"] < consulta.at]
    depois = [d["text"] for d in drafts if d["at"] > consulta.at]
    assert antes and all("Você" not in t for t in antes)  # the draft ended before the tools
    assert depois and "Você não" in depois[-1]  # and came back with the next round's text
    await tg.wait_for(lambda: [c for c in tg.calls_to("deleteMessage") if c.result])
    assert [m["text"] for m in tg.chat_messages(ana.id)][-1] == final["text"]
    assert not [m for m in tg.chat_messages(ana.id) if "consultando" in m["text"]]
    assert final["text"] == "Vou olhar seus processos.\n\nVocê não tem processos abertos."
