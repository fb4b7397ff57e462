"""Benchmark the knowledge base: ingestion throughput against raw COPY, peak RSS, search latency.

Goals (issue 13), on this 2-core machine: the whole pipeline (extract -> chunk -> store -> index)
at >= 0.4x the raw COPY rate of the same chunks and >= 5 MB/s of text; peak RSS <= 300 MB while
ingesting; search p95 <= 20 ms over >= 100,000 chunks, from a membro's and an admin's view.

    python -m bench.ingest [--mb 50] [--chunks 100000] [--queries 100] [--quick]

Method
------
1. Corpus: pt-BR text (accented technical vocabulary, Zipf-distributed words, sentences under
   headings) written as files of ~200 kB in seven formats: md, txt, html, csv, json, docx
   (python-docx) and pdf (fpdf2); `--mb` is the text they hold. Generation is not timed.
2. Pipeline: every file through the real `ConhecimentoService` as `cogep ingest` runs it
   (register, claim, read the file, extract and chunk in the extraction process pool, COPY the
   chunks in one transaction per document, tsvector generated and GIN-indexed by PostgreSQL),
   `COGEP_INGEST_PROCESSOS + 1` documents at a time. MB/s = corpus text MB / wall time.
   Peak RSS = the highest sum, sampled every 20 ms, of this process and its children (the
   extraction processes); the PostgreSQL server is not counted.
3. Raw COPY, same run: the chunks just stored are read back and COPY'd (asyncpg
   `copy_records_to_table`, the call the pipeline uses) into (a) `LIKE trechos INCLUDING ALL`
   -- same generated tsvector and GIN index: storage and indexing alone, the baseline of the goal
   -- and (b) a plain table (documento_id, posicao, secao, pagina, texto) without either, for
   scale. MB/s over the same text bytes.
4. Search: the store is topped up to `--chunks` with chunks made by the same generator and
   COPY'd into `trechos` under extra documents (10% private to random users), then ANALYZE.
   Each sample awaits `ConhecimentoService.buscar(usuario, consulta)` (the mentor's call:
   the ranked full-text query, visibility in SQL, and the highlight query) on a warm pool.
   Categories: one word (common and rare), two words, a prefix, a phrase in quotes; each from
   a membro (with private documents of their own) and from an admin. Samples shuffled together.

Numbers never make the exit status non-zero: this is a measurement, not a gate.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing
import random
import sys
import tempfile
import threading
import time
from collections import Counter, defaultdict
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

import psutil
from sqlalchemy import text

from bench.comum import pct
from bot.conhecimento.servico import ConhecimentoService
from bot.notificacoes import SilentNotifier
from bot.settings import Settings
from db.engine import create_engine, create_sessions
from db.models import Usuario
from tests.throwaway import throwaway_database

PIPELINE_RATIO_GOAL = 0.4
PIPELINE_MBS_GOAL = 5.0
RSS_GOAL_MB = 300.0
SEARCH_P95_GOAL_MS = 20.0
ARQUIVO_KB = 200
FORMATOS = (  # (format, share of the corpus text)
    ("md", 0.30),
    ("txt", 0.20),
    ("html", 0.15),
    ("csv", 0.10),
    ("json", 0.10),
    ("docx", 0.10),
    ("pdf", 0.05),
)

PALAVRAS = [
    "avaliação",
    "trimestral",
    "migração",
    "servidor",
    "configuração",
    "integração",
    "relatório",
    "processo",
    "equipe",
    "cliente",
    "contrato",
    "entrega",
    "prazo",
    "implantação",
    "homologação",
    "produção",
    "banco",
    "dados",
    "consulta",
    "índice",
    "desempenho",
    "latência",
    "requisição",
    "resposta",
    "serviço",
    "fila",
    "mensagem",
    "evento",
    "auditoria",
    "segurança",
    "acesso",
    "permissão",
    "usuário",
    "senha",
    "certificado",
    "criptografia",
    "backup",
    "restauração",
    "rollback",
    "versão",
    "release",
    "deploy",
    "pipeline",
    "teste",
    "unitário",
    "cobertura",
    "revisão",
    "código",
    "arquitetura",
    "módulo",
    "camada",
    "interface",
    "documentação",
    "manual",
    "procedimento",
    "política",
    "orçamento",
    "licença",
    "fornecedor",
    "suporte",
    "chamado",
    "incidente",
    "problema",
    "solução",
    "diagnóstico",
    "monitoramento",
    "alerta",
    "métrica",
    "painel",
    "capacidade",
    "escalabilidade",
    "disponibilidade",
    "redundância",
    "réplica",
    "cluster",
    "contêiner",
    "orquestração",
    "rede",
    "firewall",
    "balanceador",
    "domínio",
    "certificação",
    "conformidade",
    "privacidade",
    "retenção",
    "arquivo",
    "planilha",
    "operação",
    "manutenção",
    "atualização",
    "dependência",
    "biblioteca",
    "framework",
    "linguagem",
    "compilação",
    "execução",
    "ambiente",
    "variável",
    "parâmetro",
    "limite",
    "tentativa",
    "repetição",
    "tolerância",
    "falha",
    "recuperação",
    "transação",
    "consistência",
]
LIGACOES = [
    "de",
    "do",
    "da",
    "dos",
    "das",
    "em",
    "no",
    "na",
    "para",
    "com",
    "sem",
    "por",
    "sobre",
    "entre",
    "após",
    "antes",
    "e",
    "ou",
]
VERBOS = [
    "garante",
    "revisa",
    "valida",
    "registra",
    "reduz",
    "aumenta",
    "exige",
    "permite",
    "evita",
    "documenta",
    "mede",
    "acompanha",
    "prioriza",
    "automatiza",
]
FRASES = ("plano de migração", "avaliação trimestral", "banco de dados", "política de retenção")


# -- corpus -----------------------------------------------------------------------------------
class Gerador:
    """pt-BR sentences with Zipf-distributed vocabulary."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.pesos = [1 / (i + 1) for i in range(len(PALAVRAS))]

    def palavras(self, n: int) -> list[str]:
        return self.rng.choices(PALAVRAS, weights=self.pesos, k=n)

    def frase(self) -> str:
        a, b, c = self.palavras(3)
        partes = [
            a.capitalize(),
            self.rng.choice(LIGACOES),
            b,
            self.rng.choice(VERBOS),
            c,
            self.rng.choice(LIGACOES),
            *self.palavras(self.rng.randint(2, 6)),
        ]
        if self.rng.random() < 0.1:
            partes.insert(3, self.rng.choice(FRASES))
        return " ".join(partes) + "."

    def paragrafo(self) -> str:
        return " ".join(self.frase() for _ in range(self.rng.randint(3, 7)))

    def secoes(self, alvo: int) -> list[tuple[str, list[str]]]:
        """(heading, paragraphs) until about `alvo` characters."""
        secoes: list[tuple[str, list[str]]] = []
        total = 0
        while total < alvo:
            titulo = " ".join(self.palavras(2)).capitalize()
            paragrafos = [self.paragrafo() for _ in range(self.rng.randint(2, 6))]
            total += sum(len(p) for p in paragrafos) + len(titulo)
            secoes.append((titulo, paragrafos))
        return secoes


