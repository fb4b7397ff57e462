"""The knowledge base, service side: real files in, passages out, scoped by who asks.

Documents are ingested through `ConhecimentoService` as `cogep ingest` does (the chat's path has
its own tests in test_conhecimento_chat.py), on the real PostgreSQL of the run.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select, update

from bot.conhecimento import ConhecimentoService, web
from bot.conhecimento.extracao import Bloco, Recusado
from bot.conhecimento.fatiar import ALVO, MAXIMO, fatiar
from bot.database import Database
from bot.errors import NotAllowed
from bot.settings import Settings
from db.models import Documento, Trecho, Usuario
from tests import documentos_de_teste as arquivos


class Caixa:
    """A notifier that keeps what it was asked to send."""

    def __init__(self) -> None:
        self.avisos: list[tuple[int, str]] = []

    async def notify(self, telegram_id: int, html: str, *, acoes: Any = ()) -> None:
        self.avisos.append((telegram_id, html))


def configuracao(database_url: str, **extra: Any) -> Settings:
    return Settings(database_url=database_url, _env_file=None, **extra)


@pytest.fixture
async def caixa() -> Caixa:
    return Caixa()


@pytest.fixture
async def servico(
    database: Database, database_url: str, caixa: Caixa
) -> AsyncIterator[ConhecimentoService]:
    servico = ConhecimentoService(database.sessions, configuracao(database_url), caixa)
    yield servico
    await servico.parar()


async def pessoa(database: Database, telegram_id: int, nome: str, papel: str = "membro") -> Usuario:
    async with database.sessions.begin() as session:
        usuario = Usuario(telegram_id=telegram_id, nome=nome, papel=papel, acesso="liberado")
        session.add(usuario)
    return usuario


async def ingerir(
    servico: ConhecimentoService,
    pasta: Path,
    nome: str,
    conteudo: bytes,
    *,
    dono: Usuario | None = None,
    privado: bool = False,
) -> Any:
    caminho = pasta / nome
    caminho.write_bytes(conteudo)
    doc = await servico.registrar_arquivo(caminho, dono=dono, privado=privado)
    return await servico.processar(doc.id)


async def test_accented_pdf_is_found_without_accents_and_cited_by_section_and_page(
    servico: ConhecimentoService, database: Database, tmp_path: Path
) -> None:
    ana = await pessoa(database, 1, "Ana")
    resultado = await ingerir(servico, tmp_path, "manual.pdf", arquivos.pdf_manual(), dono=ana)

    passagens = await servico.buscar(ana, "avaliacao trimestral")
    por_verbo = await servico.buscar(ana, "avaliar")

    assert resultado.desfecho == "pronto" and resultado.trechos == 2
    assert [p.citacao for p in passagens] == ["Manual de Deploy › Preparação, p. 1"]
    assert passagens[0].titulo == "Manual de Deploy"
    assert "avaliações trimestrais" in passagens[0].texto
    assert {"avaliações", "trimestrais"} <= set(passagens[0].destaques)
    assert [p.trecho_id for p in por_verbo] == [passagens[0].trecho_id]


async def test_a_pdf_renamed_txt_is_read_as_the_pdf_it_is_not_as_garbage(
    servico: ConhecimentoService, database: Database, tmp_path: Path
) -> None:
    ana = await pessoa(database, 1, "Ana")

    resultado = await ingerir(servico, tmp_path, "manual.txt", arquivos.pdf_manual(), dono=ana)
    passagens = await servico.buscar(ana, "rollback")

    assert resultado.desfecho == "pronto" and resultado.trechos == 2
    assert [p.citacao for p in passagens] == ["Manual de Deploy › Rollback, p. 2"]


async def test_prefixes_phrases_and_exclusions(
    servico: ConhecimentoService, database: Database, tmp_path: Path
) -> None:
    ana = await pessoa(database, 1, "Ana")
    await ingerir(servico, tmp_path, "manual.pdf", arquivos.pdf_manual(), dono=ana)

    prefixo = await servico.buscar(ana, "rollb*")
    frase = await servico.buscar(ana, '"versão anterior"')
    invertida = await servico.buscar(ana, '"anterior versao"')
    excluida = await servico.buscar(ana, "migracao -rollback")
    so_simbolos = await servico.buscar(ana, "&|!<->:*()")

    assert [p.pagina for p in prefixo] == [2]
    assert [p.pagina for p in frase] == [2]
    assert invertida == [] and excluida == [] and so_simbolos == []


async def test_docx_headings_become_the_citation(
    servico: ConhecimentoService, database: Database, tmp_path: Path
) -> None:
    ana = await pessoa(database, 1, "Ana")
    await ingerir(servico, tmp_path, "guia.docx", arquivos.docx_com_titulos(), dono=ana)

    passagens = await servico.buscar(ana, "credencial homologacao")

    assert [p.citacao for p in passagens] == ["Guia de Onboarding › Acessos › Credenciais do banco"]


async def test_csv_in_cp1252_and_json_are_searchable(
    servico: ConhecimentoService, database: Database, tmp_path: Path
) -> None:
    ana = await pessoa(database, 1, "Ana")
    await ingerir(servico, tmp_path, "clientes.csv", arquivos.csv_clientes(), dono=ana)
    await ingerir(servico, tmp_path, "pipeline.json", arquivos.json_config(), dono=ana)

    padaria = await servico.buscar(ana, "padaria sao paulo")
    etapas = await servico.buscar(ana, "configuracao pipeline")

    assert "cidade: São Paulo" in padaria[0].texto
    assert etapas[0].titulo == "Configuração do pipeline"


async def test_a_duplicate_is_reported_by_name_and_not_stored(
    servico: ConhecimentoService, database: Database, tmp_path: Path
) -> None:
    ana = await pessoa(database, 1, "Ana")
    bruno = await pessoa(database, 2, "Bruno")
    await ingerir(servico, tmp_path, "manual.pdf", arquivos.pdf_manual(), dono=ana)

    segundo = await ingerir(servico, tmp_path, "copia.pdf", arquivos.pdf_manual(), dono=bruno)

    assert segundo.desfecho == "duplicado"
    assert "Manual de Deploy" in segundo.motivo
    async with database.sessions() as session:
        assert await session.scalar(select(func.count()).select_from(Documento)) == 1
        assert await session.scalar(select(func.count()).select_from(Trecho)) == 2


async def test_a_private_document_never_reaches_anyone_else_not_even_an_admin(
    servico: ConhecimentoService, database: Database, tmp_path: Path
) -> None:
    ana = await pessoa(database, 1, "Ana")
    bruno = await pessoa(database, 2, "Bruno")
    chefe = await pessoa(database, 3, "Chefe", papel="admin")
    await ingerir(servico, tmp_path, "m.pdf", arquivos.pdf_manual(), dono=ana, privado=True)

    assert len(await servico.buscar(ana, "rollback")) == 1
    assert await servico.buscar(bruno, "rollback") == []
    assert await servico.buscar(chefe, "rollback") == []
    assert (await servico.listar(bruno)).itens == []


async def test_a_removed_document_is_gone_from_search_at_once(
    servico: ConhecimentoService, database: Database, tmp_path: Path
) -> None:
    ana = await pessoa(database, 1, "Ana")
    bruno = await pessoa(database, 2, "Bruno")
    resultado = await ingerir(servico, tmp_path, "m.pdf", arquivos.pdf_manual(), dono=ana)
    assert await servico.buscar(bruno, "rollback")

    with pytest.raises(NotAllowed):
        await servico.remover(bruno, resultado.documento_id)
    await servico.remover(ana, resultado.documento_id)

    assert await servico.buscar(ana, "rollback") == []
    async with database.sessions() as session:
        assert await session.scalar(select(func.count()).select_from(Trecho)) == 0


@pytest.mark.parametrize(
    ("nome", "conteudo", "motivo"),
    [
        ("segredo.pdf", arquivos.pdf_criptografado(), "protegido por senha"),
        ("quebrado.pdf", arquivos.pdf_corrompido(), "corrompido"),
        ("escaneado.pdf", arquivos.pdf_escaneado(), "não encontrei texto"),
        ("vazio.txt", b"", "vazio"),
        ("foto.txt", arquivos.binario(), "binário"),
        ("utf16.txt", b"\xff\xfe\x00\x00garbage", "codificação"),
        ("relatorio.docx", arquivos.bomba_zip(), "bomba de compressão"),
        ("planilha.xlsx", b"PK\x03\x04", "não é suportado"),
    ],
)
async def test_unreadable_files_fail_with_their_reason_and_leave_no_chunk(
    servico: ConhecimentoService,
    database: Database,
    tmp_path: Path,
    caixa: Caixa,
    nome: str,
    conteudo: bytes,
    motivo: str,
) -> None:
    ana = await pessoa(database, 1, "Ana")

    resultado = await ingerir(servico, tmp_path, nome, conteudo, dono=ana)

    assert resultado.desfecho == "falhou" and motivo in resultado.motivo
    async with database.sessions() as session:
        doc = await session.scalar(select(Documento))
        assert doc is not None and doc.status == "falhou" and motivo in (doc.erro or "")
        assert await session.scalar(select(func.count()).select_from(Trecho)) == 0
    assert len(caixa.avisos) == 1 and motivo in caixa.avisos[0][1]


async def test_limits_on_size_pages_and_characters(
    database: Database, database_url: str, tmp_path: Path
) -> None:
    ana = await pessoa(database, 1, "Ana")
    apertado = ConhecimentoService(
        database.sessions,
        configuracao(
            database_url,
            COGEP_INGEST_MAX_BYTES=3000,
            COGEP_INGEST_MAX_PAGINAS=1,
            COGEP_INGEST_MAX_CARACTERES=100,
        ),
        Caixa(),
    )
    try:
        grande = await ingerir(apertado, tmp_path, "g.txt", b"palavra " * 1000, dono=ana)
        paginas = await ingerir(apertado, tmp_path, "m.pdf", arquivos.pdf_manual(), dono=ana)
        texto = await ingerir(apertado, tmp_path, "t.txt", b"texto " * 100, dono=ana)
    finally:
        await apertado.parar()

    assert "tem 7,8 KB, acima do limite de 2,9 KB" in grande.motivo
    assert "acima do limite" in grande.motivo
    assert "2 páginas; o limite é 1" in paginas.motivo
    assert "mais de 100 caracteres" in texto.motivo


async def test_a_slow_extraction_is_stopped_at_the_time_limit(
    database: Database, database_url: str, tmp_path: Path
) -> None:
    ana = await pessoa(database, 1, "Ana")
    pressa = ConhecimentoService(
        database.sessions, configuracao(database_url, COGEP_INGEST_TEMPO=0.01), Caixa()
    )
    try:
        lento = await ingerir(pressa, tmp_path, "m.pdf", arquivos.pdf_manual(), dono=ana)
    finally:
        await pressa.parar()

    assert lento.desfecho == "falhou" and "tempo limite" in lento.motivo


async def test_a_dead_workers_document_is_resumed_once_and_a_live_claim_is_left_alone(
    servico: ConhecimentoService, database: Database, tmp_path: Path, caixa: Caixa
) -> None:
    ana = await pessoa(database, 1, "Ana")
    (tmp_path / "a.md").write_text("# Plano\n\nMigração do servidor de filas.")
    (tmp_path / "b.md").write_text("# Outro\n\nRevisão das credenciais.")
    morto = await servico.registrar_arquivo(tmp_path / "a.md", dono=ana)
    vivo = await servico.registrar_arquivo(tmp_path / "b.md", dono=ana)
    async with database.sessions.begin() as session:  # two claims: one an hour old, one fresh
        await session.execute(
            update(Documento)
            .where(Documento.id == morto.id)
            .values(
                status="processando",
                tentativas=1,
                tomado_em=func.now() - func.make_interval(0, 0, 0, 0, 1),
            )
        )
        await session.execute(
            update(Documento)
            .where(Documento.id == vivo.id)
            .values(status="processando", tentativas=1, tomado_em=func.now())
        )

    retomado = await servico.processar(morto.id)
    de_novo = await servico.processar(morto.id)
    intocado = await servico.processar(vivo.id)

    assert retomado is not None and retomado.desfecho == "pronto"
    assert de_novo is None and intocado is None
    async with database.sessions() as session:
        contagem = await session.scalar(
            select(func.count()).select_from(Trecho).where(Trecho.documento_id == morto.id)
        )
    assert contagem == 1
    assert len(caixa.avisos) == 1


async def test_a_worker_presumed_dead_writes_nothing_when_it_comes_back(
    servico: ConhecimentoService, database: Database, tmp_path: Path
) -> None:
    ana = await pessoa(database, 1, "Ana")
    (tmp_path / "a.txt").write_text("Filas e mensageria.")
    doc = await servico.registrar_arquivo(tmp_path / "a.txt", dono=ana)
    async with database.sessions.begin() as session:
        doc_lento = await session.get(Documento, doc.id)
    assert doc_lento is not None
    doc_lento.tentativas = 1  # the slow worker's claim; then the row is taken over (tentativa 2)
    async with database.sessions.begin() as session:
        await session.execute(
            update(Documento)
            .where(Documento.id == doc.id)
            .values(status="processando", tentativas=2)
        )

    atrasado = await servico.ingestao._falhar(doc_lento, "motivo velho")

    async with database.sessions() as session:
        linha = await session.get(Documento, doc.id)
    assert atrasado.desfecho == "falhou"
    assert linha is not None and linha.status == "processando" and linha.erro is None


def test_chunks_keep_their_section_overlap_and_stay_under_the_maximum() -> None:
    frase = "A fila de mensagens garante a entrega ao menos uma vez. "
    blocos = [Bloco(frase * 40, ("Filas",), 3), Bloco("Curto.", ("Outra seção",), 4)]

    fatias = fatiar(blocos)

    filas = [f for f in fatias if f.secao == "Filas"]
    assert len(filas) >= 2 and all(len(f.texto) <= MAXIMO + 200 for f in fatias)
    assert all(f.pagina == 3 for f in filas)
    assert filas[1].texto[:40] in filas[0].texto  # the overlap
    assert fatias[-1].secao == "Outra seção" and fatias[-1].texto == "Curto."
    assert sum(len(f.texto) for f in filas) >= len(frase * 40) - ALVO


@pytest.mark.parametrize(
    "endereco",
    [
        "http://127.0.0.1:8080/admin",
        "http://localhost/",
        "http://[::1]/",
        "http://[64:ff9b::7f00:1]/",
        "http://[2002:a9fe:a9fe::]/latest/meta-data/",
        "http://[::ffff:10.0.0.5]/",
        "http://169.254.169.254/latest/meta-data/",
        "http://10.0.0.5/intranet",
        "http://0.0.0.0/",
    ],
)
async def test_links_to_loopback_private_or_link_local_addresses_are_refused(
    endereco: str,
) -> None:
    with pytest.raises(Recusado, match="rede interna"):
        await web.baixar(endereco, limite_bytes=1000, tempo=5)


def test_a_file_just_over_the_limit_reads_bigger_than_the_limit() -> None:
    from bot import texts

    motivo = texts.falha_grande(21_000_000, 20 * 1024 * 1024)

    assert "tem 20,03 MB, acima do limite de 20,00 MB" in motivo


async def test_a_live_workers_heartbeat_keeps_its_document_and_a_dead_ones_beat_does_not(
    servico: ConhecimentoService, database: Database, tmp_path: Path
) -> None:
    from db.repositories import conhecimento as repo

    ana = await pessoa(database, 1, "Ana")
    (tmp_path / "a.md").write_text("# Plano\n\nMigração do servidor de filas.")
    doc = await servico.registrar_arquivo(tmp_path / "a.md", dono=ana, privado=False)
    uma_hora = func.now() - func.make_interval(0, 0, 0, 0, 1)
    async with database.sessions.begin() as session:
        vivo = await repo.reivindicar(session, documento_id=doc.id, prazo_s=30)
        assert vivo is not None
        await session.execute(update(Documento).values(tomado_em=uma_hora))
        await repo.renovar(session, documento_id=doc.id, tentativa=vivo.tentativas)
    async with database.sessions.begin() as session:  # a fresh beat: nobody takes it over
        assert await repo.reivindicar(session, documento_id=doc.id, prazo_s=30) is None

    async with database.sessions.begin() as session:
        await session.execute(update(Documento).values(tomado_em=uma_hora))
        outro = await repo.reivindicar(session, documento_id=doc.id, prazo_s=30)
        assert outro is not None and outro.tentativas == vivo.tentativas + 1
        await session.execute(update(Documento).values(tomado_em=uma_hora))
        await repo.renovar(session, documento_id=doc.id, tentativa=vivo.tentativas)  # too late
    async with database.sessions.begin() as session:  # the dead worker's beat renewed nothing
        assert await repo.reivindicar(session, documento_id=doc.id, prazo_s=30) is not None
