"""``zkm demo``: the whole story of zkmargin in one command, on an in-process service.

:mod:`.run` drives it (market and keys, then each actor in turn), :mod:`.actors` holds
each actor's calls to the service, :mod:`.trader` the local proving, :mod:`.server` the
in-process uvicorn service, :mod:`.keys` the dev setup and :mod:`.ceremony` the local
ceremony, :mod:`.outcome` the observed results, :mod:`.narrator` the step-by-step story and
:mod:`.summary` the closing tables. ``docs/quickstart.md`` explains it.
"""