def escrever(formato: str, nome: str, secoes: list[tuple[str, list[str]]], pasta: Path) -> int:
    """Write one file; the characters of text it holds."""
    caminho = pasta / f"{nome}.{formato}"
    texto = sum(len(t) + sum(len(p) for p in ps) for t, ps in secoes)
    if formato == "md":
        caminho.write_text(
            f"# {nome}\n\n" + "\n\n".join(f"## {t}\n\n" + "\n\n".join(ps) for t, ps in secoes)
        )
    elif formato == "txt":
        caminho.write_text("\n\n".join(f"{t}\n\n" + "\n\n".join(ps) for t, ps in secoes))
    elif formato == "html":
        corpo = "".join(f"<h2>{t}</h2>" + "".join(f"<p>{p}</p>" for p in ps) for t, ps in secoes)
        caminho.write_text(
            f"<html><head><title>{nome}</title><script>var x=1;</script></head><body>"
            f"<nav>Início Menu</nav><main><h1>{nome}</h1>{corpo}</main></body></html>"
        )
    elif formato == "csv":
        linhas = ["secao;descricao"] + [f"{t};{p}" for t, ps in secoes for p in ps]
        caminho.write_text("\n".join(linhas))
    elif formato == "json":
        caminho.write_text(
            json.dumps(
                {"titulo": nome, "secoes": [{"nome": t, "paragrafos": ps} for t, ps in secoes]},
                ensure_ascii=False,
            )
        )
    elif formato == "docx":
        import docx

        documento = docx.Document()
        documento.add_heading(nome, 0)
        for t, ps in secoes:
            documento.add_heading(t, 1)
            for p in ps:
                documento.add_paragraph(p)
        documento.save(str(caminho))
    elif formato == "pdf":
        from fpdf import FPDF

        pdf = FPDF()
        pdf.set_font("Helvetica", size=10)
        for t, ps in secoes:
            pdf.add_page()
            pdf.start_section(t)
            pdf.multi_cell(0, 5, "\n".join(ps))
        pdf.output(str(caminho))
    return texto


