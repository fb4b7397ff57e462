"""The knowledge base from the chat: send a file or a link, get told when it is in, find it.

Files go through the fake Bot API as on Telegram: a document message, then getFile and the
download. Pages for /ingerir are served from 127.0.0.1 (allowed by
COGEP_INGEST_PERMITIR_REDE_LOCAL in these tests only).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
from aiohttp import web
from sqlalchemy import func, select

from bot.app import CogepApplication, build_application, serving
from bot.database import Database
from db.models import Documento, Trecho
from tests import documentos_de_teste as arquivos
from tests.conftest import make_settings
from tests.fake_telegram import FakeTelegram
from tests.people import Pessoa
from tests.test_processos import registrar

PDF = "application/pdf"
PRONTO = "está na base de conhecimento"


async def envia_arquivo(
    pessoa: Pessoa, nome: str, conteudo: bytes, *, mime: str = PDF, legenda: str | None = None
) -> dict[str, Any]:
    """Send a document; return the bot's immediate answer."""
    pessoa._cursor = len(pessoa.tg.calls)
    pessoa.tg.send_document(pessoa.user, nome, conteudo, mime_type=mime, caption=legenda)
    return await pessoa.ve(None)


async def aviso(pessoa: Pessoa, contendo: str, *, timeout: float = 20.0) -> dict[str, Any]:
    """The notice about a document, whenever it comes."""
    return await pessoa.ve(contendo, timeout=timeout)


def negritos(mensagem: dict[str, Any]) -> set[str]:
    """The bold words of a message (entity offsets count UTF-16 units)."""
    texto = mensagem["text"].encode("utf-16-le")
    return {
        texto[2 * e["offset"] : 2 * (e["offset"] + e["length"])].decode("utf-16-le")
        for e in mensagem.get("entities", [])
        if e["type"] == "bold"
    }


@pytest.fixture
async def pagina_local() -> AsyncIterator[str]:
    """An intranet page on 127.0.0.1, with navigation and a script around its content."""
    html = """<html><head><title>Política de Backups</title><script>var segredo = 'tokenjs';
    </script></head><body><nav>Início Produtos Contato</nav><main><h1>Política de Backups</h1>
    <h2>Retenção</h2><p>Os backups diários são guardados por trinta dias e os mensais por um
    ano.</p></main><footer>© Empresa</footer></body></html>"""

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
async def bot_intranet(
    tg: FakeTelegram, database: Database, database_url: str
) -> AsyncIterator[CogepApplication]:
    """The bot, allowed to fetch from the local network."""
    settings = make_settings(tg, database_url, COGEP_INGEST_PERMITIR_REDE_LOCAL=True)
    app = build_application(settings, database=database)
    async with serving(app, poll_timeout=1):
        yield app


async def test_a_pdf_sent_in_the_chat_is_searchable_with_highlights_and_ver_mais(
    bot: CogepApplication, tg: FakeTelegram
) -> None:
    ana = await registrar(tg, 501, "Ana")

    recebido = await envia_arquivo(ana, "manual.pdf", arquivos.pdf_manual())
    pronto = await aviso(ana, PRONTO)
    achado = await ana.diz("/conhecimento avaliacao trimestral")
    inteiro = await ana.toca(achado, "Ver mais 1")

    assert "Recebi" in recebido["text"] and "segundo plano" in recebido["text"]
    assert "Manual de Deploy" in pronto["text"] and "2 páginas, 2 trechos" in pronto["text"]
    assert "Manual de Deploy › Preparação, p. 1" in achado["text"]
    assert {"avaliações", "trimestrais"} <= negritos(achado)
    assert "Sem essa revisão, nenhuma versão sobe." in inteiro["text"]


async def test_a_private_document_stays_with_its_sender(
    bot: CogepApplication, tg: FakeTelegram
) -> None:
    ana = await registrar(tg, 501, "Ana")
    bruno = await registrar(tg, 502, "Bruno")

    await envia_arquivo(ana, "manual.pdf", arquivos.pdf_manual(), legenda="#privado rascunho")
    pronto = await aviso(ana, PRONTO)
    dela = await ana.diz("/conhecimento rollback")
    dele = await bruno.diz("/conhecimento rollback")
    lista_dele = await bruno.diz("/documentos")

    assert "Só você o vê" in pronto["text"]
    assert "Rollback" in dela["text"]
    assert "Nada encontrado" in dele["text"]
    assert "Nenhum documento" in lista_dele["text"]


