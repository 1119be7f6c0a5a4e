"""What a health check reports: one event, with a one-line message for the user."""
from typing import NamedTuple

CONVERGED = "converged"
COLLAPSED = "collapsed"
MODE_COLLAPSE = "mode_collapse"
STALL = "stall"
KINDS = (CONVERGED, COLLAPSED, MODE_COLLAPSE, STALL)


class HealthEvent(NamedTuple):
    """Something a health check noticed at `step`: `kind` (one of `KINDS`) and a one-line `message`.

    >>> HealthEvent(1200, 'stall', 'Step 1200: the discriminator wins easily ...; try --loss=modified').kind
    'stall'
    """
    step: int
    kind: str
    message: str
