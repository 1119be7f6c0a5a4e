"""Named (generator loss, discriminator loss) pairs, and how the train step calls them.

Loss functions use TF-GAN's argument names: `discriminator_real_outputs` (D(x)) and
`discriminator_gen_outputs` (D(G(z))). A loss receives only the outputs it declares, so
the trainer can skip computing D(x) for generator losses that never read it.
"""
import inspect
from typing import Callable, NamedTuple

from gan.losses import decisions, functions

REAL_OUTPUTS = "discriminator_real_outputs"
GEN_OUTPUTS = "discriminator_gen_outputs"
DEFAULT = "wasserstein"


class LossPair(NamedTuple):
    """A generator loss function and the discriminator loss function it is trained against.

    What the registry names (TF-GAN's `GANLoss`, by contrast, holds loss *tensors*:
    `gan.GANLoss`, what `gan.gan_loss` returns).

    >>> LossPair(functions.wasserstein_generator_loss,
    ...         functions.wasserstein_discriminator_loss).generator_loss_fn.__name__
    'wasserstein_generator_loss'
    """

    generator_loss_fn: Callable
    discriminator_loss_fn: Callable


_REGISTRY = {}
# (generator loss, discriminator loss) pairs whose generator loss has, with respect to
# D(G(z)), minus the gradient of the discriminator loss: one backward pass serves both.
_ZERO_SUM = set()


def declared_outputs(fn, role):
    """The discriminator-output argument names `fn` accepts by keyword.

    >>> declared_outputs(functions.wasserstein_generator_loss, 'generator')
    ('discriminator_gen_outputs',)
    """
    try:
        parameters = inspect.signature(fn).parameters.values()
    except (TypeError, ValueError) as error:
        raise ValueError(f"cannot read the arguments of {role} loss {fn!r} ({error}); "
                         f"it must be a Python callable") from None
    if any(p.kind is inspect.Parameter.VAR_KEYWORD for p in parameters):
        return (REAL_OUTPUTS, GEN_OUTPUTS)
    by_keyword = {p.name for p in parameters
                  if p.kind in (inspect.Parameter.POSITIONAL_OR_KEYWORD,
                                inspect.Parameter.KEYWORD_ONLY)}
    declared = tuple(name for name in (REAL_OUTPUTS, GEN_OUTPUTS) if name in by_keyword)
    if not declared:
        name = getattr(fn, "__name__", repr(fn))
        raise ValueError(f"{role} loss {name} declares neither {REAL_OUTPUTS} nor "
                         f"{GEN_OUTPUTS}; accepted: either or both, or **kwargs")
    return declared


def _call(fn, role, discriminator_real_outputs, discriminator_gen_outputs):
    outputs = {REAL_OUTPUTS: discriminator_real_outputs,
               GEN_OUTPUTS: discriminator_gen_outputs}
    return fn(**{name: outputs[name] for name in declared_outputs(fn, role)})


def call_generator_loss(fn, discriminator_real_outputs, discriminator_gen_outputs):
    """Calls generator loss `fn` with the discriminator outputs it declares, by name.

    >>> float(call_generator_loss(functions.wasserstein_generator_loss, None, [2.0]))
    -2.0
    """
    return _call(fn, "generator", discriminator_real_outputs, discriminator_gen_outputs)


def call_discriminator_loss(fn, discriminator_real_outputs, discriminator_gen_outputs):
    """Calls discriminator loss `fn` with the discriminator outputs it declares, by name.

    >>> float(call_discriminator_loss(functions.wasserstein_discriminator_loss, [3.0], [1.0]))
    -2.0
    """
    return _call(fn, "discriminator", discriminator_real_outputs, discriminator_gen_outputs)


def generator_loss_needs_real_outputs(fn):
    """Whether generator loss `fn` reads D(x) (declares it or takes **kwargs).

    >>> generator_loss_needs_real_outputs(functions.relativistic_generator_loss)
    True
    """
    return REAL_OUTPUTS in declared_outputs(fn, "generator")


def is_zero_sum(gan_loss):
    """Whether `gan_loss`'s generator loss has minus the discriminator loss's gradient in D(G(z)).

    Then one backward pass of the discriminator loss gives the generator's gradient too
    (negated), which joint training uses. True for the registered `wasserstein` and
    `minimax` pairs, and pairs registered with `zero_sum=True`.

    >>> is_zero_sum(get('wasserstein')), is_zero_sum(get('modified'))
    (True, False)
    """
    return (gan_loss.generator_loss_fn, gan_loss.discriminator_loss_fn) in _ZERO_SUM