def gerar_corpus(pasta: Path, mb: float, semente: int) -> tuple[float, Counter]:
    """Files in `pasta` holding about `mb` MB of text; (text MB, files per format)."""
    rng = random.Random(semente)
    gerador = Gerador(rng)
    total = 0
    por_formato: Counter = Counter()
    for formato, parte in FORMATOS:
        alvo = mb * 1_000_000 * parte
        feito = 0
        while feito < alvo:
            nome = f"{formato}_{por_formato[formato]:04d}"
            secoes = gerador.secoes(min(ARQUIVO_KB * 1000, int(alvo - feito) + 1000))
            feito += escrever(formato, nome, secoes, pasta)
            por_formato[formato] += 1
        total += feito
    return total / 1_000_000, por_formato


# -- measuring --------------------------------------------------------------------------------
class PicoRss:
    """Samples this process's and its children's RSS in a thread; keeps the peak sum."""

    def __init__(self) -> None:
        self.pico = 0
        self._parar = threading.Event()
        self._fio = threading.Thread(target=self._amostrar, daemon=True)

    def __enter__(self) -> PicoRss:
        self._fio.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._parar.set()
        self._fio.join()

    def _amostrar(self) -> None:
        eu = psutil.Process()
        while not self._parar.is_set():
            total = eu.memory_info().rss
            for filho in eu.children(recursive=True):
                try:
                    total += filho.memory_info().rss
                except psutil.Error:
                    continue
            self.pico = max(self.pico, total)
            time.sleep(0.02)


async def ingerir_tudo(
    servico: ConhecimentoService, arquivos: list[Path], paralelo: int
) -> tuple[float, Counter]:
    """Wall seconds to ingest every file; outcomes counted."""
    vagas = asyncio.Semaphore(paralelo)
    desfechos: Counter = Counter()

    async def um(arquivo: Path) -> None:
        async with vagas:
            doc = await servico.registrar_arquivo(arquivo)
            resultado = await servico.processar(doc.id)
            desfechos[resultado.desfecho if resultado else "nenhum"] += 1
            if resultado is not None and resultado.desfecho == "falhou":
                print(f"  {arquivo.name}: {resultado.motivo}")

    inicio = time.perf_counter()
    await asyncio.gather(*(um(a) for a in arquivos))
    return time.perf_counter() - inicio, desfechos


async def copia_bruta(engine: Any) -> tuple[float, float, float]:
    """(text MB, MB/s into a trechos-like table with tsvector+GIN, MB/s into a plain table)."""
    async with engine.connect() as conexao:
        bruta = (await conexao.get_raw_connection()).driver_connection
        linhas = await bruta.fetch(
            "SELECT documento_id, posicao, secao, pagina, texto FROM trechos ORDER BY id"
        )
        registros = [tuple(r) for r in linhas]
        mb = sum(len(r[4].encode()) for r in registros) / 1_000_000
        await bruta.execute("CREATE TABLE copia_indexada (LIKE trechos INCLUDING ALL)")
        await bruta.execute(
            "CREATE TABLE copia_simples (documento_id bigint, posicao int, secao text,"
            " pagina int, texto text)"
        )
        colunas = ["documento_id", "posicao", "secao", "pagina", "texto"]
        taxas = []
        for tabela in ("copia_indexada", "copia_simples"):
            inicio = time.perf_counter()
            async with bruta.transaction():
                for i in range(0, len(registros), 500):  # per document-sized batches
                    await bruta.copy_records_to_table(
                        tabela, records=registros[i : i + 500], columns=colunas
                    )
            taxas.append(mb / (time.perf_counter() - inicio))
        await bruta.execute("DROP TABLE copia_indexada, copia_simples")
    return mb, taxas[0], taxas[1]


