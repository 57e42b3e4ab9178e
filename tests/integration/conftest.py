"""Fixtures shared by the integration tests."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from croupier.bootstrap import Platform, open_platform
from croupier.config import load_settings
from tests.support.vault import KEK_ENV


@pytest.fixture
async def platform(database_url: str) -> AsyncIterator[Platform]:
    """A whole all-in-one platform on the test's database (both backends), closed after."""
    opened = await open_platform(load_settings(KEK_ENV, database_url=database_url))
    try:
        yield opened
    finally:
        await opened.close()
