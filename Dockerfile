FROM python:3.11-slim
WORKDIR /app
COPY pyproject.toml setup.py MANIFEST.in README.md alembic.ini ./
COPY bot ./bot
COPY handlers ./handlers
COPY db ./db
COPY alembic ./alembic
RUN pip install --no-cache-dir .
RUN useradd --create-home cogep
USER cogep
CMD ["cogep", "run"]
