"""Benchmark `/processos`, `/buscar` and the board: the real service at 100k processos.

Targets (from the issues): with 100,000 processos and 1,000 users, `ProcessoService.listar` and
`ProcessoService.buscar` answer in p95 <= 30 ms of database time on this machine; and the
board's first JSON (`GET /app/api/processos`, issue 23) in p95 <= 30 ms for a gestor and a
membro; `/relatorio` (`RelatorioService.gerar`: queries, chart and text) in p95 <= 2 s, with
`/exportar` (`ProcessoService.exportar`, the CSV bytes) measured beside it.

    python -m bench.processos [--processos 100000] [--users 1000] [--queries 300] [--quick]

Method
------
1. A fresh database `cogep_bench_p_<random>` is created on TEST_DATABASE_URL / DATABASE_URL, or on
   postgresql+asyncpg://postgres@127.0.0.1:5432 (the embedded PostgreSQL in a temporary folder
   when that is unreachable), migrated with `bot.migrations.upgrade`, and dropped WITH (FORCE) at
   the end (`--keep` leaves it for poking at plans by hand).
2. Seeding is server-side SQL (`INSERT ... SELECT generate_series`), not the ORM: usuarios (~5%
   gestores, two admins, the rest membros), some contatos, processos with pt-BR titles and
   descriptions assembled from word lists (accents included), skewed solicitantes (a few heavy
   requesters), 70% with a responsável, the five statuses weighted by age (old ones mostly closed),
   prazos around now (a third of the open ones overdue), `criado_em` over two years in
   `sequencia` order, `sequencia` from `nextval('processos_sequencia_seq')` and `numero` exactly as
   `formatar_numero` writes it; ~3 processo_eventos per processo (criado, a status change for
   those that moved, 0-2 comentários with text). Then ANALYZE.
3. End-to-end time: each sample awaits the real `ProcessoService(...).listar/.buscar` call (one
   short read transaction with its SELECT on a warm pool of the bot's own engine, pre-ping
   included) and reads `time.perf_counter` around it. Samples of the categories are shuffled
   together so all of them see the same machine state; a warm-up round is discarded.
   - listar: random membros / gestores, filters abertos/atrasados/concluidos/todos, pages 0-3;
   - buscar: random 1-2 word queries: accented and accent-less words ("migração"/"migracao"),
     prefixes ("integr"), two-word queries, a processo number ("2025-0421", "#421", "421").
   - quadro: the board's first JSON, over HTTP on loopback from the real aiohttp app
     (`bot.quadro`): initData checked, the usuario loaded, `ProcessoService.quadro` with no
     filter, the JSON written and read back by an aiohttp client; random membros / gestores;
   - baseline: `SELECT * FROM processos WHERE id = :id` through the same session path (a fresh
     session, one statement, rows fetched), many times. Ratios are p95 / baseline p95.
4. Server time: for a sample of calls of each category the statements the service sent are
   captured (a `before_cursor_execute` listener) and re-run as EXPLAIN (ANALYZE, FORMAT JSON);
   'Execution Time' is the server's time to run the plan, 'Planning Time' is reported apart.
   The gap between end-to-end and server time is client overhead (SQLAlchemy ORM, asyncpg,
   the loopback round trips of pre-ping / BEGIN / ROLLBACK).
5. When a category misses 30 ms (or with `--plans`) the text plan of its slowest sampled
   statement is printed. `--extra-sql` runs SQL after seeding (e.g. a CREATE INDEX to try).

Numbers never make the exit status non-zero: this is a measurement, not a gate.
"""

from __future__ import annotations

import argparse
import asyncio
import functools
import gc
import json
import random
import sys
import time
from collections import defaultdict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import aiohttp
from aiohttp import web
from sqlalchemy import event, select, text
from sqlalchemy.ext.asyncio import AsyncEngine

from bench.comum import bench_database, pct
from bot.notificacoes import SilentNotifier
from bot.processos import ProcessoService
from bot.processos.relatorio import RelatorioService
from bot.quadro import Estado, montar
from bot.quadro.initdata import assinar
from bot.services import Services
from bot.settings import Settings
from db.engine import create_engine, create_sessions
from db.models import Usuario

TARGET_MS = 30.0
TOKEN = "123456:bench-do-quadro"  # signs the board's initData; no Telegram is contacted
FILTROS = ("abertos", "atrasados", "concluidos", "todos")
PK_SQL = text("SELECT * FROM processos WHERE id = :id")


# -- word lists (pt-BR) -----------------------------------------------------------------------
def _lista(texto: str) -> list[str]:
    """'a | b | c' over several lines -> ['a', 'b', 'c']."""
    return [item.strip() for item in texto.split("|")]


