"""/exportar and /relatorio: files a person opens elsewhere, holding only what they may see."""

from __future__ import annotations

import csv
import io
import re
from datetime import datetime
from typing import Any

import pytest
from sqlalchemy import select

from bot.app import CogepApplication
from bot.database import Database
from db.models import Processo
from tests.fake_telegram import Call, FakeTelegram, Upload
from tests.people import Pessoa
from tests.test_processos import SP, abrir, registrar, tornar_gestor


@pytest.fixture
async def equipe(bot: CogepApplication, tg: FakeTelegram, database: Database) -> dict[str, Pessoa]:
    """Ana and Bruno are membros, Gil is a gestor; Ana has two processos, Bruno one."""
    pessoas = {
        "ana": await registrar(tg, 201, "Ana"),
        "bruno": await registrar(tg, 202, "Bruno"),
        "gil": await registrar(tg, 203, "Gil"),
    }
    await tornar_gestor(database, pessoas["gil"])
    await abrir(pessoas["ana"], "Migrar o servidor; de e-mail | prazo 30/12/2030 14:00")
    await abrir(pessoas["ana"], '=HYPERLINK("http://mal.example") | prioridade alta')
    await abrir(pessoas["bruno"], "Processo do Bruno")
    return pessoas


async def arquivo(pessoa: Pessoa, comando: str) -> tuple[Upload, dict[str, object]]:
    """Send the command; the document the bot sent back and its message."""
    pessoa.envia(comando)
    call = await pessoa.tg.wait_for_call("sendDocument", after=pessoa._cursor)
    mensagem = call.result
    assert call.params["chat_id"] == pessoa.id
    documento = call.params["document"]
    assert isinstance(documento, Upload)
    return documento, mensagem


def linhas(documento: Upload) -> list[list[str]]:
    """The CSV's rows, read as Excel pt-BR would: UTF-8 with BOM, `;`-separated."""
    assert documento.content.startswith(b"\xef\xbb\xbf")
    texto = documento.content.decode("utf-8-sig")
    return list(csv.reader(io.StringIO(texto), delimiter=";"))


async def test_exportar_sends_a_csv_of_what_the_user_sees(equipe: dict[str, Pessoa]) -> None:
    documento, mensagem = await arquivo(equipe["ana"], "/exportar todos")

    tabela = linhas(documento)
    assert tabela[0][:3] == ["Número", "Título", "Status"]
    titulos = {linha[1] for linha in tabela[1:]}
    assert titulos == {"Migrar o servidor; de e-mail", '\'=HYPERLINK("http://mal.example")'}
    migrar = next(linha for linha in tabela[1:] if linha[1].startswith("Migrar"))
    assert migrar[7] == "30/12/2030 14:00" and migrar[4] == "Ana"
    assert re.fullmatch(r"\d\d/\d\d/\d{4} \d\d:\d\d", migrar[8])
    assert documento.filename.startswith("processos-todos-") and documento.filename.endswith(".csv")
    assert "2 processos" in str(mensagem.get("caption", ""))


async def test_a_gestor_exports_everyone_and_filters_apply(equipe: dict[str, Pessoa]) -> None:
    gil = equipe["gil"]

    todos, _ = await arquivo(gil, "/exportar")
    assert len(linhas(todos)) == 1 + 3

    vazio = await gil.diz("/exportar atrasados")
    assert "Nenhum processo atrasados" in vazio["text"]
    invalido = await gil.diz("/exportar ontem")
    assert "ontem" in invalido["text"] and datetime.now(SP).year > 2000


async def relatorio(pessoa: Pessoa, comando: str) -> Call:
    """Send the command; the sendPhoto call of its chart (a notice may come in between)."""
    pessoa.envia(comando)
    return await pessoa.tg.wait_for_call("sendPhoto", after=pessoa._cursor)


async def test_relatorio_draws_the_team_for_a_gestor_and_a_membro_sees_only_their_own(
    equipe: dict[str, Pessoa], database: Database
) -> None:
    ana, gil = equipe["ana"], equipe["gil"]
    async with database.sessions() as session:
        numero = await session.scalar(
            select(Processo.numero).where(Processo.titulo == "Processo do Bruno")
        )
    tela = await gil.diz(f"/processo {numero}")  # Gil assigns it to Bruno and starts it
    await gil.toca(await gil.toca(tela, "Atribuir"), "Bruno")
    await gil.toca(await gil.diz(f"/processo {numero}"), "Iniciar")

    chamada = await relatorio(gil, "/relatorio")
    foto = chamada.params["photo"]
    assert isinstance(foto, Upload) and foto.content.startswith(b"\x89PNG")
    texto = chamada.result.get("caption", "")
    assert "da equipe" in texto and "Abertos: 3" in texto
    assert "Bruno: 1 em aberto" in texto and "Primeira resposta (mediana):" in texto

    dela = (await relatorio(ana, "/estatisticas mes")).result.get("caption", "")  # the alias
    assert "Abertos: 2" in dela and "Bruno" not in dela
    assert "dos últimos 30 dias" in dela
    assert "Não conheço o período" in (await ana.diz("/relatorio ano"))["text"]


async def respostas_inline(tg: FakeTelegram, pessoa: Pessoa, texto: str) -> dict[str, Any]:
    """Type `@bot texto` as `pessoa`; the bot's answer to that inline query."""
    antes = len(tg.inline_answers())
    tg.inline_query(pessoa.user, texto)
    await tg.wait_for(lambda: len(tg.inline_answers()) > antes or None)
    return tg.inline_answers()[-1]


async def test_inline_mode_lists_only_what_the_typer_may_see_personally(
    equipe: dict[str, Pessoa], tg: FakeTelegram
) -> None:
    ana, bruno, gil = equipe["ana"], equipe["bruno"], equipe["gil"]

    dela = await respostas_inline(tg, ana, "migrar")
    dele = await respostas_inline(tg, bruno, "migrar")
    do_gestor = await respostas_inline(tg, gil, "")  # nothing typed: the most urgent open ones
    de_fora = await respostas_inline(tg, Pessoa(tg, 299, "Estranho"), "migrar")

    assert dela["is_personal"] is True and int(str(dela["cache_time"])) <= 5
    [resultado] = dela["results"]
    assert "Migrar o servidor" in resultado["title"] and "aberto" in resultado["description"]
    cartao = resultado["input_message_content"]["message_text"]
    assert "Migrar o servidor" in cartao
    botao = resultado["reply_markup"]["inline_keyboard"][0][0]
    assert botao["url"].startswith(f"https://t.me/{tg.bot_user['username']}?start=p_")
    assert dele["results"] == []
    assert len(do_gestor["results"]) == 3
    assert de_fora["results"] == [] and de_fora["button"]["text"] == "Abrir o Cogep"
