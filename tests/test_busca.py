"""The one search-query builder: what people type becomes a safe prefix tsquery."""

from __future__ import annotations

import pytest
from sqlalchemy import func, literal_column, select

from bot.database import Database
from db.busca import MAX_PALAVRAS, consulta_prefixos, palavras


def test_anything_but_letters_and_digits_splits_words() -> None:
    assert palavras("servidor e-mail!") == ["servidor", "e", "mail"]
    assert palavras("' & | ! :* ()") == []
    assert len(palavras(" ".join(f"p{i}" for i in range(20)))) == MAX_PALAVRAS


async def test_the_query_ignores_accents_and_matches_prefixes(database: Database) -> None:
    texto = func.cogep_unaccent("Migração do servidor de e-mail")
    documento = func.to_tsvector(literal_column("'portuguese'"), texto)
    async with database.sessions() as session:
        achou = await session.scalar(select(documento.op("@@")(consulta_prefixos("migracao serv"))))
        nada = await session.scalar(select(documento.op("@@")(consulta_prefixos("'&|! :*"))))
    assert (achou, nada) == (True, False)


def test_only_known_configurations_reach_sql() -> None:
    with pytest.raises(ValueError, match="configuration"):
        consulta_prefixos("x", config="portuguese'); drop table processos; --")
