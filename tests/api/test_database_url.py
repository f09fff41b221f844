"""A bad ``--db`` URL is one readable line and exit code 2, for ``zkm keys`` and ``zkm serve``."""

from __future__ import annotations

import pytest
from sqlalchemy.engine import make_url

from tests.api.conftest import postgres_base_url
from zkmargin.cli import main as zkm


def _missing_postgres_database() -> str:
    base = make_url(postgres_base_url())
    return base.set(database="zkm_no_such_database").render_as_string(hide_password=False)


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("sqlite:////nonexistent/dir/x.db", "unable to open database file"),
        ("mysql://x/y", "No module named"),
        ("not a url", "unparsable"),
    ],
)
@pytest.mark.parametrize("command", [["keys", "create", "--role", "admin"], ["serve"]])
def test_bad_database_url_is_one_line_and_exit_2(
    url: str, reason: str, command: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    assert zkm([*command, "--db", url]) == 2
    captured = capsys.readouterr()
    lines = captured.err.strip().splitlines()
    assert len(lines) == 1 and reason in lines[0], captured.err
    assert "Traceback" not in captured.err + captured.out


@pytest.mark.parametrize("command", [["keys", "create", "--role", "admin"], ["serve"]])
def test_missing_postgres_database_is_one_line_without_the_password(
    command: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    url = _missing_postgres_database()
    assert zkm([*command, "--db", url]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "zkm_no_such_database" in err and "does not exist" in err
    password = make_url(url).password
    assert password is None or f":{password}@" not in err
