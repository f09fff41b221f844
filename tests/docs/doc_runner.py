"""Run a Markdown file's blocks in order in one scratch directory, as one reader would.

Each block runs in its own ``bash -euo pipefail`` with ``set -a``, after re-loading the
variables and working directory the previous block left (saved with ``export -p`` and
``pwd`` into a state directory next to the scratch directory), so ``KEY=$(…)`` in one block
and ``$KEY`` in the next work as in a terminal. Background blocks run in their own process
group and are stopped when the file is done. ``zkm`` is the one installed next to the
Python running the tests.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import httpx

from tests.docs.doc_blocks import DocBlock

WAIT_TIMEOUT_S = 90.0
_NOT_CARRIED = ("PWD", "OLDPWD", "SHLVL", "_")
_CLEARED_ENV = ("ZKM_URL", "ZKM_API_KEY", "ZKM_DATABASE_URL")


class DocBlockError(AssertionError):
    """A documented command did not do what the page says."""


def tail(text: str, lines: int = 40) -> str:
    """Return the last ``lines`` lines of ``text``."""
    return "\n".join(text.splitlines()[-lines:])


def port_is_free(url: str) -> bool:
    """Return whether nothing listens on the host and port of ``url`` yet."""
    parts = urlsplit(url)
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        return probe.connect_ex((parts.hostname or "127.0.0.1", parts.port or 80)) != 0


@dataclass
class DocSession:
    """One reader's terminal: a scratch directory, carried variables, background servers."""

    work: Path
    state: Path
    background: list[tuple[DocBlock, subprocess.Popen[bytes], Path]] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.work.mkdir(parents=True, exist_ok=True)
        self.state.mkdir(parents=True, exist_ok=True)
        (self.state / "cwd").write_text(str(self.work))
        self.env = {k: v for k, v in os.environ.items() if k not in _CLEARED_ENV}
        bin_dir = str(Path(sys.executable).parent)
        self.env["PATH"] = bin_dir + os.pathsep + self.env.get("PATH", "")
        self.env["PYTHONUNBUFFERED"] = "1"

    def _script(self, block: DocBlock, *, carry: bool) -> str:
        env_file, cwd_file = self.state / "env.sh", self.state / "cwd"
        prologue = (
            f"set -a\n[ -f '{env_file}' ] && . '{env_file}'\ncd \"$(cat '{cwd_file}')\"\n"
            "set -euo pipefail\n"
        )
        if not carry:
            return prologue + block.code
        skip = "|".join(_NOT_CARRIED)
        # ``a && b`` failing as the last line does not trip ``set -e``: keep its status.
        epilogue = (
            f"zkm_doc_rc=$?\nset +e\nexport -p | grep -Ev '^declare -x ({skip}|zkm_doc_rc)='"
            f" > '{env_file}'\npwd > '{cwd_file}'\nexit $zkm_doc_rc\n"
        )
        if block.run.expect_exit == 0:
            return prologue + block.code + "\n" + epilogue
        return prologue + f"set +e\n(\nset -e\n{block.code}\n)\n{epilogue}"

    def run(self, block: DocBlock) -> str:
        """Run ``block`` and return its output; DocBlockError if it misbehaves."""
        if block.run.background:
            self._start_background(block)
            return ""
        try:
            done = subprocess.run(
                ["bash", "-c", self._script(block, carry=True)],
                env=self.env,
                capture_output=True,
                text=True,
                timeout=block.run.timeout,
                check=False,
            )
        except subprocess.TimeoutExpired as expired:
            raise DocBlockError(
                f"{block.where} took more than {block.run.timeout:.0f} s:\n{block.code}"
            ) from expired
        if done.returncode != block.run.expect_exit:
            raise DocBlockError(
                f"{block.where} exited {done.returncode}, expected {block.run.expect_exit}:\n"
                f"{block.code}\n--- stdout ---\n{tail(done.stdout)}\n--- stderr ---\n"
                f"{tail(done.stderr)}{self._background_logs()}"
            )
        return done.stdout

    def _start_background(self, block: DocBlock) -> None:
        if block.run.wait_for and not port_is_free(block.run.wait_for):
            raise DocBlockError(f"{block.where}: {block.run.wait_for} is already in use")
        log = self.state / f"background-{len(self.background)}.log"
        with log.open("wb") as sink:
            process = subprocess.Popen(
                ["bash", "-c", self._script(block, carry=False)],
                env=self.env,
                stdout=sink,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        self.background.append((block, process, log))
        if block.run.wait_for:
            self._wait(block, process, log)

    def _wait(self, block: DocBlock, process: subprocess.Popen[bytes], log: Path) -> None:
        assert block.run.wait_for is not None
        deadline = time.monotonic() + WAIT_TIMEOUT_S
        while time.monotonic() < deadline:
            if process.poll() is not None:
                raise DocBlockError(f"{block.where} stopped:\n{tail(log.read_text())}")
            try:
                if httpx.get(block.run.wait_for, timeout=2.0).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        raise DocBlockError(f"{block.where}: {block.run.wait_for} never answered 200")

    def _background_logs(self) -> str:
        return "".join(
            f"\n--- background {block.where} ---\n{tail(log.read_text())}"
            for block, _, log in self.background
        )

    def close(self) -> None:
        """Stop every background block (SIGTERM to its process group, then SIGKILL)."""
        for _, process, _ in self.background:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
                try:
                    process.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    os.killpg(process.pid, signal.SIGKILL)
                    process.wait()
