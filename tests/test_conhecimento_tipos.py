"""A file is read as what its bytes are, not as what its name says.

A PDF renamed `.txt` used to be stored as pages of garbage; its signature now wins over the
name, and so does a docx's or an HTML page's. What has no signature (plain text, CSV, JSON)
keeps the declared kind, and a zip that is not a docx is refused with the reason.
"""

from __future__ import annotations

import pytest

from bot import texts
from bot.conhecimento.extracao import Limites, Recusado, extrair, tipo_de, tipo_real
from tests import documentos_de_teste as arquivos

PAGINA_HTML = b"<!DOCTYPE html><html><head><title>Wiki</title></head><body><p>Deploy seguro.</p>"


@pytest.mark.parametrize(
    ("nome", "conteudo", "tipo"),
    [
        ("manual.txt", arquivos.pdf_manual(), "pdf"),
        ("manual.docx", arquivos.pdf_manual(), "pdf"),
        ("guia.pdf", arquivos.docx_com_titulos(), "docx"),
        ("guia.txt", arquivos.docx_com_titulos(), "docx"),
        ("guia", arquivos.docx_com_titulos(), "docx"),
        ("wiki.txt", PAGINA_HTML, "html"),
        ("wiki", b"\xef\xbb\xbf  \n<html><body>oi</body></html>", "html"),
        ("notas.md", b"# Notas\n<html> no meio", "md"),
        ("clientes.csv", arquivos.csv_clientes(), "csv"),
        ("config.json", arquivos.json_config(), "json"),
        ("notas.txt", "texto em utf-16".encode("utf-16"), "txt"),
        ("planilha.xlsx", b"PK\x03\x04resto", None),
    ],
)
def test_the_kind_comes_from_the_bytes_when_they_have_a_signature(
    nome: str, conteudo: bytes, tipo: str | None
) -> None:
    assert tipo_real(conteudo, tipo_de(nome)) == tipo


def test_a_zip_that_is_not_a_docx_is_refused_whatever_its_name() -> None:
    with pytest.raises(Recusado) as recusa:
        extrair(b"PK\x03\x04" + b"\x00" * 100, nome="notas.txt", mime=None, limites=Limites())

    assert recusa.value.motivo == texts.FALHA_ZIP_DESCONHECIDO


def test_an_html_page_named_txt_loses_its_markup() -> None:
    extraido = extrair(PAGINA_HTML, nome="wiki.txt", mime=None, limites=Limites())

    assert extraido.titulo == "Wiki"
    assert [b.texto for b in extraido.blocos] == ["Deploy seguro."]
