"""Hostile files: small on disk, built to take gigabytes while being read.

Each bomb runs in the real extraction process (`Extrator`, as the bot runs it). The sender must
get the precise reason, and the process's peak memory, as it reports it, must stay under
`TETO_RSS`: without the bounds each input here needs gigabytes.
"""

from __future__ import annotations

import functools
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot import texts
from bot.conhecimento import ConhecimentoService
from bot.conhecimento.extracao import Limites, Recusado
from bot.conhecimento.processo import Extrator
from bot.database import Database
from tests import documentos_de_teste as arquivos
from tests.test_conhecimento import Caixa, configuracao, ingerir, pessoa

TETO_RSS = 512 * 2**20
LIMITES = Limites()  # the defaults: 20 MB, 500 pages, 5 million characters


@functools.cache
def docx_de_um_giga() -> bytes:
    return arquivos.docx_bomba_falsificada()


@pytest.fixture
async def extrator() -> AsyncIterator[Extrator]:
    extrator = Extrator()
    yield extrator
    extrator.fechar()


@pytest.mark.parametrize(
    ("nome", "bomba", "motivo"),
    [
        ("relatorio.docx", docx_de_um_giga, texts.FALHA_DESCOMPACTADO),
        ("clientes.csv", arquivos.csv_cabecalho_largo, texts.falha_caracteres(5_000_000)),
        ("config.json", arquivos.json_chave_longa, texts.falha_caracteres(5_000_000)),
    ],
)
async def test_a_file_that_inflates_to_gigabytes_is_refused_within_a_small_memory(
    extrator: Extrator, nome: str, bomba: functools.partial[bytes], motivo: str
) -> None:
    conteudo = bomba()
    assert len(conteudo) < 1_100_000

    with pytest.raises(Recusado) as recusa:
        await extrator.ler(conteudo, nome=nome, mime=None, limites=LIMITES, tempo=60)

    assert recusa.value.motivo == motivo
    assert 0 < extrator.ultimo_pico_bytes < TETO_RSS


async def test_the_sender_of_a_forged_zip_bomb_reads_why_it_was_refused(
    database: Database, database_url: str, tmp_path: Path
) -> None:
    ana = await pessoa(database, 1, "Ana")
    caixa = Caixa()
    servico = ConhecimentoService(database.sessions, configuracao(database_url), caixa)
    try:
        resultado = await ingerir(servico, tmp_path, "relatorio.docx", docx_de_um_giga(), dono=ana)
    finally:
        await servico.parar()

    assert resultado.desfecho == "falhou"
    assert "descompactado é grande demais" in caixa.avisos[0][1]
    assert "erro inesperado" not in caixa.avisos[0][1]


async def test_a_document_that_needs_too_much_memory_is_refused_and_the_next_one_is_read() -> None:
    apertado = Extrator(memoria_mb=320)
    muitas_listas = b"[" + b"[]," * 4_000_000 + b"[]]"  # 12 MB, ~300 MB as Python lists
    try:
        with pytest.raises(Recusado) as recusa:
            await apertado.ler(
                muitas_listas, nome="listas.json", mime=None, limites=LIMITES, tempo=60
            )
        seguinte = await apertado.ler(
            arquivos.json_config(), nome="config.json", mime=None, limites=LIMITES, tempo=60
        )
    finally:
        apertado.fechar()

    assert recusa.value.motivo in (texts.FALHA_MEMORIA, texts.FALHA_LEITOR_CAIU)
    assert seguinte.titulo == "Configuração do pipeline"


async def test_a_process_that_grew_on_a_document_is_replaced_and_a_lean_one_is_kept() -> None:
    enxuto = Extrator()
    inchado = Extrator(reciclar_acima_bytes=1)  # every document counts as a large one
    pids: dict[str, list[int]] = {"enxuto": [], "inchado": []}
    try:
        for nome, extrator in (("enxuto", enxuto), ("inchado", inchado)):
            for _ in range(2):
                await extrator.ler(
                    arquivos.json_config(), nome="c.json", mime=None, limites=LIMITES, tempo=60
                )
                pids[nome].append(extrator.ultimo_pid)
    finally:
        enxuto.fechar()
        inchado.fechar()

    assert pids["enxuto"][0] == pids["enxuto"][1]
    assert pids["inchado"][0] != pids["inchado"][1]
