"""Civic: the platform of a New-Era Civilization Practice network."""

from .celery import app as celery_app

__all__ = ("celery_app",)