async def test_removing_from_the_card_asks_first_then_search_forgets_it(
    bot: CogepApplication, tg: FakeTelegram
) -> None:
    ana = await registrar(tg, 501, "Ana")
    bruno = await registrar(tg, 502, "Bruno")
    await envia_arquivo(ana, "manual.pdf", arquivos.pdf_manual())
    await aviso(ana, PRONTO)

    lista = await bruno.diz("/documentos")
    cartao_dele = await bruno.toca(lista, "Manual de Deploy")
    lista = await ana.diz("/documentos")
    cartao = await ana.toca(lista, "Manual de Deploy")
    pergunta = await ana.toca(cartao, "Remover")
    removido = await ana.toca(pergunta, "Sim, remover")
    depois = await bruno.diz("/conhecimento rollback")

    assert "✅ pronto" in lista["text"] and "por Ana" in lista["text"]
    assert "Trechos: 2" in cartao["text"]
    assert not any("Remover" in b for b in bruno.botoes(cartao_dele))
    assert "Remover <b>" not in pergunta["text"] and "Remover Manual de Deploy" in pergunta["text"]
    assert "foi removido da base" in removido["text"]
    assert "Nada encontrado" in depois["text"]


async def test_the_private_toggle_hides_it_from_the_team(
    bot: CogepApplication, tg: FakeTelegram
) -> None:
    ana = await registrar(tg, 501, "Ana")
    bruno = await registrar(tg, 502, "Bruno")
    await envia_arquivo(ana, "manual.pdf", arquivos.pdf_manual())
    await aviso(ana, PRONTO)
    lista = await ana.diz("/documentos")
    cartao = await ana.toca(lista, "Manual de Deploy")

    privado = await ana.toca(cartao, "Tornar privado")
    dele = await bruno.diz("/conhecimento rollback")

    assert "só quem enviou 🔒" in privado["text"]
    assert "Nada encontrado" in dele["text"]


async def test_a_duplicate_is_named_and_a_zip_bomb_refused(
    bot: CogepApplication, tg: FakeTelegram, database: Database
) -> None:
    ana = await registrar(tg, 501, "Ana")
    await envia_arquivo(ana, "manual.pdf", arquivos.pdf_manual())
    await aviso(ana, PRONTO)

    await envia_arquivo(ana, "copia.pdf", arquivos.pdf_manual())
    duplicado = await aviso(ana, "Não consegui adicionar")
    await envia_arquivo(ana, "relatorio.docx", arquivos.bomba_zip(), mime="application/zip")
    bomba = await aviso(ana, "Não consegui adicionar")

    assert "já está na base, como “Manual de Deploy”" in duplicado["text"]
    assert "bomba de compressão" in bomba["text"]
    async with database.sessions() as session:
        status = list(await session.scalars(select(Documento.status).order_by(Documento.id)))
    assert status == ["pronto", "falhou"]


async def test_files_too_big_for_telegram_or_of_an_unknown_type_are_refused_at_once(
    bot: CogepApplication, tg: FakeTelegram, database: Database
) -> None:
    ana = await registrar(tg, 501, "Ana")

    grande = await envia_arquivo(ana, "video.pdf", b"%PDF" + b"0" * (21 * 1024 * 1024))
    planilha = await envia_arquivo(ana, "contas.xlsx", b"PK\x03\x04", mime="application/zip")

    assert "20 MB" in grande["text"] and "Telegram" in grande["text"]
    assert "não é suportado" in planilha["text"]
    async with database.sessions() as session:
        assert await session.scalar(select(func.count()).select_from(Documento)) == 0


async def test_a_page_from_a_link_is_ingested_without_its_scripts_and_navigation(
    bot_intranet: CogepApplication, tg: FakeTelegram, pagina_local: str
) -> None:
    ana = await registrar(tg, 501, "Ana")

    await ana.diz(f"/ingerir {pagina_local}")
    pronto = await aviso(ana, PRONTO)
    retencao = await ana.diz("/conhecimento backups mensais")
    script = await ana.diz("/conhecimento tokenjs")
    menu = await ana.diz("/conhecimento produtos")

    assert "Política de Backups" in pronto["text"]
    assert "Política de Backups › Retenção" in retencao["text"]
    assert "Nada encontrado" in script["text"] and "Nada encontrado" in menu["text"]