NOMES = _lista("""Ana | Bruno | Carla | Diego | Eduarda | Fábio | Gabriela | Heitor | Isabela | João
    | Karina | Lucas | Mariana | Nicolas | Otávio | Paula | Rafael | Sônia | Thiago | Úrsula
    | Vinícius | Yasmin | André | Beatriz | Caio | Débora | Érica | Flávia | Gustavo | Helena
    | Igor | Júlia | Letícia | Márcio | Natália | Renan""")
SOBRENOMES = _lista("""Silva | Santos | Oliveira | Souza | Rodrigues | Ferreira | Alves | Pereira
    | Lima | Gomes | Costa | Ribeiro | Martins | Carvalho | Araújo | Melo | Barbosa | Cardoso
    | Rocha | Dias | Nascimento | Conceição | Gonçalves | Brandão""")
EMPRESAS = _lista("""Acme Ltda | Padaria São João | Construtora Horizonte | Clínica Vida
    | Açaí Tropical | Mercado Bom Preço | Lima & Associados | Transportes Rápidos
    | Farmácia Saúde | Colégio Esperança | Metalúrgica Aço Forte | Hotel Maré Alta
    | Óptica Visão | Cooperativa Agrícola Vale Verde | Escritório Contábil Exato
    | Pousada Recanto""")
CIDADES = _lista("""São Paulo | Belo Horizonte | Curitiba | Florianópolis | Recife | Goiânia
    | Brasília | Porto Alegre | Salvador | Fortaleza | Maringá | Ribeirão Preto""")
SETORES = _lista("""financeiro | comercial | jurídico | logística | RH | marketing | operações
    | atendimento | compras | diretoria""")
ACOES = _lista("""Migração de | Integração com | Relatório de | Atualização de | Correção de
    | Instalação de | Configuração de | Revisão de | Renovação de | Backup de | Auditoria de
    | Implantação de | Manutenção de | Suporte a | Cancelamento de | Orçamento de
    | Treinamento em | Análise de | Substituição de | Validação de""")
OBJETOS = _lista("""servidor de e-mail | contrato do cliente | banco de dados | sistema financeiro
    | ERP | rede Wi-Fi | certificado digital | licenças do Office | firewall | VPN | impressora
    | portal do cliente | API de pagamentos | nota fiscal eletrônica | planilha de custos
    | backup noturno | domínio | site institucional | aplicativo móvel | CRM | estoque
    | folha de pagamento | servidor de arquivos | telefonia | central de chamados
    | integração bancária | relatório mensal | dashboard de vendas | senhas | notebooks""")
ABERTURAS = _lista("""O cliente relatou que | Segundo o solicitante, | Foi identificado que
    | A equipe informou que | Desde a semana passada | Conforme combinado em reunião,
    | Usuária avisa que | Na última visita vimos que""")
PROBLEMAS = _lista("""o servidor não responde desde ontem | os e-mails estão caindo no spam
    | a sincronização falha com erro de autenticação | o relatório mensal tem valores divergentes
    | a integração com o banco parou após a atualização | o contrato vence no fim do mês
    | a migração precisa acontecer fora do horário comercial | o acesso remoto está lento
    | a impressora do segundo andar não imprime | os usuários não conseguem acessar o portal
    | o certificado digital expirou | a nota fiscal não é emitida
    | o backup da última noite não terminou | é preciso uma nova funcionalidade
    | a cobrança saiu em duplicidade""")
PEDIDOS = _lista("""Favor verificar com urgência. | Precisamos de um orçamento até sexta-feira.
    | Agendar visita técnica. | Enviar relatório ao gestor após a conclusão.
    | Validar com o financeiro antes de prosseguir.
    | Documentar o procedimento na base de conhecimento.
    | Combinar janela de manutenção com o cliente. | Avisar a diretoria quando resolver.
    | Testar em homologação antes de publicar. | Conferir o contrato e os anexos.""")
COMENTARIOS_A = _lista("""Cliente confirmou o agendamento. | Aguardando retorno do fornecedor.
    | Migração concluída em homologação. | Enviei o relatório por e-mail.
    | Reiniciei o servidor e o serviço voltou. | Contrato assinado.
    | Liguei para o cliente, sem resposta. | Atualização aplicada, monitorando.
    | Precisa de aprovação da diretoria. | Senha redefinida. | Orçamento aprovado.
    | Backup verificado: íntegro. | Integração testada com sucesso.
    | Chamado aberto no suporte do fabricante.""")
