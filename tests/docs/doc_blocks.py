"""Extract the runnable code blocks of a Markdown file, with the directives that steer them.

A fenced block whose language is ``bash`` is run by ``test_docs_commands.py``; the blocks of
one file run in order, in one scratch directory, like a reader typing them into one
terminal (variables assigned in one block are visible in the next, and a ``cd`` persists).
An HTML comment on the line just before the fence changes how the block runs (readers of
the rendered page do not see it):

* ``<!-- no-test: why -->`` — not run (e.g. the README's set-up commands, which ``.ci/run``
  runs itself). ``<!-- test: skip -->`` is the same.
* ``<!-- test: background, wait=http://127.0.0.1:8000/v1/health -->`` — a long-running
  server: started in the background (killed when the file is done); the next block starts
  once the URL answers 200.
* ``<!-- test: exit=2 -->`` — the block must exit with this code (a refusal being shown).
* ``<!-- test: timeout=600 -->`` — seconds the block may take (default 300).

A comment that starts ``<!-- test-setup`` holds hidden bash (on the following lines, up to a
line ``-->``) run at that point: set-up a page's commands need but that the page does not
show (e.g. what another actor did). Its first line may carry the same directives:
``<!-- test-setup: background, wait=URL``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Final

RUNNABLE: Final = frozenset({"bash"})
DEFAULT_TIMEOUT: Final = 300.0
_FENCE = re.compile(r"^(\s*)(`{3,})\s*([\w+-]*)")
_DIRECTIVE = re.compile(r"^<!--\s*(no-test|test)\s*(?::\s*(.*?))?\s*-->$")


class DirectiveError(ValueError):
    """A ``<!-- test: … -->`` comment that cannot be understood."""


@dataclass(frozen=True)
class Directive:
    """How to run a block (see the module docstring)."""

    skip: str | None = None
    background: bool = False
    wait_for: str | None = None
    expect_exit: int = 0
    timeout: float = DEFAULT_TIMEOUT


@dataclass(frozen=True)
class DocBlock:
    """One runnable block: where it is, its code, and how to run it."""

    path: Path
    line: int
    code: str
    run: Directive = Directive()
    hidden: bool = False

    @property
    def where(self) -> str:
        """Return ``file:line`` of the block's opening fence."""
        return f"{self.path.name}:{self.line}"


def parse_directive(text: str, where: str) -> Directive:
    """Return the directive in the comment ``text`` (the default one if it is not a directive)."""
    match = _DIRECTIVE.match(text.strip())
    if match is None:
        return Directive()
    verb, rest = match.group(1), (match.group(2) or "").strip()
    if verb == "no-test":
        return Directive(skip=rest or "marked no-test")
    run = Directive()
    for part in filter(None, (p.strip() for p in rest.split(","))):
        key, _, value = part.partition("=")
        if key == "skip":
            run = replace(run, skip=value or "marked skip")
        elif key == "background" and not value:
            run = replace(run, background=True)
        elif key == "wait" and value:
            run = replace(run, wait_for=value)
        elif key == "exit" and value.isdigit():
            run = replace(run, expect_exit=int(value))
        elif key == "timeout" and value.replace(".", "", 1).isdigit():
            run = replace(run, timeout=float(value))
        else:
            raise DirectiveError(f"{where}: unknown test directive {part!r}")
    return run


def _previous_line(lines: list[str], index: int) -> str:
    return lines[index - 1].strip() if index > 0 else ""


def _hidden_setup(lines: list[str], start: int, path: Path) -> tuple[DocBlock, int]:
    """Return the hidden block starting at ``lines[start]`` and the index after its ``-->``.

    The opening line may carry directives: ``<!-- test-setup: background, wait=URL``.
    """
    where = f"{path.name}:{start + 1}"
    head = lines[start].strip().removeprefix("<!-- test-setup").strip()
    if head.endswith("-->"):
        raise DirectiveError(f"{where}: put the hidden set-up on the lines after <!-- test-setup")
    run = parse_directive(f"<!-- test: {head.removeprefix(':')} -->", where)
    body: list[str] = []
    for index in range(start + 1, len(lines)):
        if lines[index].strip() == "-->":
            code = "\n".join(body).strip() + "\n"
            return DocBlock(path, start + 1, code, run, hidden=True), index + 1
        body.append(lines[index])
    raise DirectiveError(f"{where}: unterminated <!-- test-setup comment")


def _fenced(lines: list[str], start: int, path: Path) -> tuple[DocBlock | None, int]:
    """Return the block whose fence opens at ``lines[start]`` (None if not runnable)."""
    match = _FENCE.match(lines[start])
    assert match is not None
    indent, fence, language = match.group(1), match.group(2), match.group(3)
    body: list[str] = []
    index = start + 1
    while index < len(lines) and not lines[index].strip().startswith(fence):
        body.append(
            lines[index][len(indent) :] if lines[index].startswith(indent) else lines[index]
        )
        index += 1
    if index == len(lines):
        raise DirectiveError(f"{path.name}:{start + 1}: unterminated code fence")
    if language not in RUNNABLE:
        return None, index + 1
    where = f"{path.name}:{start + 1}"
    run = parse_directive(_previous_line(lines, start), where)
    return DocBlock(path, start + 1, "\n".join(body) + "\n", run), index + 1


def extract_blocks(path: Path) -> list[DocBlock]:
    """Return every runnable block of the Markdown file ``path`` (hidden set-up included)."""
    lines = path.read_text(encoding="utf-8").splitlines()
    blocks: list[DocBlock] = []
    index = 0
    while index < len(lines):
        stripped = lines[index].strip()
        if stripped.startswith("<!-- test-setup"):
            block, index = _hidden_setup(lines, index, path)
            blocks.append(block)
        elif _FENCE.match(lines[index]):
            found, index = _fenced(lines, index, path)
            if found is not None:
                blocks.append(found)
        else:
            index += 1
    return blocks