def loss_family(gan_loss, default=None):
    """'probabilistic' or 'wasserstein': how to read the discriminator's outputs under `gan_loss`.

    `gan_loss` is a registered name, a `LossPair` or a discriminator loss function; its
    family is the one declared for its discriminator loss at `register`. An undeclared
    loss gives `default`, or a ValueError when `default` is None.

    >>> loss_family('least_squares')
    'probabilistic'
    >>> loss_family(get('wasserstein_hinge'))
    'wasserstein'
    """
    return decisions.family_of(discriminator_loss_of(gan_loss), default)


def discriminator_loss_of(gan_loss):
    """The discriminator loss function of `gan_loss`: a registered name, a `LossPair`, or that function itself.

    >>> discriminator_loss_of('minimax').__name__
    'minimax_discriminator_loss'
    """
    if isinstance(gan_loss, (str, LossPair)):
        return get(gan_loss).discriminator_loss_fn
    return gan_loss


def names():
    """Sorted names of the registered losses.

    >>> 'wasserstein' in names()
    True
    """
    return sorted(_REGISTRY)


def get(name_or_loss):
    """The `LossPair` registered under a name; a `LossPair` passed in is returned as is.

    >>> get('minimax').discriminator_loss_fn.__name__
    'minimax_discriminator_loss'
    """
    if isinstance(name_or_loss, LossPair):
        return name_or_loss
    if isinstance(name_or_loss, str) and name_or_loss in _REGISTRY:
        return _REGISTRY[name_or_loss]
    raise ValueError(f"Unknown GAN loss {name_or_loss!r}; registered losses: "
                     f"{', '.join(names())}")


def register(name, generator_loss_fn, discriminator_loss_fn, overwrite=False, zero_sum=False, family=None):
    """Registers a loss pair under `name` and returns it as a `LossPair`.

    Both functions must declare the discriminator outputs they read (see
    `call_generator_loss`); an existing name needs `overwrite=True`. Pass
    `zero_sum=True` only when the generator loss's gradient with respect to
    D(G(z)) is exactly minus the discriminator loss's (see `is_zero_sum`), and
    `family` ('probabilistic' or 'wasserstein', see `loss_family`) for a new
    discriminator loss, so training reports the signal that fits it.

    >>> pair = register('halved_wasserstein',
    ...                 lambda discriminator_gen_outputs: -0.5 * discriminator_gen_outputs,
    ...                 functions.wasserstein_discriminator_loss, overwrite=True)
    >>> get('halved_wasserstein') is pair
    True
    """
    if not isinstance(name, str) or not name or name != name.strip():
        raise ValueError(f"GAN loss name must be a non-empty string without surrounding "
                         f"spaces; got {name!r}")
    for role, fn in (("generator", generator_loss_fn),
                     ("discriminator", discriminator_loss_fn)):
        if not callable(fn):
            raise ValueError(f"{role}_loss_fn for GAN loss {name!r} must be callable; "
                             f"got {type(fn).__name__}")
        declared_outputs(fn, role)
    if name in _REGISTRY and not overwrite:
        raise ValueError(f"GAN loss {name!r} is already registered; pass overwrite=True "
                         f"to replace it")
    if family is not None:
        decisions.declare_family(discriminator_loss_fn, family)
    _REGISTRY[name] = LossPair(generator_loss_fn, discriminator_loss_fn)
    if zero_sum:
        _ZERO_SUM.add((generator_loss_fn, discriminator_loss_fn))
    return _REGISTRY[name]


register("wasserstein", functions.wasserstein_generator_loss, functions.wasserstein_discriminator_loss,
         zero_sum=True, family=decisions.WASSERSTEIN)
register("wasserstein_hinge", functions.wasserstein_hinge_generator_loss,
         functions.wasserstein_hinge_discriminator_loss, family=decisions.WASSERSTEIN)
register("minimax", functions.minimax_generator_loss, functions.minimax_discriminator_loss,
         zero_sum=True, family=decisions.PROBABILISTIC)
register("modified", functions.modified_generator_loss, functions.modified_discriminator_loss,
         family=decisions.PROBABILISTIC)
register("least_squares", functions.least_squares_generator_loss, functions.least_squares_discriminator_loss,
         family=decisions.PROBABILISTIC)
register("relativistic", functions.relativistic_generator_loss, functions.relativistic_discriminator_loss,
         family=decisions.PROBABILISTIC)
