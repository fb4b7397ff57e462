"""The mentor answers in the chat: streamed while the model writes, then one persisted message."""

from __future__ import annotations

import itertools
from collections.abc import AsyncIterator

import pytest

from bot.app import CogepApplication, build_application, serving
from bot.database import Database
from bot.mentor.formato import markdown_para_html
from tests.conftest import mentor_settings
from tests.fake_openai import FakeOpenAI, Resposta
from tests.fake_telegram import JSON, Call, FakeTelegram, parse_html
from tests.test_processos import registrar, tornar_gestor

RESPOSTA = (
    "Versione pela URL só quando o contrato quebra. Para mudanças compatíveis, **acrescente** "
    "campos e mantenha os antigos.\n\n- Documente a depreciação\n- Meça quem ainda usa a v1\n\n"
    "```python\n@app.get('/v2/pedidos')\ndef pedidos(): ...\n```\n\nE você, o que quebraria?"
)


RICAS = pytest.mark.parametrize("ricas", [True], ids=["ricas"])  # COGEP_MENSAGENS_RICAS=true


@pytest.fixture
def ricas() -> bool:
    """Whether the bot sends rich messages (opt-in; off by default)."""
    return False


@pytest.fixture
async def professor(
    tg: FakeTelegram, database: Database, database_url: str, ai: FakeOpenAI, ricas: bool
) -> AsyncIterator[CogepApplication]:
    """The mentor on the fake model, with rich messages as the test asks."""
    settings = mentor_settings(tg, database_url, ai, mensagens_ricas=ricas)
    app = build_application(settings, database=database)
    async with serving(app, poll_timeout=1):
        yield app


def como_html(markdown: str) -> str:
    """The text a client shows for the model's Markdown sent as HTML."""
    return parse_html(markdown_para_html(markdown))[0]


def respostas_finais(tg: FakeTelegram, chat_id: int) -> list[Call]:
    return [
        c
        for c in tg.calls
        if c.method in ("sendMessage", "sendRichMessage")
        and c.params.get("chat_id") == chat_id
        and c.error is None
    ]


async def espera_resposta(
    tg: FakeTelegram, chat_id: int, contem: str, *, timeout: float = 8
) -> JSON:
    """The answer containing `contem`, once final (a streaming preview ends with "▌")."""

    def final(m: JSON) -> bool:
        texto = m.get("text", "")
        return contem in texto and not texto.endswith("▌")

    return await tg.wait_for_message(chat_id, predicate=final, timeout=timeout)


@RICAS
async def test_a_private_question_streams_as_drafts_then_one_rich_message(
    professor: CogepApplication, tg: FakeTelegram, ai: FakeOpenAI
) -> None:
    ana = await registrar(tg, 1401, "Ana")
    ai.roteiro.append(Resposta(texto=RESPOSTA, pedaco=6, intervalo=0.03))

    ana.envia("Como versionar uma API sem quebrar os clientes?")
    final = await espera_resposta(tg, ana.id, "o que quebraria?")

    drafts = [d for d in tg.drafts(ana.id) if d["text"]]
    assert final["text"] == RESPOSTA  # the model's Markdown, untouched, as a rich message
    assert [c.method for c in respostas_finais(tg, ana.id)][-1] == "sendRichMessage"
    assert len(respostas_finais(tg, ana.id)) == 2  # the /start greeting, then the answer
    assert drafts and all(d["rich"] and d["can_stop"] for d in drafts)
    assert len(drafts) < len(RESPOSTA) / 6 / 2  # throttled: far fewer updates than pieces
    gaps = [b["at"] - a["at"] for a, b in itertools.pairwise(drafts)]
    # One update per 0.4 s at the client; arrival times jitter with the machine's load.
    assert min(gaps) >= 0.25 and sum(gaps) / len(gaps) >= 0.35, gaps
    pergunta = ai.pedidos[0]["messages"][-1]
    assert pergunta == {
        "role": "user",
        "content": "Como versionar uma API sem quebrar os clientes?",
    }
    assert "Anatoly Petrovich" in ai.pedidos[0]["messages"][0]["content"]


@RICAS
async def test_without_rich_messages_the_html_path_answers_and_the_refusal_costs_one_call(
    professor: CogepApplication, tg: FakeTelegram, ai: FakeOpenAI
) -> None:
    tg.refuse_rich = True
    ana = await registrar(tg, 1402, "Ana")
    ai.roteiro += [Resposta(texto=RESPOSTA, pedaco=40), Resposta(texto="Depende do *contexto*.")]

    ana.envia("Como versionar uma API?")
    primeira = await espera_resposta(tg, ana.id, "o que quebraria?")
    segunda = await ana.diz("E GraphQL?", timeout=8)

    tentativas_ricas = tg.calls_to("sendRichMessage") + tg.calls_to("sendRichMessageDraft")
    assert len(tentativas_ricas) == 1  # refused once, remembered for the process
    assert "acrescente" in primeira["text"] and "**" not in primeira["text"]
    assert _entidade(primeira, "acrescente") == "bold"
    assert _entidade(primeira, "@app.get") == "pre"
    assert segunda["text"] == "Depende do contexto."
    assert [d for d in tg.drafts(ana.id) if d["text"]]  # still streamed, as plain drafts
    assert [c.method for c in tg.calls if c.error] == [tentativas_ricas[0].method]


