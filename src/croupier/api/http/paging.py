"""The query parameters of every list: how many, and where the previous page ended."""

from __future__ import annotations

from typing import Annotated

from fastapi import Query

__all__ = ["PAGE_SIZE_MAX", "PageCursor", "PageLimit"]

PAGE_SIZE_MAX = 100

PageLimit = Annotated[int, Query(ge=1, le=PAGE_SIZE_MAX)]
PageCursor = Annotated[
    int | None, Query(ge=1, le=2**63 - 1, description="next_cursor of the previous page")
]