async def completar(engine: Any, alvo: int, rng: random.Random, usuarios: list[int]) -> int:
    """Top the store up to `alvo` chunks under extra documents; the chunk count."""
    gerador = Gerador(rng)
    async with engine.connect() as conexao:
        bruta = (await conexao.get_raw_connection()).driver_connection
        existentes = await bruta.fetchval("SELECT count(*) FROM trechos")
        faltam = max(0, alvo - existentes)
        por_doc = 200
        async with bruta.transaction():
            while faltam > 0:
                privado = rng.random() < 0.1
                dono = rng.choice(usuarios)
                doc = await bruta.fetchval(
                    "INSERT INTO documentos (titulo, origem, referencia, status, privado,"
                    " enviado_por_id, sha256) VALUES ($1, 'arquivo', 'bench', 'pronto', $2, $3,"
                    " md5(random()::text) || md5(random()::text)) RETURNING id",
                    " ".join(gerador.palavras(3)).capitalize(),
                    privado,
                    dono,
                )
                n = min(por_doc, faltam)
                registros = [
                    (doc, i, " ".join(gerador.palavras(2)), None, gerador.paragrafo() * 2)
                    for i in range(n)
                ]
                await bruta.copy_records_to_table(
                    "trechos",
                    records=registros,
                    columns=["documento_id", "posicao", "secao", "pagina", "texto"],
                )
                faltam -= n
        await bruta.execute("ANALYZE documentos; ANALYZE trechos")
        return int(await bruta.fetchval("SELECT count(*) FROM trechos"))


def consultas(rng: random.Random, n: int) -> dict[str, list[str]]:
    """Queries per category."""
    comuns, raras = PALAVRAS[:10], PALAVRAS[-40:]
    return {
        "1 palavra comum": [rng.choice(comuns) for _ in range(n)],
        "1 palavra rara": [rng.choice(raras) for _ in range(n)],
        "2 palavras": [" ".join(rng.sample(PALAVRAS[:60], 2)) for _ in range(n)],
        "prefixo": [rng.choice(PALAVRAS[:60])[:5].rstrip("ãçéíóú") + "*" for _ in range(n)],
        "frase": [f'"{rng.choice(FRASES)}"' for _ in range(n)],
    }


async def medir_busca(
    servico: ConhecimentoService, pessoas: dict[str, Usuario], n: int, rng: random.Random
) -> dict[tuple[str, str], list[float]]:
    """ms per search, by (category, view)."""
    amostras: list[tuple[str, str, str]] = [
        (categoria, visao, q)
        for categoria, qs in consultas(rng, n).items()
        for visao in pessoas
        for q in qs
    ]
    for _, visao, q in amostras[:50]:  # warm-up, discarded
        await servico.buscar(pessoas[visao], q)
    rng.shuffle(amostras)
    tempos: dict[tuple[str, str], list[float]] = defaultdict(list)
    for categoria, visao, q in amostras:
        inicio = time.perf_counter()
        await servico.buscar(pessoas[visao], q)
        tempos[(categoria, visao)].append((time.perf_counter() - inicio) * 1000)
    return tempos


async def run(args: argparse.Namespace) -> None:
    rng = random.Random(args.seed)
    with tempfile.TemporaryDirectory(prefix="cogep-bench-ingest-") as tmp:
        pasta = Path(tmp) / "corpus"
        pasta.mkdir()
        inicio = time.perf_counter()
        # In a child process: 50 MB of strings built here would stay in this process's RSS.
        contexto = multiprocessing.get_context("spawn")
        with ProcessPoolExecutor(1, mp_context=contexto) as gerador:
            mb, por_formato = gerador.submit(gerar_corpus, pasta, args.mb, args.seed).result()
        arquivos = sorted(pasta.iterdir())
        print(
            f"corpus: {mb:.1f} MB of text in {len(arquivos)} files "
            f"({', '.join(f'{n} {f}' for f, n in por_formato.items())}), "
            f"generated in {time.perf_counter() - inicio:.0f} s"
        )
        async with throwaway_database("cogep_bench_k", workdir=Path(tmp)) as (url, onde):
            print(f"database: {onde}")
            engine = create_engine(url, pool_size=8)
            sessions = create_sessions(engine)
            settings = Settings(_env_file=None, database_url=url)
            servico = ConhecimentoService(sessions, settings, SilentNotifier())
            try:
                await relatorio(args, rng, engine, sessions, servico, arquivos, mb, settings)
            finally:
                await servico.parar()
                await engine.dispose()


