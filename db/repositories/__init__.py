"""Repositories: keyword-only query functions on a session; they never commit."""
