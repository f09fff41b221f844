"""The ``zkm audit`` progress bar (rich, on stderr): proofs done, total, proofs/s, elapsed, ETA."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    ProgressColumn,
    Task,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.text import Text


class RateColumn(ProgressColumn):
    """Average proofs per second since the start (steadier than rich's windowed speed)."""

    def render(self, task: Task) -> Text:
        """Return ``N proofs/s`` for ``task``."""
        elapsed = task.elapsed or 0.0
        rate = task.completed / elapsed if elapsed > 0 else 0.0
        return Text(f"{rate:,.0f} proofs/s", style="progress.data.speed")


@contextmanager
def audit_progress(total: int | None, *, disabled: bool = False) -> Iterator[Callable[[int], None]]:
    """Show a progress bar for ``total`` proofs (None: unknown) and yield its advance function."""
    progress = Progress(
        TextColumn("[bold]audit"),
        BarColumn(),
        MofNCompleteColumn(),
        RateColumn(),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
        console=Console(stderr=True),
        disable=disabled,
        transient=False,
    )
    with progress:
        task = progress.add_task("audit", total=total)

        def advance(count: int) -> None:
            progress.advance(task, count)

        yield advance