async def relatorio(
    args: argparse.Namespace,
    rng: random.Random,
    engine: Any,
    sessions: Any,
    servico: ConhecimentoService,
    arquivos: list[Path],
    mb: float,
    settings: Settings,
) -> None:
    paralelo = settings.ingest_processos + 1
    antes = psutil.Process().memory_info().rss / 1_000_000
    with PicoRss() as rss:
        segundos, desfechos = await ingerir_tudo(servico, arquivos, paralelo)
    taxa = mb / segundos
    mb_trechos, indexada, simples = await copia_bruta(engine)
    print(
        f"\npipeline: {mb:.1f} MB in {segundos:.1f} s = {taxa:.2f} MB/s of text "
        f"({dict(desfechos)}; {paralelo} documents at a time, "
        f"{settings.ingest_processos} extraction process)"
    )
    print(
        f"raw COPY of the same chunks ({mb_trechos:.1f} MB with overlap): "
        f"{indexada:.2f} MB/s into a trechos-like table (tsvector + GIN), "
        f"{simples:.1f} MB/s into a plain table"
    )
    razao = taxa / indexada
    print(
        f"ratio pipeline / raw COPY (tsvector + GIN): {razao:.2f}x "
        f"(goal >= {PIPELINE_RATIO_GOAL}x: {'MET' if razao >= PIPELINE_RATIO_GOAL else 'MISSED'});"
        f" pipeline / plain COPY: {taxa / simples:.2f}x"
    )
    print(
        f"pipeline rate goal >= {PIPELINE_MBS_GOAL} MB/s: "
        f"{'MET' if taxa >= PIPELINE_MBS_GOAL else 'MISSED'}"
    )
    pico = rss.pico / 1_000_000
    print(
        f"peak RSS while ingesting (this process + extraction children): {pico:.0f} MB, "
        f"this process alone {antes:.0f} MB before the first document "
        f"(goal <= {RSS_GOAL_MB:.0f} MB: {'MET' if pico <= RSS_GOAL_MB else 'MISSED'})"
    )

    async with sessions.begin() as session:
        admin = Usuario(telegram_id=1, nome="Admin", papel="admin")
        membros = [Usuario(telegram_id=100 + i, nome=f"Membro {i}") for i in range(50)]
        session.add_all([admin, *membros])
    total = await completar(engine, args.chunks, rng, [m.id for m in membros])
    async with sessions() as session:  # the membro with the most private documents
        linha = (
            await session.execute(
                text(
                    "SELECT enviado_por_id, count(*) FROM documentos WHERE privado"
                    " GROUP BY 1 ORDER BY 2 DESC LIMIT 1"
                )
            )
        ).one()
    membro = next(m for m in membros if m.id == linha[0])
    privados = linha[1]
    print(f"\nsearch over {total:,} chunks; the membro owns {privados} private documents")
    tempos = await medir_busca(servico, {"membro": membro, "admin": admin}, args.queries, rng)
    print(f"{'category':<18} {'view':<7} {'p50 ms':>7} {'p95 ms':>7} {'max ms':>7}")
    pior = 0.0
    for (categoria, visao), valores in sorted(tempos.items()):
        p95 = pct(valores, 95)
        pior = max(pior, p95)
        print(f"{categoria:<18} {visao:<7} {pct(valores, 50):7.1f} {p95:7.1f} {max(valores):7.1f}")
    print(
        f"search p95 goal <= {SEARCH_P95_GOAL_MS:.0f} ms: "
        f"{'MET' if pior <= SEARCH_P95_GOAL_MS else f'MISSED (worst p95 {pior:.1f} ms)'}"
    )


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """Command-line options."""
    parser = argparse.ArgumentParser(
        prog="python -m bench.ingest", description=(__doc__ or "").split("\n")[0]
    )
    parser.add_argument("--mb", type=float, default=50.0, help="MB of text in the corpus")
    parser.add_argument("--chunks", type=int, default=100_000, help="chunks searched over")
    parser.add_argument("--queries", type=int, default=100, help="timed searches per category")
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("--quick", action="store_true", help="3 MB, 10,000 chunks, 20 queries")
    args = parser.parse_args(argv)
    if args.quick:
        args.mb, args.chunks, args.queries = 3.0, 10_000, 20
    return args


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark; 0 whatever the numbers are."""
    asyncio.run(run(parse_args(argv)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
