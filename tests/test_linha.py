"""The one-line /novo: `Título | prazo sexta 18h | prioridade alta | contato Ana`."""

from __future__ import annotations

import pytest

from bot.errors import InvalidInput
from bot.processos.linha import Rascunho, interpretar_linha


@pytest.mark.parametrize(
    ("linha", "esperado"),
    [
        ("Migrar | prazo sexta 18h", Rascunho("Migrar", prazo="sexta 18h")),
        ("Migrar | prazo: sexta 18h", Rascunho("Migrar", prazo="sexta 18h")),
        ("Migrar | prazo:sexta", Rascunho("Migrar", prazo="sexta")),
        ("Migrar | prazo 30/11 14:00", Rascunho("Migrar", prazo="30/11 14:00")),
        ("Migrar | Prazo: amanhã 9:30", Rascunho("Migrar", prazo="amanhã 9:30")),
        (
            "Migrar | descrição Ver http://exemplo.com:8080/a | prioridade ALTA",
            Rascunho("Migrar", descricao="Ver http://exemplo.com:8080/a", prioridade="ALTA"),
        ),
        ("Migrar | cliente Ana Paula |  ", Rascunho("Migrar", contato="Ana Paula")),
        ("Só o título", Rascunho("Só o título")),
    ],
)
def test_fields_keep_their_text(linha: str, esperado: Rascunho) -> None:
    assert interpretar_linha(linha) == esperado


@pytest.mark.parametrize(
    ("linha", "mensagem"),
    [
        ("X | dono Ana", "Não conheço o campo"),
        ("X | :", "Não conheço o campo"),
        ("X | prazo", "prazo"),
        ("X | prazo:", "prazo"),
    ],
)
def test_bad_fields_are_named(linha: str, mensagem: str) -> None:
    with pytest.raises(InvalidInput) as erro:
        interpretar_linha(linha)

    assert mensagem in erro.value.message
