"""Who is who: each rule answers the same in Python (services, handlers) and in SQL (queries)."""

from __future__ import annotations

import itertools

import pytest
from sqlalchemy import select

from bot.database import Database
from bot.errors import NotAllowed
from bot.usuarios.regras import administra, exigir_admin, gerencia, tem_acesso
from db.models import Usuario
from db.models.usuarios import ACESSOS, PAPEIS
from db.repositories.usuarios import administradores, com_acesso, gestores

TODOS = list(itertools.product(PAPEIS, ACESSOS))


async def test_every_rule_and_its_sql_twin_pick_the_same_people(database: Database) -> None:
    async with database.sessions.begin() as session:
        for i, (papel, acesso) in enumerate(TODOS):
            session.add(Usuario(telegram_id=9100 + i, nome=f"{papel} {acesso}", papel=papel,
                                acesso=acesso))  # fmt: skip
    async with database.sessions() as session:
        pessoas = list(await session.scalars(select(Usuario).order_by(Usuario.telegram_id)))
        for regra, gemea in ((tem_acesso, com_acesso), (administra, administradores),
                             (gerencia, gestores)):  # fmt: skip
            em_sql = set(await session.scalars(select(Usuario.telegram_id).where(gemea())))
            em_python = {u.telegram_id for u in pessoas if regra(u)}
            assert em_sql == em_python, regra.__name__
    assert len(pessoas) == len(TODOS)


@pytest.mark.parametrize(("papel", "acesso"), TODOS)
def test_only_an_admin_who_is_let_in_administers(papel: str, acesso: str) -> None:
    pessoa = Usuario(telegram_id=1, nome="X", papel=papel, acesso=acesso)
    admin = papel == "admin" and acesso == "liberado"
    assert administra(pessoa) is admin
    assert gerencia(pessoa) is (papel in ("gestor", "admin") and acesso == "liberado")
    if admin:
        exigir_admin(pessoa)
    else:
        with pytest.raises(NotAllowed):
            exigir_admin(pessoa)
