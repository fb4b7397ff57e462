"""Voice notes: transcribed, shown as heard, then handled exactly as if typed; refused clearly
when too long, without a model, or when the transcription fails (nothing reaches the model)."""

from __future__ import annotations

from bot.app import CogepApplication
from bot.database import Database
from tests.fake_openai import FakeOpenAI, Transcricao
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