def _entidade(message: JSON, palavra: str) -> str | None:
    """The type of the entity covering `palavra` in a message."""
    inicio = message["text"].index(palavra)
    for entidade in message.get("entities", []):
        if entidade["offset"] <= inicio < entidade["offset"] + entidade["length"]:
            return str(entidade["type"])
    return None


async def test_a_long_html_answer_is_split_under_the_limit_with_every_part_valid(
    professor: CogepApplication, tg: FakeTelegram, ai: FakeOpenAI
) -> None:
    tg.refuse_rich = True
    ana = await registrar(tg, 1403, "Ana")
    bloco = "```sql\n" + "SELECT * FROM processos WHERE status = 'aberto';\n" * 60 + "```"
    longa = "\n\n".join([f"Parágrafo {i} com <tags> & **negrito** e `código`." for i in range(80)])
    ai.roteiro.append(Resposta(texto=f"{longa}\n\n{bloco}\n\nFim da revisão.", pedaco=500))

    ana.envia("Revise esta consulta")
    await espera_resposta(tg, ana.id, "Fim da revisão.")

    partes = [c for c in respostas_finais(tg, ana.id) if c.method == "sendMessage"][1:]
    assert len(partes) >= 3
    assert not [c for c in tg.calls if c.error and c.method == "sendMessage"]
    assert tg.chat_messages(ana.id)[-1]["text"].endswith("Fim da revisão.")
    assert "Parágrafo 79 com <tags> & negrito e código." in "\n".join(
        m["text"] for m in tg.chat_messages(ana.id)
    )


@pytest.fixture
async def grupo(professor: CogepApplication, tg: FakeTelegram, database: Database) -> JSON:
    """A group Gil (a gestor) added the bot to, so it is served."""
    gil = await registrar(tg, 1490, "Gil")
    await tornar_gestor(database, gil)
    chat = tg.group(-100140, "Arquitetura")
    mark = tg.mark(chat["id"])
    tg.my_chat_member(gil.user, new_status="administrator", chat=chat)
    await tg.wait_for_message(chat["id"], after=mark)
    return chat


async def test_in_a_group_a_placeholder_is_edited_about_once_a_second_then_answered(
    grupo: JSON, tg: FakeTelegram, ai: FakeOpenAI
) -> None:
    ana = await registrar(tg, 1404, "Ana")
    ai.roteiro.append(Resposta(texto=RESPOSTA, pedaco=4, intervalo=0.03))

    ana.envia("@cogep_test_bot como versionar uma API?", chat=grupo)
    final = await espera_resposta(tg, grupo["id"], "o que quebraria?")

    edicoes = [c for c in tg.calls_to("editMessageText") if c.params["chat_id"] == grupo["id"]]
    gaps = [b.at - a.at for a, b in itertools.pairwise(edicoes)]
    assert len(edicoes) >= 2 and all(gap >= 0.9 for gap in gaps)
    assert not tg.drafts(grupo["id"])  # drafts are for private chats only
    assert ai.pedidos[0]["messages"][-1]["content"] == "como versionar uma API?"
    assert final["text"] == como_html(RESPOSTA)  # all of it, as HTML (the default)
    restantes = [m["text"] for m in tg.chat_messages(grupo["id"])]
    assert not any("pensando" in t for t in restantes)  # the placeholder gave way to the answer


async def test_in_a_group_only_messages_addressed_to_the_bot_reach_the_model(
    grupo: JSON, tg: FakeTelegram, ai: FakeOpenAI
) -> None:
    ana = await registrar(tg, 1405, "Ana")

    ana.envia("alguém viu o deploy de ontem?", chat=grupo)
    resposta = await ana.diz("@cogep_test_bot o deploy de ontem deu certo?", chat=grupo)

    await espera_resposta(tg, grupo["id"], "Você perguntou: o deploy de ontem deu certo?")
    assert len(ai.pedidos) == 1
    assert resposta["chat"]["id"] == grupo["id"]


async def test_a_group_has_its_own_memory_apart_from_each_members_private_one(
    grupo: JSON, tg: FakeTelegram, ai: FakeOpenAI
) -> None:
    ana = await registrar(tg, 1406, "Ana")
    await ana.diz("Meu segredo: prefiro Rust", timeout=8)
    await espera_resposta(tg, ana.id, "Você perguntou: Meu segredo")

    ana.envia("@cogep_test_bot o que eu prefiro?", chat=grupo)
    await espera_resposta(tg, grupo["id"], "Você perguntou: o que eu prefiro?")

    enviado_ao_grupo = " ".join(str(m["content"]) for m in ai.pedidos[-1]["messages"])
    assert "prefiro Rust" not in enviado_ao_grupo


