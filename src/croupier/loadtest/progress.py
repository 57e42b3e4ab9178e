"""Progress on stderr (rich): bars while stderr is a terminal, notes always."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from types import TracebackType

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
)

__all__ = ["ProgressBar"]

_REFRESH_S = 0.25
_NOTE_EVERY_S = 5.0  # the same kind of note (e.g. a rate-limit wait) at most this often


class ProgressBar:
    def __init__(self, *, enabled: bool | None = None) -> None:
        self.console = Console(stderr=True)
        show = self.console.is_terminal if enabled is None else enabled
        self._progress = Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            TextColumn("{task.fields[status]}"),
            console=self.console,
            disable=not show,
        )
        self._noted: dict[str, float] = {}

    def __enter__(self) -> ProgressBar:
        self._progress.start()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self._progress.stop()

    def counter(self, description: str, total: int) -> Callable[[], None]:
        """A bar of ``total`` steps; call the result once per step."""
        task = self._progress.add_task(description, total=total, status="")
        return lambda: self._progress.advance(task)

    @asynccontextmanager
    async def timed(
        self, description: str, seconds: float, status: Callable[[], str]
    ) -> AsyncIterator[None]:
        """A bar of whole seconds, refreshed with ``status()`` while the body runs."""
        total = max(1, round(seconds))
        task = self._progress.add_task(description, total=total, status="")
        started = time.monotonic()

        async def refresh() -> None:
            while True:
                elapsed = min(total, int(time.monotonic() - started))
                self._progress.update(task, completed=elapsed, status=status())
                await asyncio.sleep(_REFRESH_S)

        refresher = asyncio.create_task(refresh())
        try:
            yield
        finally:
            refresher.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await refresher
            self._progress.update(task, completed=total, status=status())

    def note(self, kind: str, text: str) -> None:
        """Print ``text`` unless a note of this ``kind`` went out in the last few seconds."""
        now = time.monotonic()
        if now - self._noted.get(kind, -_NOTE_EVERY_S) >= _NOTE_EVERY_S:
            self._noted[kind] = now
            self.console.print(text, markup=False, highlight=False)
