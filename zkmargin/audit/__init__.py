"""``zkm audit``: check every proof of an epoch independently, locally or on Dask, and report.

:mod:`.run` drives an audit over any item source, :mod:`.service_source` pulls an epoch
from the verifier service and checks it against the service's records, :mod:`.stats`
tallies compliance and buffers per epoch, :mod:`.report` builds the JSON report and
:mod:`.html_report` the self-contained HTML page. Verification itself is
:mod:`verifier.audit`.
"""