async def test_a_question_sent_while_an_answer_runs_is_queued_and_told_so(
    professor: CogepApplication, tg: FakeTelegram, ai: FakeOpenAI
) -> None:
    ana, bia = await registrar(tg, 1407, "Ana"), await registrar(tg, 1408, "Bia")
    ai.roteiro += [Resposta(texto="Primeira resposta, devagar.", pedaco=3, intervalo=0.1)]

    ana.envia("primeira pergunta")
    await ai.esperar(lambda: len(ai.pedidos) == 1)
    aviso = await ana.diz("segunda pergunta")
    bia.envia("pergunta da Bia")
    resposta_bia = await espera_resposta(tg, bia.id, "Você perguntou: pergunta da Bia")
    await espera_resposta(tg, ana.id, "Você perguntou: segunda pergunta")

    assert "fila" in aviso["text"]
    textos_ana = [m["text"] for m in tg.chat_messages(ana.id)]
    primeira = textos_ana.index("Primeira resposta, devagar.")
    assert primeira < textos_ana.index("Você perguntou: segunda pergunta")
    # Bia was not held behind Ana's slow answer.
    assert resposta_bia["message_id"] and ai.concluidas >= 2
    bia_pronta = next(c.at for c in respostas_finais(tg, bia.id)[1:])
    ana_pronta = next(c.at for c in respostas_finais(tg, ana.id) if "devagar" in str(c.params))
    assert bia_pronta < ana_pronta


@RICAS
async def test_one_refused_rich_message_falls_back_alone_and_rich_stays_on(
    professor: CogepApplication, tg: FakeTelegram, ai: FakeOpenAI
) -> None:
    ana = await registrar(tg, 1409, "Ana")
    tg.fail_next("sendRichMessage", error_code=400, description="Bad Request: RICH_MESSAGE_INVALID")
    ai.roteiro += [Resposta(texto="Primeira **resposta**."), Resposta(texto="Segunda resposta.")]

    ana.envia("um")
    primeira = await espera_resposta(tg, ana.id, "Primeira resposta.")
    ana.envia("dois")
    await espera_resposta(tg, ana.id, "Segunda resposta.")

    metodos = [c.method for c in respostas_finais(tg, ana.id)][1:]
    assert metodos == ["sendMessage", "sendRichMessage"]  # HTML once; rich again next time
    assert _entidade(primeira, "resposta") == "bold"


async def test_in_a_group_without_rich_messages_the_placeholder_becomes_the_answer(
    grupo: JSON, tg: FakeTelegram, ai: FakeOpenAI
) -> None:
    tg.refuse_rich = True
    ana = await registrar(tg, 1410, "Ana")
    ai.roteiro.append(Resposta(texto="Use *filas* com idempotência.", pedaco=5, intervalo=0.02))

    ana.envia("@cogep_test_bot como processo pagamentos?", chat=grupo)
    final = await espera_resposta(tg, grupo["id"], "idempotência.")

    enviados = [c for c in respostas_finais(tg, grupo["id"]) if "pensando" in str(c.params)]
    assert len(enviados) == 1 and enviados[0].result["message_id"] == final["message_id"]
    assert final["text"] == "Use filas com idempotência."
    assert "reply_markup" not in final or not final["reply_markup"]["inline_keyboard"]


@RICAS
async def test_flood_control_while_streaming_slows_the_edits_and_the_final_text_arrives(
    grupo: JSON, tg: FakeTelegram, ai: FakeOpenAI
) -> None:
    ana = await registrar(tg, 1411, "Ana")
    espera = "Too Many Requests: retry after 1"
    tg.fail_next("editMessageText", error_code=429, description=espera, retry_after=1)
    tg.fail_next("sendRichMessage", error_code=429, description=espera, retry_after=1)
    ai.roteiro.append(Resposta(texto=RESPOSTA, pedaco=4, intervalo=0.06))  # about 5 s

    ana.envia("@cogep_test_bot como versionar uma API?", chat=grupo)
    final = await espera_resposta(tg, grupo["id"], "o que quebraria?", timeout=15)

    edicoes = [c for c in tg.calls_to("editMessageText") if c.params["chat_id"] == grupo["id"]]
    recusada = next(i for i, c in enumerate(edicoes) if c.error)
    depois = edicoes[recusada:]
    assert len(depois) >= 2 and depois[1].at - depois[0].at >= 1.0  # waited what Telegram asked
    assert final["text"] == RESPOSTA  # the complete text, despite two 429s
