"""Photos: the mentor sees the picture (the largest size under the limit, as a data URL) with
the caption as the question; a model that refuses images is noted once and remembered; the
memory keeps "[imagem]" and the caption, never the bytes."""

from __future__ import annotations

import base64

from sqlalchemy import select

from bot.app import CogepApplication
from bot.database import Database
from db.models import Mensagem
from handlers.midia import IMAGEM_MAX_BYTES
from tests.fake_openai import FakeOpenAI, imagens_de
from tests.fake_telegram import FakeTelegram
from tests.test_mentor import espera_resposta
from tests.test_processos import registrar

PEQUENA, MEDIA = b"\xff\xd8 pequena", b"\xff\xd8 media" + bytes(4000)
GIGANTE = b"\xff\xd8" + bytes(IMAGEM_MAX_BYTES)  # one byte over the limit


async def test_a_photo_goes_to_the_mentor_as_an_image_with_its_caption_as_the_question(
    professor: CogepApplication, tg: FakeTelegram, ai: FakeOpenAI, database: Database
) -> None:
    ana = await registrar(tg, 2301, "Ana")

    tg.send_photo(ana.user, [PEQUENA, MEDIA, GIGANTE], caption="o que significa esse erro?")
    await espera_resposta(tg, ana.id, "Você perguntou: [imagem] o que significa esse erro?")

    (imagem,) = imagens_de(ai.pedidos[-1])
    assert imagem == "data:image/jpeg;base64," + base64.b64encode(MEDIA).decode()
    async with database.sessions() as session:
        guardada = await session.scalar(
            select(Mensagem.texto).where(Mensagem.papel == "usuario").order_by(Mensagem.id.desc())
        )
    assert guardada == "[imagem] o que significa esse erro?"  # no bytes in the memory


async def test_a_model_without_images_is_noted_once_and_remembered(
    professor: CogepApplication, tg: FakeTelegram, ai: FakeOpenAI
) -> None:
    ana = await registrar(tg, 2302, "Ana")
    ai.sem_imagens = True

    tg.send_photo(ana.user, [PEQUENA], caption="e este diagrama?")
    primeira = await espera_resposta(tg, ana.id, "Você perguntou: [imagem] e este diagrama?")
    tg.send_photo(ana.user, [PEQUENA], caption="e este outro?")
    segunda = await espera_resposta(tg, ana.id, "Você perguntou: [imagem] e este outro?")

    assert "não aceita imagens" in primeira["text"]
    assert "não aceita imagens" not in segunda["text"]  # told once
    com_imagem = [p for p in ai.pedidos if imagens_de(p)]
    assert len(com_imagem) == 1  # the process remembers: the second photo went as text


async def test_a_photo_too_large_in_every_size_is_refused_clearly(
    professor: CogepApplication, tg: FakeTelegram, ai: FakeOpenAI
) -> None:
    ana = await registrar(tg, 2303, "Ana")

    tg.send_photo(ana.user, [GIGANTE], caption="olha isso")
    recusa = await tg.wait_for_message(ana.id, predicate=lambda m: "🖼" in m["text"])

    assert "grande demais" in recusa["text"]
    assert not ai.pedidos and not tg.calls_to("getFile")