COMENTARIOS_B = _lista("""Próximo passo amanhã cedo. | Sigo acompanhando. | Anexei os logs.
    | Vou atualizar a documentação. | Favor revisar. | Depende do financeiro.
    | Retomo na segunda-feira. | Sem impacto para os usuários. | """)

# What people type into /buscar.
BUSCA_PALAVRAS = _lista("""migração | relatório | integração | servidor | e-mail | cliente
    | contrato | backup | impressora | financeiro | certificado | orçamento | fornecedor
    | firewall | VPN | estoque | homologação | Florianópolis | açaí | nota fiscal | senha
    | portal | duplicidade | auditoria""")
BUSCA_SEM_ACENTO = _lista("""migracao | relatorio | integracao | orcamento | homologacao
    | florianopolis | acai | eletronica | manutencao | licencas | operacoes | juridico
    | sao joao""")
BUSCA_PREFIXOS = _lista("integr | migr | relat | serv | contr | impress | certif | homolog | orça")


# -- statistics -------------------------------------------------------------------------------


@dataclass
class Serie:
    """Samples of one category: end-to-end ms, and server ms from EXPLAIN ANALYZE."""

    nome: str
    ms: list[float] = field(default_factory=list)
    por_tipo: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    execucao: list[float] = field(default_factory=list)
    planejamento: list[float] = field(default_factory=list)
    pior: tuple[float, str, str, Any] | None = None  # (exec ms, label, statement, params)


# -- seeding ----------------------------------------------------------------------------------
def _pick(values: list[str]) -> str:
    """SQL for one random element of `values` per row (our own constants; quotes doubled)."""
    array = ", ".join("'" + v.replace("'", "''") + "'" for v in values)
    return f"(ARRAY[{array}]::text[])[1 + floor(random() * {len(values)})::int]"


