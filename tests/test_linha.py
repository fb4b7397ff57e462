"""The one-line /novo: `Título | prazo sexta 18h | prioridade alta | contato Ana`."""

from __future__ import annotations

import pytest

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
    ("linha", "campo", "mensagem"),
    [
        ("X | dono Ana | prazo sexta", None, "Não conheço o campo"),
        ("X | :", None, "Não conheço o campo"),
        ("X | prazo | prioridade alta", "prazo", "prazo"),
        ("X | prazo:", "prazo", "prazo"),
    ],
)
def test_bad_fields_are_named_and_the_good_ones_kept(
    linha: str, campo: str | None, mensagem: str
) -> None:
    rascunho = interpretar_linha(linha)

    assert rascunho.titulo == "X"
    assert [f.campo for f in rascunho.faltas] == [campo]
    assert mensagem in rascunho.faltas[0].mensagem
    assert rascunho.prazo == ("sexta" if "sexta" in linha else None)
    assert rascunho.prioridade == ("alta" if "alta" in linha else None)
