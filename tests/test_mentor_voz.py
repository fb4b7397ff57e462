"""Voice notes: transcribed, shown as heard, then handled exactly as if typed; refused clearly
when too long, without a model, or when the transcription fails (nothing reaches the model)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from bot.app import CogepApplication, build_application, serving
from bot.database import Database
from tests.conftest import mentor_settings
from tests.fake_openai import FakeOpenAI, Resposta, Transcricao
from tests.fake_telegram import JSON, FakeTelegram
from tests.test_mentor import espera_resposta
from tests.test_processos import registrar, tornar_gestor

AUDIO = b"OggS" + bytes(2048)  # the fake model does not listen; it answers its script


async def test_a_voice_note_is_shown_as_heard_and_asked_to_the_mentor(
    professor: CogepApplication, tg: FakeTelegram, ai: FakeOpenAI
) -> None:
    ana = await registrar(tg, 2201, "Ana")
    ai.transcricoes.append(Transcricao("Como eu versiono uma API <interna>?"))

    tg.send_voice(ana.user, AUDIO, duration=7)
    ouvida = await tg.wait_for_message(ana.id, predicate=lambda m: m["text"].startswith("🎙"))
    await espera_resposta(tg, ana.id, "Você perguntou: Como eu versiono uma API <interna>?")

    assert ouvida["text"] == "🎙 Como eu versiono uma API <interna>?"
    assert ouvida["entities"][0]["type"] == "italic"
    (audio,) = ai.audios
    assert (audio["model"], audio["language"], audio["tamanho"]) == ("whisper-1", "pt", len(AUDIO))
    assert ai.pedidos[-1]["messages"][-1]["content"] == "Como eu versiono uma API <interna>?"


async def test_a_voice_note_answers_the_current_guided_step(
    professor: CogepApplication, tg: FakeTelegram, ai: FakeOpenAI
) -> None:
    ana = await registrar(tg, 2202, "Ana")
    assert "título" in (await ana.diz("/novo"))["text"]
    ai.transcricoes.append(Transcricao("Migração do servidor de e-mail"))

    tg.send_voice(ana.user, AUDIO, duration=3)
    proxima = await tg.wait_for_message(ana.id, predicate=lambda m: "Descreva" in m["text"])

    assert proxima["text"]
    assert not ai.pedidos  # it was the title, not a question for the mentor


async def test_speech_never_runs_a_command(
    professor: CogepApplication, tg: FakeTelegram, ai: FakeOpenAI
) -> None:
    ana = await registrar(tg, 2203, "Ana")
    ai.transcricoes.append(Transcricao("/nova_conversa"))

    tg.send_voice(ana.user, AUDIO, duration=2)
    await espera_resposta(tg, ana.id, "Você perguntou: nova_conversa")

    assert not [m for m in tg.chat_messages(ana.id) if "conversa nova" in m["text"].lower()]


async def test_a_note_over_the_limit_is_refused_before_anything_is_fetched(
    professor: CogepApplication, tg: FakeTelegram, ai: FakeOpenAI
) -> None:
    ana = await registrar(tg, 2204, "Ana")

    tg.send_voice(ana.user, AUDIO, duration=301)
    recusa = await tg.wait_for_message(ana.id, predicate=lambda m: "301 s" in m["text"])

    assert "o máximo é 300 s" in recusa["text"]
    assert not tg.calls_to("getFile") and not ai.audios and not ai.pedidos


async def test_a_failed_transcription_is_told_and_nothing_reaches_the_model(
    professor: CogepApplication, tg: FakeTelegram, ai: FakeOpenAI
) -> None:
    ana = await registrar(tg, 2205, "Ana")
    ai.transcricoes.append(Transcricao(status=500))

    tg.send_voice(ana.user, AUDIO, duration=4)
    aviso = await tg.wait_for_message(ana.id, predicate=lambda m: "transcrever" in m["text"])

    assert "Nada foi enviado ao professor" in aviso["text"]
    assert len(ai.audios) == 1 and not ai.pedidos


async def test_without_a_model_a_voice_note_gets_a_clear_answer(
    bot: CogepApplication, tg: FakeTelegram
) -> None:
    ana = await registrar(tg, 2206, "Ana")

    tg.send_voice(ana.user, AUDIO, duration=4)
    aviso = await tg.wait_for_message(ana.id, predicate=lambda m: "🎙" in m["text"])

    assert "nenhum modelo de transcrição" in aviso["text"]
    assert not tg.calls_to("getFile")


async def test_in_a_group_only_a_note_replying_to_the_bot_is_heard(
    professor: CogepApplication, tg: FakeTelegram, ai: FakeOpenAI, database: Database
) -> None:
    gil = await registrar(tg, 2290, "Gil")
    await tornar_gestor(database, gil)
    grupo = tg.group(-100220, "Arquitetura")
    mark = tg.mark(grupo["id"])
    tg.my_chat_member(gil.user, new_status="administrator", chat=grupo)
    do_bot: JSON = await tg.wait_for_message(grupo["id"], after=mark)
    ana = await registrar(tg, 2207, "Ana")
    ai.transcricoes.append(Transcricao("e filas, professor?"))

    tg.send_voice(ana.user, AUDIO, duration=2, chat=grupo)  # not for the bot
    tg.send_voice(ana.user, AUDIO, duration=2, chat=grupo, reply_to=do_bot)
    await espera_resposta(tg, grupo["id"], "Você perguntou: e filas, professor?")

    assert len(ai.audios) == 1  # the note between people was not even transcribed


@pytest.fixture
async def orcamento_curto(
    tg: FakeTelegram, database: Database, database_url: str, ai: FakeOpenAI
) -> AsyncIterator[CogepApplication]:
    """The mentor with a daily budget of 10,000 tokens (a second of audio weighs 50)."""
    settings = mentor_settings(tg, database_url, ai, mentor_tokens_por_dia=10_000)
    app = build_application(settings, database=database)
    async with serving(app, poll_timeout=1):
        yield app


async def test_voice_is_counted_in_uso_and_in_the_daily_budget(
    orcamento_curto: CogepApplication, tg: FakeTelegram, ai: FakeOpenAI
) -> None:
    ana = await registrar(tg, 2208, "Ana")
    ai.transcricoes.append(Transcricao("uma pergunta falada"))
    ai.padrao = lambda pedido: Resposta(texto="Certo.", entrada=100, saida=20)

    tg.send_voice(ana.user, AUDIO, duration=120)  # 6,000 of the 10,000 tokens
    await espera_resposta(tg, ana.id, "Certo.")
    uso = await ana.diz("/uso")
    tg.send_voice(ana.user, AUDIO, duration=90)  # 4,500 more: over the budget
    recusa = await tg.wait_for_message(ana.id, predicate=lambda m: "limite" in m["text"].lower())

    assert "Áudio transcrito: hoje 120 s · neste mês 120 s · ≈ US$ 0,012" in uso["text"]
    assert "restam 3.880" in uso["text"]  # 10,000 - 120 - 6,000
    assert recusa["text"] and len(ai.audios) == 1  # the second note was not even transcribed