def _seed_sql(n_processos: int, n_users: int) -> list[tuple[str, str]]:
    """(label, SQL) steps that fill the database, server-side."""
    n, u = n_processos, n_users
    n_contatos = max(10, u // 2)
    return [
        (
            "usuarios",
            f"""
            INSERT INTO usuarios (telegram_id, nome, username, papel, origem, criado_em)
            SELECT 700000000 + g,
                   {_pick(NOMES)} || ' ' || {_pick(SOBRENOMES)},
                   CASE WHEN random() < 0.6 THEN 'user' || g END,
                   CASE WHEN g <= 2 THEN 'admin' WHEN g % 20 = 0 THEN 'gestor' ELSE 'membro' END,
                   CASE WHEN random() < 0.1 THEN 'convite' END,
                   now() - random() * interval '730 days'
            FROM generate_series(1, {u}) g
            """,
        ),
        (
            "contatos",
            f"""
            INSERT INTO contatos (nome, empresa, email, telefone, criado_por_id)
            SELECT {_pick(NOMES)} || ' ' || {_pick(SOBRENOMES)},
                   {_pick(EMPRESAS)}, 'contato' || g || '@exemplo.com.br',
                   '+55 11 9' || lpad((g * 7919 % 100000000)::text, 8, '0'),
                   (SELECT min(id) FROM usuarios) + (g % {u})
            FROM generate_series(1, {n_contatos}) g
            """,
        ),
        (
            "processos",
            f"""
            WITH base AS (
                SELECT g, nextval('processos_sequencia_seq') AS seq,
                       now() - (({n} - g + random()) * 730.0 / {n}) * interval '1 day' AS criado,
                       random() AS r_status, random() AS r_sub, random() AS r_prazo,
                       random() AS r_pz, random() AS r_resp, random() AS r_desc,
                       random() AS r_prio, random() AS r_cont,
                       (SELECT min(id) FROM usuarios) AS u0,
                       (SELECT min(id) FROM contatos) AS c0
                FROM generate_series(1, {n}) g
                OFFSET 0
            ), aged AS (
                SELECT *, extract(epoch FROM now() - criado) / 86400 AS idade,
                       CASE WHEN extract(epoch FROM now() - criado) / 86400 < 30 THEN 0.75
                            WHEN extract(epoch FROM now() - criado) / 86400 < 120 THEN 0.35
                            ELSE 0.06 END AS p_aberto
                FROM base
                OFFSET 0
            ), st AS (
                SELECT *,
                       CASE WHEN r_status < p_aberto THEN
                                CASE WHEN r_sub < 0.4 THEN 'aberto'
                                     WHEN r_sub < 0.8 THEN 'em_andamento'
                                     ELSE 'aguardando' END
                            ELSE CASE WHEN r_sub < 0.85 THEN 'concluido' ELSE 'cancelado' END
                       END AS status
                FROM aged
                OFFSET 0
            )
            INSERT INTO processos (sequencia, numero, titulo, descricao, status, prioridade,
                                   solicitante_id, responsavel_id, contato_id, prazo,
                                   concluido_em, criado_em, atualizado_em)
            SELECT seq,
                   to_char(criado AT TIME ZONE 'America/Sao_Paulo', 'YYYY') || '-'
                       || lpad(seq::text, greatest(4, length(seq::text)), '0'),
                   left({_pick(ACOES)} || ' ' || {_pick(OBJETOS)}
                        || CASE WHEN r_desc < 0.25 THEN ' – ' || {_pick(EMPRESAS)}
                                WHEN r_desc < 0.40 THEN ' da filial ' || {_pick(CIDADES)}
                                WHEN r_desc < 0.55 THEN ' do setor ' || {_pick(SETORES)}
                                ELSE '' END, 200),
                   CASE WHEN r_desc < 0.85 THEN
                       {_pick(ABERTURAS)} || ' ' || {_pick(PROBLEMAS)} || '. '
                       || {_pick(PEDIDOS)}
                       || CASE WHEN r_desc < 0.3 THEN ' Responsável local em '
                               || {_pick(CIDADES)} || ', setor '
                               || {_pick(SETORES)} || '.' ELSE '' END
                   END,
                   status,
                   CASE WHEN r_prio < 0.15 THEN 'baixa' WHEN r_prio < 0.75 THEN 'normal'
                        WHEN r_prio < 0.95 THEN 'alta' ELSE 'urgente' END,
                   u0 + floor({u} * random() ^ 2)::bigint,
                   CASE WHEN r_resp < 0.7 THEN u0 + floor({u} * random())::bigint END,
                   CASE WHEN r_cont < 0.2 THEN c0 + floor({n_contatos} * random())::bigint END,
                   CASE WHEN r_prazo >= 0.6 THEN NULL
                        WHEN status IN ('aberto', 'em_andamento', 'aguardando')
                            THEN now() + (r_pz * 45 - 15) * interval '1 day'
                        ELSE criado + (1 + r_pz * 30) * interval '1 day' END,
                   CASE WHEN status = 'concluido'
                        THEN least(now(), criado + (0.1 + r_pz * 20) * interval '1 day') END,
                   criado,
                   CASE WHEN status = 'aberto' THEN criado
                        ELSE least(now(), criado + (0.1 + r_pz * 20) * interval '1 day') END
            FROM st
            ORDER BY g
            """,
        ),
        (
            "eventos: criado",
            """
            INSERT INTO processo_eventos (processo_id, autor_id, tipo, criado_em)
            SELECT id, solicitante_id, 'criado', criado_em FROM processos ORDER BY id
            """,
        ),
        (
            "eventos: status",
            """
            INSERT INTO processo_eventos (processo_id, autor_id, tipo, de, para, criado_em)
            SELECT id, coalesce(responsavel_id, solicitante_id), 'status', 'aberto', status,
                   atualizado_em
            FROM processos WHERE status <> 'aberto' ORDER BY id
            """,
        ),
        (
            "eventos: comentario",
            f"""
            INSERT INTO processo_eventos (processo_id, autor_id, tipo, texto, criado_em)
            SELECT p.id, CASE WHEN random() < 0.5 THEN p.solicitante_id
                              ELSE coalesce(p.responsavel_id, p.solicitante_id) END,
                   'comentario',
                   rtrim({_pick(COMENTARIOS_A)} || ' ' || {_pick(COMENTARIOS_B)}),
                   least(now(), p.criado_em + random() * interval '10 days')
            FROM processos p
            CROSS JOIN LATERAL generate_series(1, round(random() * 2.4 + p.id * 0)::int) k
            ORDER BY p.id, k
            """,
        ),
    ]


async def seed(engine: AsyncEngine, n_processos: int, n_users: int) -> None:
    """Fill the database and ANALYZE it; prints the time of each step."""
    inicio = time.perf_counter()
    async with engine.begin() as connection:
        for label, sql in _seed_sql(n_processos, n_users):
            t0 = time.perf_counter()
            result = await connection.execute(text(sql))
            rows = f"{result.rowcount:>8,} rows" if result.rowcount >= 0 else " " * 13
            print(f"  {label:<22}{rows}  {time.perf_counter() - t0:6.2f}s")
    t0 = time.perf_counter()
    async with engine.connect() as connection:
        await connection.execution_options(isolation_level="AUTOCOMMIT")
        await connection.execute(text("VACUUM ANALYZE"))
    print(f"  {'VACUUM ANALYZE':<35}{time.perf_counter() - t0:6.2f}s")
    print(f"  seeded in {time.perf_counter() - inicio:.1f}s")


async def describe(engine: AsyncEngine) -> None:
    """One line on what the data looks like."""
    async with engine.connect() as c:
        row = (
            await c.execute(
                text(
                    """
                    SELECT (SELECT count(*) FROM usuarios),
                           (SELECT count(*) FILTER (WHERE papel = 'gestor') FROM usuarios),
                           (SELECT count(*) FROM processos),
                           (SELECT count(*) FROM processos
                             WHERE status IN ('aberto', 'em_andamento', 'aguardando')),
                           (SELECT count(*) FROM processos
                             WHERE status IN ('aberto', 'em_andamento', 'aguardando')
                               AND prazo < now()),
                           (SELECT count(*) FROM processo_eventos),
                           (SELECT max(c) FROM (SELECT count(*) c FROM processos
                                                GROUP BY solicitante_id) s),
                           pg_size_pretty(pg_database_size(current_database()))
                    """
                )
            )
        ).one()
    print(
        f"  {row[0]:,} usuarios ({row[1]} gestores), {row[2]:,} processos ({row[3]:,} abertos,"
        f" {row[4]:,} atrasados), {row[5]:,} eventos; busiest solicitante has {row[6]:,};"
        f" database {row[7]}"
    )


# -- workload ---------------------------------------------------------------------------------
Call = tuple[str, str, Callable[[], Awaitable[Any]]]  # (category, sub-kind, call)


def busca_aleatoria(rng: random.Random, numeros: list[tuple[str, int]]) -> tuple[str, str]:
    """(kind, text) of something a person types into /buscar."""
    r = rng.random()
    if r < 0.30:
        return "palavra", rng.choice(BUSCA_PALAVRAS)
    if r < 0.45:
        return "sem acento", rng.choice(BUSCA_SEM_ACENTO)
    if r < 0.60:
        return "prefixo", rng.choice(BUSCA_PREFIXOS)
    if r < 0.88:
        a, b = rng.sample(BUSCA_PALAVRAS + BUSCA_SEM_ACENTO + BUSCA_PREFIXOS, 2)
        return "2 palavras", f"{a} {b}"
    numero, sequencia = rng.choice(numeros)
    return "número", rng.choice([numero, f"#{sequencia}", str(sequencia)])


def make_calls(
    rng: random.Random,
    servico: ProcessoService,
    pk: Callable[[int], Awaitable[Any]],
    quadro: Callable[[Usuario], Awaitable[Any]],
    membros: list[Usuario],
    gestores: list[Usuario],
    numeros: list[tuple[str, int]],
    ids: tuple[int, int],
    n: int,
    n_pk: int,
) -> list[Call]:
    """n calls of each service category and n_pk baseline lookups, shuffled together."""
    calls: list[Call] = []
    for _ in range(n):
        for papel, pessoas in (("membro", membros), ("gestor", gestores)):
            usuario = rng.choice(pessoas)
            filtro, pagina = rng.choice(FILTROS), rng.randrange(4)
            calls.append(
                (
                    f"listar {papel}",
                    f"{filtro} p{pagina}",
                    functools.partial(servico.listar, usuario, filtro=filtro, pagina=pagina),
                )
            )
            usuario = rng.choice(pessoas)
            tipo, texto = busca_aleatoria(rng, numeros)
            calls.append(
                (
                    f"buscar {papel}",
                    f"{tipo}|{texto}",
                    functools.partial(servico.buscar, usuario, texto),
                )
            )
            usuario = rng.choice(pessoas)
            calls.append((f"quadro {papel}", "primeiro JSON", functools.partial(quadro, usuario)))
    for i in (rng.randint(*ids) for _ in range(n_pk)):
        calls.append(("pk lookup", "id", functools.partial(pk, i)))
    rng.shuffle(calls)
    return calls


class Captura:
    """Records the statements sent while `ativa` is a list."""

    def __init__(self, engine: AsyncEngine) -> None:
        self.ativa: list[tuple[str, Any]] | None = None
        event.listen(engine.sync_engine, "before_cursor_execute", self._on_execute)

    def _on_execute(self, conn, cursor, statement, parameters, context, executemany) -> None:
        if self.ativa is not None and statement.lstrip().upper().startswith(("SELECT", "WITH")):
            self.ativa.append((statement, parameters))


async def explain(engine: AsyncEngine, statement: str, params: Any, *, fmt: str = "JSON") -> Any:
    """EXPLAIN ANALYZE the statement with its parameters; the JSON plan or the text lines."""
    opts = "ANALYZE, FORMAT JSON" if fmt == "JSON" else "ANALYZE, BUFFERS, FORMAT TEXT"
    async with engine.connect() as c:
        result = await c.exec_driver_sql(f"EXPLAIN ({opts}) {statement}", tuple(params or ()))
        rows = result.all()
        await c.rollback()
    if fmt != "JSON":
        return [r[0] for r in rows]
    plan = rows[0][0]
    return json.loads(plan) if isinstance(plan, str) else plan


async def run(args: argparse.Namespace) -> None:
    """Create, seed, measure, report, drop."""
    rng = random.Random(args.seed)
    async with bench_database("cogep_bench_p", keep=args.keep) as (url, where):
        print(f"database: {where}")
        engine = create_engine(url, pool_size=5)
        try:
            print(f"seeding {args.processos:,} processos, {args.users:,} usuarios")
            await seed(engine, args.processos, args.users)
            for sql in args.extra_sql:
                t0 = time.perf_counter()
                async with engine.connect() as c:
                    await c.execution_options(isolation_level="AUTOCOMMIT")
                    await c.execute(text(sql))
                    await c.execute(text("ANALYZE"))
                print(f"  extra SQL ({time.perf_counter() - t0:.2f}s): {sql}")
            await describe(engine)
            await measure(engine, url, rng, args)
        finally:
            await engine.dispose()


async def measure(
    engine: AsyncEngine, url: str, rng: random.Random, args: argparse.Namespace
) -> None:
    """Time the service calls and the baseline, EXPLAIN a sample, print the report."""
    sessions = create_sessions(engine)
    settings = Settings(_env_file=None, database_url=url, telegram_bot_token=TOKEN)
    servico = ProcessoService(sessions, settings, SilentNotifier())
    captura = Captura(engine)

    async with sessions() as s:
        usuarios = list(await s.scalars(select(Usuario)))
        numeros = [
            (r.numero, r.sequencia)
            for r in await s.execute(
                text("SELECT numero, sequencia FROM processos ORDER BY random() LIMIT 200")
            )
        ]
        ids = tuple((await s.execute(text("SELECT min(id), max(id) FROM processos"))).one())
    membros = [u for u in usuarios if u.papel == "membro"]
    gestores = [u for u in usuarios if u.papel == "gestor"] or [
        u for u in usuarios if u.papel == "admin"
    ]

    async def pk(i: int) -> Any:
        async with sessions() as session:
            return (await session.execute(PK_SQL, {"id": i})).all()

    async with Quadro(settings, sessions) as quadro:
        n_pk = max(1000, 3 * args.queries)
        todos = (membros, gestores, numeros, ids)
        aquecimento = make_calls(rng, servico, pk, quadro.primeiro_json, *todos, 20, 100)
        calls = make_calls(rng, servico, pk, quadro.primeiro_json, *todos, args.queries, n_pk)
        pk_serie = await _medir(engine, captura, calls, aquecimento, n_pk, args)
    await medir_relatorios(sessions, rng, membros, gestores, pk_serie, args)


class Quadro:
    """The board's aiohttp app on loopback, over the bench's database, and a client for it."""

    def __init__(self, settings: Settings, sessions: Any) -> None:
        self.services = Services.build(settings, sessions, notifier=SilentNotifier())
        raiz = web.Application()
        montar(raiz, Estado(services=self.services, token=TOKEN))
        self.runner = web.AppRunner(raiz)
        self.assinaturas: dict[int, str] = {}

    async def __aenter__(self) -> Quadro:
        await self.runner.setup()
        site = web.TCPSite(self.runner, "127.0.0.1", 0)
        await site.start()
        porta = self.runner.addresses[0][1]
        self.url = f"http://127.0.0.1:{porta}/app/api/processos"
        self.http = aiohttp.ClientSession()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.http.close()
        await self.runner.cleanup()
        await self.services.mentor.fechar()

    async def primeiro_json(self, usuario: Usuario) -> Any:
        """What the page fetches when it opens: the board without filters."""
        assinatura = self.assinaturas.get(usuario.telegram_id)
        if assinatura is None:
            assinatura = self.assinaturas[usuario.telegram_id] = "tma " + assinar(
                TOKEN, telegram_id=usuario.telegram_id, nome=usuario.nome,
                auth_date=datetime.now(UTC),
            )  # fmt: skip
        async with self.http.get(self.url, headers={"Authorization": assinatura}) as resposta:
            assert resposta.status == 200, await resposta.text()
            return await resposta.json()


async def _medir(
    engine: AsyncEngine,
    captura: Captura,
    calls: list[Call],
    aquecimento: list[Call],
    n_pk: int,
    args: argparse.Namespace,
) -> Serie:
    """Warm up, time every call, EXPLAIN a sample, report; the pk lookup's series (the
    baseline of the ratios that follow)."""

    # Warm the pool, the caches and asyncpg's prepared statements; discard.
    for _, _, call in aquecimento:
        await call()

    series: dict[str, Serie] = {}
    print(f"timing {len(calls):,} calls ({args.queries} per category, {n_pk} pk lookups)")
    gc.collect()
    t_all = time.perf_counter()
    for categoria, tipo, call in calls:
        t0 = time.perf_counter()
        await call()
        ms = (time.perf_counter() - t0) * 1000
        serie = series.setdefault(categoria, Serie(categoria))
        serie.ms.append(ms)
        serie.por_tipo[tipo.split("|")[0]].append(ms)
    print(f"  done in {time.perf_counter() - t_all:.1f}s")

    # Server time: EXPLAIN ANALYZE the statements of a sample of each category.
    amostra: dict[str, int] = defaultdict(int)
    for categoria, tipo, call in calls:
        if amostra[categoria] >= args.explain:
            continue
        amostra[categoria] += 1
        captura.ativa = []
        await call()
        statements, captura.ativa = captura.ativa, None
        serie = series[categoria]
        execucao = planejamento = 0.0
        for statement, params in statements:
            plano = (await explain(engine, statement, params))[0]
            execucao += plano["Execution Time"]
            planejamento += plano["Planning Time"]
            if serie.pior is None or plano["Execution Time"] > serie.pior[0]:
                serie.pior = (plano["Execution Time"], tipo, statement, params)
        if statements:
            serie.execucao.append(execucao)
            serie.planejamento.append(planejamento)

    report(series, args)

    for serie in series.values():
        lento = pct(serie.ms, 95) > TARGET_MS or pct(serie.execucao, 95) > TARGET_MS
        if serie.pior is None or not (lento or args.plans):
            continue
        ms, tipo, statement, params = serie.pior
        print(f"\n-- slowest sampled statement of {serie.nome} ({tipo}): {ms:.1f} ms server")
        print(f"-- params: {params!r}")
        print(statement)
        for line in await explain(engine, statement, params, fmt="TEXT"):
            print("   " + line)
    return series["pk lookup"]


def report(series: dict[str, Serie], args: argparse.Namespace) -> None:
    """The p50/p95 tables, ratios to the pk lookup and the verdict."""
    ordem = [
        "listar membro", "listar gestor", "buscar membro", "buscar gestor",
        "quadro membro", "quadro gestor", "pk lookup",
    ]  # fmt: skip
    base = pct(series["pk lookup"].ms, 95)
    base_srv = pct(series["pk lookup"].execucao, 95)
    print("\nend-to-end time of the awaited call (ms; wall clock, warm pool)")
    print(
        f"  {'category':<15}{'n':>6}{'p50':>8}{'p95':>8}{'p99':>8}{'max':>8}"
        f"{'p95/pk':>9}  p95<=30ms"
    )
    for nome in ordem:
        s = series[nome]
        p95 = pct(s.ms, 95)
        ok = "-" if nome == "pk lookup" else ("yes" if p95 <= TARGET_MS else "NO")
        print(
            f"  {nome:<15}{len(s.ms):>6}{pct(s.ms, 50):>8.2f}{p95:>8.2f}{pct(s.ms, 99):>8.2f}"
            f"{max(s.ms):>8.2f}{p95 / base:>8.1f}x  {ok}"
        )

    print(
        f"\nserver time from EXPLAIN (ANALYZE) on a sample of {args.explain} calls per category"
        " (ms)"
    )
    print(
        f"  {'category':<15}{'n':>6}{'exec p50':>10}{'exec p95':>10}{'plan p50':>10}"
        f"{'p95/pk':>9}{'client p50':>12}"
    )
    for nome in ordem:
        s = series[nome]
        e50, e95 = pct(s.execucao, 50), pct(s.execucao, 95)
        print(
            f"  {nome:<15}{len(s.execucao):>6}{e50:>10.3f}{e95:>10.3f}"
            f"{pct(s.planejamento, 50):>10.3f}{e95 / base_srv:>8.1f}x"
            f"{pct(s.ms, 50) - e50 - pct(s.planejamento, 50):>12.2f}"
        )
    print(
        "  (client p50 = end-to-end p50 - server exec p50 - planning p50: ORM, driver and"
        " round trips)"
    )

    print("\nend-to-end by kind (ms)")
    for nome in ordem[:-1]:
        s = series[nome]
        partes = [
            f"{tipo} {pct(v, 50):.1f}/{pct(v, 95):.1f} (n={len(v)})"
            for tipo, v in sorted(s.por_tipo.items(), key=lambda kv: -pct(kv[1], 95))
        ]
        print(f"  {nome:<15}p50/p95: " + "; ".join(partes))

    falhas = [n for n in ordem[:-1] if pct(series[n].ms, 95) > TARGET_MS]
    veredito = "MET" if not falhas else "MISSED by " + ", ".join(falhas)
    print(
        f"\ntarget p95 <= {TARGET_MS:.0f} ms for /processos, /buscar and the board's first JSON:"
        f" {veredito}"
    )


RELATORIO_TARGET_MS = 2000.0


async def medir_relatorios(
    sessions: Any,
    rng: random.Random,
    membros: list[Usuario],
    gestores: list[Usuario],
    pk: Serie,
    args: argparse.Namespace,
) -> None:
    """/relatorio (chart drawn, text written) and /exportar (CSV bytes built), end to end, for
    random membros and gestores, shuffled together; p95 as a ratio to the pk lookup above."""
    relatorios = RelatorioService(sessions)
    servico = ProcessoService(sessions, Settings(_env_file=None), SilentNotifier())
    calls: list[tuple[str, Callable[[], Awaitable[Any]]]] = []
    for _ in range(args.relatorios):
        for papel, pessoas in (("membro", membros), ("gestor", gestores)):
            periodo = rng.choice(("semana", "mes"))
            relatorio = functools.partial(relatorios.gerar, rng.choice(pessoas), periodo)
            calls.append((f"relatorio {papel}", relatorio))
            exportar = functools.partial(servico.exportar, rng.choice(pessoas), rng.choice(FILTROS))
            calls.append((f"exportar {papel}", exportar))
    rng.shuffle(calls)
    for _, call in calls[:4]:  # warm-up: matplotlib's first figure loads its fonts
        await call()
    tempos: dict[str, list[float]] = defaultdict(list)
    for nome, call in calls:
        t0 = time.perf_counter()
        await call()
        tempos[nome].append((time.perf_counter() - t0) * 1000)
    base = pct(pk.ms, 95)
    print(f"\n/relatorio and /exportar end to end (ms; {args.relatorios} calls per category)")
    print(f"  {'category':<18}{'n':>5}{'p50':>9}{'p95':>9}{'max':>9}{'p95/pk':>10}  p95<=2s")
    for nome in ("relatorio membro", "relatorio gestor", "exportar membro", "exportar gestor"):
        v = tempos[nome]
        p95 = pct(v, 95)
        ok = "yes" if p95 <= RELATORIO_TARGET_MS else "NO"
        print(f"  {nome:<18}{len(v):>5}{pct(v, 50):>9.1f}{p95:>9.1f}{max(v):>9.1f}"
              f"{p95 / base:>9.0f}x  {ok}")  # fmt: skip


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """Command-line options."""
    parser = argparse.ArgumentParser(
        prog="python -m bench.processos", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--processos", type=int, default=100_000)
    parser.add_argument("--users", type=int, default=1_000)
    parser.add_argument("--queries", type=int, default=300, help="timed calls per category")
    parser.add_argument(
        "--explain", type=int, default=60, help="EXPLAIN ANALYZE sample per category"
    )
    parser.add_argument(
        "--relatorios", type=int, default=20, help="timed /relatorio and /exportar per category"
    )
    parser.add_argument(
        "--quick", action="store_true", help="10,000 processos, 200 users, 100 queries"
    )
    parser.add_argument("--seed", type=int, default=42, help="random seed of the workload")
    parser.add_argument(
        "--plans", action="store_true", help="print the slowest plan of every category"
    )
    parser.add_argument("--keep", action="store_true", help="do not drop the database at the end")
    parser.add_argument(
        "--extra-sql",
        action="append",
        default=[],
        metavar="SQL",
        help="run after seeding, e.g. a CREATE INDEX to try (repeatable)",
    )
    args = parser.parse_args(argv)
    if args.quick:
        args.processos, args.users, args.queries = 10_000, 200, 100
        args.explain = min(args.explain, 30)
    return args


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark; 0 whatever the numbers are."""
    args = parse_args(argv)
    asyncio.run(run(args))
    return 0


if __name__ == "__main__":
    sys.exit(main())
