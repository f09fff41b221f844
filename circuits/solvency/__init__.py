"""Venue-level solvency: the ``SolvencyChunk`` circuit, its running accumulator and the epoch
statement that chains the chunks over the venue's registered commitments."""
