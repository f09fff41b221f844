"""Structured logs: one JSON object per line, with key ids but never keys, bodies or witnesses."""

from __future__ import annotations

import logging
import sys
from typing import Any

import orjson

LOGGER_NAME = "zkmargin.api"
_RESERVED = set(vars(logging.makeLogRecord({})))


class JsonFormatter(logging.Formatter):
    """Format a record as ``{"ts", "level", "logger", "event", …extra fields}``."""

    def format(self, record: logging.LogRecord) -> str:
        payload: dict[str, Any] = {
            "ts": round(record.created, 3),
            "level": record.levelname.lower(),
            "logger": record.name,
            "event": record.getMessage(),
        }
        for name, value in vars(record).items():
            if name not in _RESERVED and not name.startswith("_"):
                payload[name] = value
        if record.exc_info and record.exc_info[0] is not None:
            payload["error"] = record.exc_info[0].__name__
        # orjson: one line per record, ~10x cheaper than json.dumps on the access-log path.
        return orjson.dumps(payload, default=str, option=orjson.OPT_NON_STR_KEYS).decode()


def get_logger() -> logging.Logger:
    """Return the service logger (handlers are attached by :func:`configure_logging`)."""
    return logging.getLogger(LOGGER_NAME)


def configure_logging(level: int = logging.INFO) -> None:
    """Send the service logger's records to stderr as JSON lines (idempotent)."""
    logger = get_logger()
    logger.setLevel(level)
    if not any(getattr(h, "_zkm_json", False) for h in logger.handlers):
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(JsonFormatter())
        handler._zkm_json = True  # type: ignore[attr-defined]
        logger.addHandler(handler)
    logger.propagate = False
