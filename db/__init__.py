"""Persistence: models, the engine/session factory and the repositories."""
