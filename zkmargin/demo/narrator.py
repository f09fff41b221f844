"""The demo's voice: numbered steps told by each actor, detail lines, and progress bars."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Final

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

STEPS: Final = 12
"""market, keys, service, oracle, venue, traders, clearing, auditor, then venue-wide solvency:
the venue proves, freezes and posts, the auditor verifies, a clearing client reads it back."""


class Narrator:
    """Prints the story on ``console`` and shows progress bars on ``progress_console``
    (only when it is a terminal: a bar written to a file or pipe is noise)."""

    def __init__(self, console: Console, progress_console: Console, quiet: bool) -> None:
        self.console = console
        self.progress_console = progress_console
        self.quiet = quiet or not progress_console.is_terminal
        self.step = 0

    def say(self, actor: str, text: str) -> None:
        """Print the next numbered step, told by ``actor``."""
        self.step += 1
        self.console.print(f"[dim][{self.step}/{STEPS}][/] [bold cyan]{actor:<9}[/] {text}")

    def note(self, text: str, style: str = "") -> None:
        """Print an indented detail line under the current step."""
        self.console.print(f"      {text}", style=style or None, highlight=False)

    @contextmanager
    def bar(self, label: str, total: int) -> Iterator[Callable[[], None]]:
        """Show a progress bar of ``total`` items and yield its advance function."""
        progress = Progress(
            TextColumn(f"[bold]{label}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=self.progress_console,
            disable=self.quiet,
            transient=True,
        )
        with progress:
            task = progress.add_task(label, total=total)
            yield lambda: progress.advance(task)
