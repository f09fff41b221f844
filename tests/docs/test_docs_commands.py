"""Every ``bash`` block in README.md and docs/*.md runs as written (see doc_blocks.py for the
``<!-- test: … -->`` directives), so the documentation cannot rot."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import REPO_ROOT
from tests.docs.doc_blocks import DirectiveError, DocBlock, extract_blocks, parse_directive
from tests.docs.doc_runner import DocSession

DOC_FILES = [REPO_ROOT / "README.md", *sorted((REPO_ROOT / "docs").glob("*.md"))]


def _runnable(path: Path) -> list[DocBlock]:
    return [block for block in extract_blocks(path) if block.run.skip is None]


@pytest.mark.parametrize(
    "doc", [p for p in DOC_FILES if _runnable(p)], ids=lambda p: p.relative_to(REPO_ROOT).as_posix()
)
def test_every_command_in_the_page_runs_as_written(doc: Path, tmp_path: Path) -> None:
    session = DocSession(work=tmp_path / "work", state=tmp_path / "state")
    try:
        for block in _runnable(doc):
            session.run(block)
    finally:
        session.close()


def test_readme_keeps_the_two_fresh_machine_commands() -> None:
    codes = [block.code.strip() for block in extract_blocks(REPO_ROOT / "README.md")]
    assert "scripts/setup.sh && zkm demo" in codes
    assert "scripts/setup.sh --dev && scripts/test.sh" in codes


def test_every_doc_page_parses_and_links_exist() -> None:
    for doc in DOC_FILES:
        extract_blocks(doc)
        text = doc.read_text(encoding="utf-8")
        for target in _relative_links(text):
            assert (doc.parent / target).exists(), f"{doc.name} links to missing {target}"


def _relative_links(text: str) -> list[str]:
    import re

    links = re.findall(r"\]\(([^)#\s]+)(?:#[^)]*)?\)", text)
    return [link for link in links if "://" not in link and not link.startswith("mailto:")]


def test_directives_are_parsed_and_unknown_ones_refused(tmp_path: Path) -> None:
    page = tmp_path / "page.md"
    page.write_text(
        "<!-- no-test: slow -->\n```bash\nsleep 100\n```\n"
        "<!-- test: background, wait=http://127.0.0.1:1/x -->\n```bash\nzkm serve\n```\n"
        "<!-- test: exit=2, timeout=5 -->\n```bash\nfalse\n```\n"
        "```python\nprint(1)\n```\n"
        "<!-- test-setup\necho hidden\n-->\n"
        "<!-- test-setup: background, wait=http://127.0.0.1:2/y\nzkm serve\n-->\n"
    )
    skip, server, refusal, hidden, hidden_server = extract_blocks(page)
    assert skip.run.skip == "slow"
    assert server.run.background and server.run.wait_for == "http://127.0.0.1:1/x"
    assert (refusal.run.expect_exit, refusal.run.timeout) == (2, 5.0)
    assert hidden.hidden and hidden.code.strip() == "echo hidden"
    assert hidden_server.hidden and hidden_server.run.background
    assert hidden_server.run.wait_for == "http://127.0.0.1:2/y"
    with pytest.raises(DirectiveError, match="unknown test directive"):
        parse_directive("<!-- test: exitt=2 -->", "page.md:1")


def test_session_carries_variables_and_directory_between_blocks(tmp_path: Path) -> None:
    page = tmp_path / "page.md"
    page.write_text(
        "```bash\nmkdir sub && cd sub\nGREETING=hello\n```\n"
        "<!-- test: exit=3 -->\n```bash\nexit 3\n```\n"
        '```bash\ntest "$GREETING" = hello && test "$(basename "$PWD")" = sub\n```\n'
    )
    session = DocSession(work=tmp_path / "work", state=tmp_path / "state")
    for block in extract_blocks(page):
        session.run(block)
    with pytest.raises(AssertionError, match="exited 1, expected 0"):
        session.run(DocBlock(page, 9, "false\n"))


def test_session_reports_a_failing_last_and_list(tmp_path: Path) -> None:
    session = DocSession(work=tmp_path / "work", state=tmp_path / "state")
    with pytest.raises(AssertionError, match="exited 127"):
        session.run(DocBlock(tmp_path / "page.md", 1, "true\n./missing-script.sh && true\n"))
