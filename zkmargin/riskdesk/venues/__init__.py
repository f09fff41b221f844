"""Venue profiles: a venue's published margin parameters → zkmargin snapshot slots.

One module per venue (:mod:`.hyperliquid`, :mod:`.binance`, :mod:`.dydx`, :mod:`.drift`,
:mod:`.deribit`, :mod:`.cme_span`, :mod:`.derive`), sharing the exact conversions of
:mod:`.common`. Each module's docstring names the pages it follows (read 2026-12-03), what
the current model expresses exactly, what only conservatively, and which issue #15 feature
the rest awaits. The worked examples they reproduce are transcribed in
``tests/margin/venues/fixtures/*.json``; the venue table is in ``docs/margin-model.md``.
"""