async def test_links_to_the_internal_network_are_refused(
    bot: CogepApplication, tg: FakeTelegram, pagina_local: str
) -> None:
    ana = await registrar(tg, 501, "Ana")

    await ana.diz(f"/ingerir {pagina_local}")
    recusado = await aviso(ana, "Não consegui adicionar")
    invalido = await ana.diz("/ingerir ftp://arquivos.empresa.com/manual.pdf")

    assert "rede interna" in recusado["text"]
    assert "Endereço inválido" in invalido["text"]


async def test_a_bot_stopped_mid_download_finishes_the_document_once_after_restart(
    tg: FakeTelegram, database: Database, database_url: str
) -> None:
    settings = make_settings(tg, database_url)
    ana = Pessoa(tg, 501, "Ana")
    tg.hold_downloads()
    async with serving(build_application(settings, database=database), poll_timeout=1):
        await ana.diz("/start")
        await envia_arquivo(ana, "manual.pdf", arquivos.pdf_manual())
        await tg.wait_for(lambda: tg.downloads_started or None, timeout=10)
    tg.release_downloads()

    async with serving(build_application(settings, database=database), poll_timeout=1):
        pronto = await aviso(ana, PRONTO)

    avisos = [m for m in tg.chat_messages(501) if PRONTO in m.get("text", "")]
    assert "Manual de Deploy" in pronto["text"] and len(avisos) == 1
    async with database.sessions() as session:
        assert await session.scalar(select(func.count()).select_from(Trecho)) == 2
        assert await session.scalar(select(Documento.tentativas)) == 2


async def test_buscar_offers_the_same_words_in_the_documents(
    bot: CogepApplication, tg: FakeTelegram
) -> None:
    ana = await registrar(tg, 501, "Ana")
    await envia_arquivo(ana, "manual.pdf", arquivos.pdf_manual())
    await aviso(ana, PRONTO)

    processos = await ana.diz("/buscar rollback")
    documentos = await ana.toca(processos, "Procurar nos documentos")

    assert "Manual de Deploy › Rollback, p. 2" in documentos["text"]


async def test_one_sender_cannot_fill_the_queue(
    tg: FakeTelegram, database: Database, database_url: str
) -> None:
    settings = make_settings(tg, database_url, COGEP_INGEST_POR_USUARIO=1)
    ana = Pessoa(tg, 501, "Ana")
    tg.hold_downloads()
    async with serving(build_application(settings, database=database), poll_timeout=1):
        await ana.diz("/start")
        primeiro = await envia_arquivo(ana, "manual.pdf", arquivos.pdf_manual())
        segundo = await envia_arquivo(ana, "guia.docx", arquivos.docx_com_titulos())
        tg.release_downloads()
        await aviso(ana, PRONTO)

    assert "Recebi" in primeiro["text"]
    assert "já tem 1 documentos sendo processados" in segundo["text"]


async def test_a_failed_ingestion_is_listed_once_and_only_to_its_sender(
    bot: CogepApplication, tg: FakeTelegram, database: Database, pagina_local: str
) -> None:
    ana = await registrar(tg, 501, "Ana")
    bruno = await registrar(tg, 502, "Bruno")
    for _ in range(2):  # tried again: still refused
        await ana.diz(f"/ingerir {pagina_local}")
        await aviso(ana, "Não consegui adicionar")

    da_ana = await ana.diz("/documentos")
    do_bruno = await bruno.diz("/documentos")

    assert da_ana["text"].count("127.0.0.1") == 1
    assert "127.0.0.1" not in do_bruno["text"]
    async with database.sessions() as session:
        assert await session.scalar(select(func.count()).select_from(Documento)) == 1


async def test_a_pasted_page_as_a_query_is_not_echoed_back_whole(
    bot: CogepApplication, tg: FakeTelegram
) -> None:
    ana = await registrar(tg, 501, "Ana")
    colado = " ".join(["servidor"] + [f"palavra{i}" for i in range(600)])  # ~4,900 characters

    resposta = await ana.diz(f"/conhecimento {colado}")

    assert "Nada encontrado" in resposta["text"]
    assert len(resposta["text"]) < 400 and "palavra599" not in resposta["text"]
