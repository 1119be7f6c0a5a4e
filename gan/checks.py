"""Argument checks shared by the whole library: one line naming the argument and what it accepts.

Messages name library arguments (`batch_size must be ...`), never command-line flags; the
programs in `gan.cli` report the same checks under their flag names (`--batch_size must be ...`).

Example:
    positive_int('batch_size', 64)         # 64
    positive_int('batch_size', 0)          # ArgumentError: batch_size must be a positive integer; got 0.
    number_in('beta1', 1.0, 0, 1, high_open=True)  # ArgumentError: beta1 must be a finite number in [0, 1); got 1.0.
"""
import math
import numbers


class ArgumentError(ValueError):
    """A ValueError about one named argument; `argument` is its name, and the message starts with it.

    Example:
        try:
            positive_int('steps', -1)
        except ArgumentError as error:
            error.argument  # 'steps'
    """

    def __init__(self, argument, problem):
        super().__init__(f"{argument} {problem}")
        self.argument = argument


def positive_int(name, value, optional=False):
    """`value` when it is a positive integer (or None when `optional`); ArgumentError otherwise.

    Example:
        positive_int('max_steps', None, optional=True)  # None
    """
    if value is None and optional:
        return None
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < 1:
        raise ArgumentError(name, f"must be a positive integer; got {value!r}.")
    return int(value)


def number_in(name, value, low, high, low_open=False, high_open=False, optional=False):
    """`value` when it is a finite real number in the interval (or None when `optional`); ArgumentError otherwise.

    Example:
        number_in('generator_lr', float('inf'), 0, 1, low_open=True)  # ArgumentError: ... in (0, 1]; got inf.
    """
    if value is None and optional:
        return None
    interval = f"{'(' if low_open else '['}{low:g}, {high:g}{')' if high_open else ']'}"
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not math.isfinite(value):
        raise ArgumentError(name, f"must be a finite number in {interval}; got {value!r}.")
    above = value > low if low_open else value >= low
    below = value < high if high_open else value <= high
    if not (above and below):
        raise ArgumentError(name, f"must be a finite number in {interval}; got {value!r}.")
    return value
