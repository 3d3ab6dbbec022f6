"""Klagomålsguiden backend: the system of record for complaints (aiohttp + SQLModel)."""
