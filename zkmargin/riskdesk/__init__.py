"""The risk desk: calibrate margin snapshots from market data, sign them, backtest them.

Modules, one job each: :mod:`.schemas` (market inputs and policy), :mod:`.canonical`
(canonical JSON and its hashes), :mod:`.volatility`, :mod:`.margins`, :mod:`.tiers`,
:mod:`.options`, :mod:`.haircuts`, :mod:`.build` (snapshot assembly), :mod:`.signing`,
:mod:`.freshness`, :mod:`.backtest` and :mod:`.backtest_report`. The methodology is
written up in ``docs/risk-desk.md``.
"""
