"""Persistence: models, the engine/session factory, the repositories and `busca`.

Nothing here imports `bot`, `handlers` or `telegram`. A new table is a model in
`db/models/<dominio>.py` (re-exported from `db.models`), its queries in
`db/repositories/<dominio>.py`, and a migration in `alembic/versions/`.
"""
