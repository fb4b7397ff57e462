"""Fault injection against the real bot: crashes, redelivery, cut COMMITs, floods, bad input."""
