"""Development settings are the default; production and test settings import from base."""

from .base import *  # noqa: F403
