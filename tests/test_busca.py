"""The one query parser: what people type becomes a safe tsquery, by the same rules everywhere."""

from __future__ import annotations

import pytest
from sqlalchemy import func, literal_column, select

from bot.app import CogepApplication
from bot.database import Database
from db.busca import MAX_PALAVRAS, documentos, palavras, prefixos, tsquery
from tests.fake_telegram import FakeTelegram
from tests.test_conhecimento_chat import PRONTO, aviso, envia_arquivo
from tests.test_processos import registrar


def test_anything_but_letters_and_digits_splits_words() -> None:
    assert prefixos("servidor e-mail!").tsquery == "servidor:* & e:* & mail:*"
    assert prefixos("' & | ! :* ()").vazia
    assert len(prefixos(" ".join(f"p{i}" for i in range(20))).tsquery.split("&")) == MAX_PALAVRAS


def test_documents_read_phrases_exclusions_and_prefixes_and_nothing_else() -> None:
    consulta = documentos('deploy "servidor de e-mail" roll* -teste -"fora disso" e-mail')
    assert consulta.tsquery == (
        "deploy & 'servidor de e-mail' & roll:* & email & !teste & !'fora disso'"
    )
    assert consulta.termos == "deploy | servidor | de | email | roll:*"
    assert documentos("-so -exclusoes").vazia
    assert documentos("&|!<->:*()'\\").vazia
    assert palavras("o e-mail do João!") == ["o", "e-mail", "do", "João"]


async def test_the_query_ignores_accents_and_matches_prefixes(database: Database) -> None:
    texto = func.cogep_unaccent("Migração do servidor de e-mail")
    documento = func.to_tsvector(literal_column("'portuguese'"), texto)
    async with database.sessions() as session:
        achou = await session.scalar(select(documento.op("@@")(tsquery(prefixos("migracao serv")))))
        nada = await session.scalar(select(documento.op("@@")(tsquery(prefixos("'&|! :*")))))
    assert (achou, nada) == (True, False)


@pytest.mark.parametrize(
    ("pergunta", "acha"),
    [
        ('"servidor de e-mail"', True),
        ('"servidor de e-mail corporativo"', True),
        ('"servidor de email"', False),  # a phrase is as written in the text
        ('"e-mail de servidor"', False),
        ("servidor email", True),
        ("-email servidor", False),
    ],
)
async def test_a_phrase_with_a_hyphenated_word_finds_the_text_that_has_it(
    database: Database, pergunta: str, acha: bool
) -> None:
    texto = func.cogep_lexico("Configure o servidor de e-mail corporativo antes do deploy.")
    documento = func.to_tsvector(literal_column("'portuguese'"), texto)
    consulta = tsquery(documentos(pergunta), dobra="cogep_lexico")
    async with database.sessions() as session:
        assert await session.scalar(select(documento.op("@@")(consulta))) is acha


def test_only_known_configurations_reach_sql() -> None:
    with pytest.raises(ValueError, match="configuration"):
        tsquery(prefixos("x"), config="portuguese'); drop table processos; --")
    with pytest.raises(ValueError, match="folding"):
        tsquery(prefixos("x"), dobra="pg_sleep")


async def test_buscar_looks_for_a_quoted_phrase_in_the_documents_as_typed(
    bot: CogepApplication, tg: FakeTelegram
) -> None:
    ana = await registrar(tg, 531, "Ana")
    await envia_arquivo(
        ana,
        "email.txt",
        "Migração\n\nO servidor de e-mail corporativo muda de endereço em março.".encode(),
        mime="text/plain",
    )
    await aviso(ana, PRONTO)

    processos = await ana.diz('/buscar "servidor de e-mail" -fax')
    achados = await ana.toca(processos, "Procurar nos documentos")
    nada = await ana.toca(await ana.diz('/buscar "servidor de e-mail" -março'), "Procurar")

    assert "servidor de e-mail corporativo" in achados["text"]
    assert "servidor de e-mail corporativo" not in nada["text"]
