"""/exportar and /relatorio: files a person opens elsewhere, holding only what they may see."""

from __future__ import annotations

import csv
import io
import re
from datetime import datetime

import pytest

from bot.app import CogepApplication
from bot.database import Database
from tests.fake_telegram import FakeTelegram, Upload
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
    mensagem = await pessoa.diz(comando)
    call = pessoa.tg.calls_to("sendDocument")[-1]
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
