"""TF-GAN's pipeline, its second stage: `gan_loss` (and `cyclegan_loss`, `stargan_loss`) on a model tuple.

`LossConfig` holds `gan_loss`'s keyword arguments; `discriminator_terms` / `generator_terms`
compute each network's total loss and its named terms from a model tuple and a
`LossConfig`. `gan_loss` sums them into TF-GAN's `GANLoss`; the trainer (`gan.train`) and the
train ops (`gan.train_ops`) call the same two functions under a `GradientTape`.

    model = gan.gan_model(generator_fn, discriminator_fn, real_data=images, generator_inputs=noise)
    loss = gan.gan_loss(model, gradient_penalty_weight=1.0)
"""
import inspect
import math
from typing import Callable, NamedTuple, Optional

import tensorflow as tf

from gan import losses as gan_losses
from gan.losses import penalties, registry
from gan.models import adversarial_output
from gan.names import TRANSLATION_FAMILIES
from gan.namedtuples import (ACGANModel, CycleGANLoss, CycleGANModel, GANLoss, GANModel, InfoGANModel, StarGANModel,
                             recorded)
from gan.pipeline import float32_outputs


class LossConfig(NamedTuple):
    """How `gan_loss` combines losses and penalties (its keyword arguments, TF-GAN's defaults),
    or `gan_loss_fn(model) -> GANLoss` for a loss computed by the user's own function.
    `cycle_consistency_loss_weight` (CycleGAN) and `reconstruction_loss_weight` /
    `classification_loss_weight` (StarGAN; None is TF-GAN's 10 / 1 there) are
    `cyclegan_loss`'s and `stargan_loss`'s; setting one picks that family (`model_kind`).
    `structured_code_weights` weighs each InfoGAN code's term of the mutual-information
    penalty (the `weights` of `gan.losses.mutual_information_penalty`; None: all 1).

    >>> LossConfig(gan.losses.wasserstein_generator_loss, gan.losses.wasserstein_discriminator_loss,
    ...            gradient_penalty_weight=10.0)
    """
    generator_loss_fn: Optional[Callable] = None
    discriminator_loss_fn: Optional[Callable] = None
    gradient_penalty_weight: Optional[float] = None
    gradient_penalty_epsilon: float = 1e-10
    gradient_penalty_target: float = 1.0
    gradient_penalty_one_sided: bool = False
    mutual_information_penalty_weight: Optional[float] = None
    aux_cond_generator_weight: Optional[float] = None
    aux_cond_discriminator_weight: Optional[float] = None
    tensor_pool_fn: Optional[Callable] = None
    reduction: str = gan_losses.Reduction.SUM_BY_NONZERO_WEIGHTS
    add_summaries: bool = False
    gan_loss_fn: Optional[Callable] = None
    cycle_consistency_loss_weight: Optional[float] = None
    reconstruction_loss_weight: Optional[float] = None
    classification_loss_weight: Optional[float] = None
    structured_code_weights: Optional[tuple] = None


_MODEL_ARGUMENTS = ("gan_model", "model", "cyclegan_model", "stargan_model")


def _is_tuple_style(fn):
    """Whether loss `fn` takes a model tuple (TF-GAN's tuple style) rather than discriminator outputs."""
    if getattr(fn, "argument_style", None) is not None:
        return False
    try:
        parameters = list(inspect.signature(fn).parameters)
    except (TypeError, ValueError):
        return False
    return bool(parameters) and (parameters[0] in _MODEL_ARGUMENTS or not {
        registry.REAL_OUTPUTS, registry.GEN_OUTPUTS} & set(parameters))


def _accepted(fn, **candidates):
    """The `candidates` that `fn` declares (TF-GAN passes `reduction` / `add_summaries` to losses that take them)."""
    parameters = inspect.signature(fn).parameters
    if any(p.kind is inspect.Parameter.VAR_KEYWORD for p in parameters.values()):
        return candidates
    return {k: v for k, v in candidates.items() if k in parameters}


def _call_loss(fn, model, role, config):
    options = {"reduction": config.reduction, "add_summaries": config.add_summaries}
    if _is_tuple_style(fn):
        return fn(model, **_accepted(fn, **options))
    fn = getattr(fn, "argument_style", fn)
    outputs = {registry.REAL_OUTPUTS: model.discriminator_real_outputs,
               registry.GEN_OUTPUTS: model.discriminator_gen_outputs}
    kwargs = {name: outputs[name] for name in registry.declared_outputs(fn, role)}
    if config.reduction != gan_losses.Reduction.SUM_BY_NONZERO_WEIGHTS:
        kwargs.update(_accepted(fn, reduction=config.reduction))
    return fn(**kwargs)


def _regularization(call, role, total, logs):
    losses = getattr(getattr(call, "model", None), "losses", None)
    if not losses:
        return total
    logs[f"{role}_regularization_loss"] = tf.add_n(losses)
    return total + logs[f"{role}_regularization_loss"]


def _check_weight(name, value):
    if value is not None and not isinstance(value, tf.Tensor) and value < 0:
        raise ValueError(f"{name} must be None or non-negative; got {value!r}")
    return value


def _used(weight):
    return weight is not None and (isinstance(weight, tf.Tensor) or weight > 0)


def _pooled(model, tensor_pool_fn):
    generated, inputs = tensor_pool_fn((model.generated_data, model.generator_inputs))
    return model._replace(generated_data=generated, generator_inputs=inputs,
                          discriminator_gen_outputs=adversarial_output(
                              float32_outputs(model.discriminator_fn(generated, inputs))))


def discriminator_terms(model, config, seed=None):
    """(total discriminator loss, its logged parts) for `model` under `config` (`gan_loss`'s sum).

    Parts: `discriminator_loss` (adversarial), `gradient_penalty`, `mutual_information_penalty`,
    `aux_cond_discriminator_loss`, `discriminator_regularization_loss`, as configured. `seed`
    makes the penalty's interpolation points deterministic.

    >>> total, logs = discriminator_terms(model, LossConfig(gan.losses.wasserstein_generator_loss,
    ...                                                     gan.losses.wasserstein_discriminator_loss))
    """
    if config.gan_loss_fn is not None:
        total = config.gan_loss_fn(model).discriminator_loss
        return total, {"discriminator_loss": total}
    if isinstance(model, CycleGANModel):
        return _cyclegan_terms(model, config, "discriminator", seed)
    if isinstance(model, StarGANModel):
        total, logs = discriminator_terms(_stargan_view(model), config, seed)
        return _stargan_terms(model, config, "discriminator", total, logs)
    pooled = _pooled(model, config.tensor_pool_fn) if config.tensor_pool_fn else model
    adversarial = _call_loss(config.discriminator_loss_fn, pooled, "discriminator", config)
    logs, total = {"discriminator_loss": adversarial}, adversarial
    if _used(config.gradient_penalty_weight):
        logs["gradient_penalty"] = penalties.wasserstein_gradient_penalty(
            pooled.real_data, tf.stop_gradient(pooled.generated_data), pooled.generator_inputs,
            pooled.discriminator_fn, epsilon=config.gradient_penalty_epsilon, target=config.gradient_penalty_target,
            one_sided=config.gradient_penalty_one_sided, reduction=config.reduction, seed=seed)
        total += config.gradient_penalty_weight * logs["gradient_penalty"]
    total = _auxiliary(pooled, config, total, logs, (
        ("mutual_information_penalty", config.mutual_information_penalty_weight, gan_losses.mutual_information_penalty),
        ("aux_cond_discriminator_loss", config.aux_cond_discriminator_weight, gan_losses.acgan_discriminator_loss)))
    return _regularization(model.discriminator_fn, "discriminator", total, logs), logs


def _auxiliary(model, config, total, logs, terms):
    """`total` plus each used `(name, weight, tuple-style loss)` term times its weight; each logged by name."""
    for name, weight, loss_fn in terms:
        if _used(weight):
            options = {"weights": list(config.structured_code_weights)} if (
                name == "mutual_information_penalty" and config.structured_code_weights is not None) else {}
            logs[name] = loss_fn(model, reduction=config.reduction, **options)
            total += weight * logs[name]
    return total


def check_structured_code_weights(config, num_structured):
    """ValueError unless `config.structured_code_weights` is None or one finite non-negative weight per
    structured code (`num_structured` of them).

    >>> check_structured_code_weights(LossConfig(structured_code_weights=(1.0, 0.1)), 2)
    """
    weights = config.structured_code_weights
    if weights is None:
        return
    values = list(weights) if isinstance(weights, (tuple, list)) else None
    if values is None or len(values) != num_structured or not all(
            isinstance(v, (int, float)) and math.isfinite(v) and v >= 0 for v in values):
        raise ValueError(f"structured_code_weights must be {num_structured} finite non-negative weights, one per "
                         f"structured code; got {weights!r}")


def generator_terms(model, config):
    """(total generator loss, its logged parts): `generator_loss` (adversarial),
    `mutual_information_penalty`, `aux_cond_generator_loss`, `generator_regularization_loss`.

    >>> total, logs = generator_terms(model, config)
    """
    if config.gan_loss_fn is not None:
        total = config.gan_loss_fn(model).generator_loss
        return total, {"generator_loss": total}
    if isinstance(model, CycleGANModel):
        return _cyclegan_terms(model, config, "generator")
    if isinstance(model, StarGANModel):
        total, logs = generator_terms(_stargan_view(model), config)
        return _stargan_terms(model, config, "generator", total, logs)
    adversarial = _call_loss(config.generator_loss_fn, model, "generator", config)
    logs, total = {"generator_loss": adversarial}, adversarial
    total = _auxiliary(model, config, total, logs, (
        ("mutual_information_penalty", config.mutual_information_penalty_weight, gan_losses.mutual_information_penalty),
        ("aux_cond_generator_loss", config.aux_cond_generator_weight, gan_losses.acgan_generator_loss)))
    return _regularization(model.generator_fn, "generator", total, logs), logs


def _cyclegan_terms(model, config, role, seed=None):
    """Both directions' `role` terms summed (each direction's networks see only their own), plus the
    generators' `cycle_consistency_loss_weight` times the cycle-consistency loss: the gradient each
    network gets is the one TF-GAN's per-direction `cyclegan_loss` gives it."""
    per_direction = config._replace(cycle_consistency_loss_weight=None)
    if role == "generator":
        (x2y, x2y_logs), (y2x, y2x_logs) = (generator_terms(m, per_direction) for m in (model.model_x2y, model.model_y2x))
    else:
        (x2y, x2y_logs), (y2x, y2x_logs) = (discriminator_terms(m, per_direction, seed)
                                          for m in (model.model_x2y, model.model_y2x))
    logs = {name: x2y_logs[name] + y2x_logs[name] for name in x2y_logs}
    logs.update({f"{name}_x2y": value for name, value in x2y_logs.items() if name.endswith("_loss")})
    total = x2y + y2x
    if role == "generator" and _used(config.cycle_consistency_loss_weight):
        logs["cycle_consistency_loss"] = gan_losses.cycle_consistency_loss(model)
        total += config.cycle_consistency_loss_weight * logs["cycle_consistency_loss"]
    # One Keras model holding both directions' networks (the trainer's) carries their regularization once.
    joint = getattr(getattr(model.model_x2y, f"{role}_fn"), "joint", None)
    return (total if joint is None else _regularization(joint, role, total, logs)), logs


def _stargan_view(model):
    """A StarGAN model as the `GANModel` of its adversarial part: source logits of the input images
    (real) and of their translations, the critic reduced to its source logits (for the penalty)."""
    num_domains = model.input_data_domain_label.shape[-1]
    source_only = _SourceLogits(model.discriminator_fn, num_domains)
    return GANModel((model.input_data, model.generated_data_domain_target), model.generated_data,
                    model.generator_variables, model.generator_scope, model.generator_fn, model.input_data,
                    model.discriminator_input_data_source_predication,
                    model.discriminator_generated_data_source_predication, model.discriminator_variables,
                    model.discriminator_scope, source_only)


class _SourceLogits:
    """A StarGAN critic `fn(data, num_domains) -> (source, domain)` called as a GAN critic `fn(data, inputs)`,
    returning the source logits (`.model`: the critic's Keras model, when it has one)."""

    def __init__(self, fn, num_domains):
        self.fn, self.num_domains = fn, num_domains
        self.model = getattr(fn, "model", None)

    def __call__(self, data, generator_inputs=None):
        del generator_inputs
        return adversarial_output(float32_outputs(self.fn(data, self.num_domains)))


def _softmax_cross_entropy(onehot_labels, logits):
    return tf.reduce_mean(tf.nn.softmax_cross_entropy_with_logits(
        labels=tf.cast(onehot_labels, tf.float32), logits=tf.cast(logits, tf.float32)))


def _mean_absolute_error(labels, predictions):
    return tf.reduce_mean(tf.abs(tf.cast(labels, tf.float32) - tf.cast(predictions, tf.float32)))


def _stargan_terms(model, config, role, total, logs):
    """StarGAN's (Choi et al. 2018) terms beyond the adversarial ones: the critic classifies the input
    images' domains; the generator's translations must be classified as their targets and map back
    to the inputs (L1), with `stargan_weight`s."""
    classification = stargan_weight(config, "classification_loss_weight")
    if role == "discriminator":
        logs["discriminator_classification_loss"] = _softmax_cross_entropy(
            model.input_data_domain_label, model.discriminator_input_data_domain_predication)
        return total + classification * logs["discriminator_classification_loss"], logs
    logs["generator_classification_loss"] = _softmax_cross_entropy(
        model.generated_data_domain_target, model.discriminator_generated_data_domain_predication)
    logs["reconstruction_loss"] = _mean_absolute_error(model.input_data, model.reconstructed_data)
    total += classification * logs["generator_classification_loss"]
    return total + stargan_weight(config, "reconstruction_loss_weight") * logs["reconstruction_loss"], logs


MODEL_KINDS = ("gan", "acgan", "infogan", "cyclegan", "stargan")
TRANSLATION_KINDS = TRANSLATION_FAMILIES  # image-to-image: their generators take images, not noise
STARGAN_DEFAULT_WEIGHTS = {"reconstruction_loss_weight": 10.0, "classification_loss_weight": 1.0}  # TF-GAN's
_FAMILY_WEIGHTS = {
    "acgan": ("aux_cond_generator_weight", "aux_cond_discriminator_weight"),
    "infogan": ("mutual_information_penalty_weight",),
    "cyclegan": ("cycle_consistency_loss_weight",),
    "stargan": ("reconstruction_loss_weight", "classification_loss_weight"),
}


def model_kind(config):
    """The model family `config`'s weights ask for: 'acgan' (`aux_cond_*_weight`), 'infogan'
    (`mutual_information_penalty_weight`), 'cyclegan' (`cycle_consistency_loss_weight`), 'stargan'
    (`reconstruction_loss_weight` / `classification_loss_weight`) or 'gan'; ValueError for two
    families' weights, or a negative weight. ACGAN and InfoGAN weights of 0 train a plain GAN; a
    translation family's weight of 0 still picks the family (an ablation of that term).

    >>> model_kind(LossConfig(g_loss, d_loss, aux_cond_generator_weight=1.0))
    'acgan'
    """
    for name in ("gradient_penalty_weight",) + sum(_FAMILY_WEIGHTS.values(), ()):
        _check_weight(name, getattr(config, name))

    def chosen(kind):
        values = [getattr(config, name) for name in _FAMILY_WEIGHTS[kind]]
        return any(v is not None for v in values) if kind in TRANSLATION_KINDS else any(map(_used, values))

    kinds = [kind for kind in _FAMILY_WEIGHTS if chosen(kind)]
    if len(kinds) > 1:
        raise ValueError(" and ".join(f"{' / '.join(_FAMILY_WEIGHTS[k])} ({k})" for k in kinds)
                         + " exclude each other; pass one family's")
    return kinds[0] if kinds else "gan"


def stargan_weight(config, name):
    """StarGAN's `name` weight in `config` (`reconstruction_loss_weight` or `classification_loss_weight`),
    TF-GAN's default where unset.

    >>> stargan_weight(LossConfig(reconstruction_loss_weight=5.0), 'classification_loss_weight')
    1.0
    """
    value = getattr(config, name)
    return STARGAN_DEFAULT_WEIGHTS[name] if value is None else value


def structured_inputs(kind, generator_inputs_spec):
    """How many trailing generator inputs are structured codes (InfoGAN: all but the first noise),
    after checking the inputs fit the family `kind`; ValueError when they do not.

    >>> structured_inputs('infogan', (noise_spec, code_spec, continuous_spec))
    2
    """
    flat = tf.nest.flatten(generator_inputs_spec)
    if kind == "cyclegan" and len(flat) != 2:
        raise ValueError("a CycleGAN (cycle_consistency_loss_weight) needs generator inputs (x, y): a batch of "
                         f"each domain's images; got {len(flat)} tensor(s)")
    if kind == "stargan" and len(flat) != 3:
        raise ValueError("a StarGAN (reconstruction_loss_weight / classification_loss_weight) needs generator inputs "
                         f"(images, source_domain_one_hot, target_domain_one_hot); got {len(flat)} tensor(s)")
    if kind == "acgan" and len(flat) != 2:
        raise ValueError("an ACGAN (aux_cond_*_weight) needs generator inputs (noise, one_hot_labels); "
                         f"got {len(flat)} tensor(s)")
    if kind == "infogan" and len(flat) < 2:
        raise ValueError("an InfoGAN (mutual_information_penalty_weight) needs generator inputs "
                         "(noise, code, ...): every element after the first is a structured code; got one tensor")
    return len(flat) - 1 if kind == "infogan" else 0


def generator_needs_real_outputs(config):
    """Whether the generator's terms read D(x): tuple-style and user losses may; argument-style ones say so."""
    fn = config.generator_loss_fn
    if config.gan_loss_fn is not None or _is_tuple_style(fn):
        return True
    return gan_losses.generator_loss_needs_real_outputs(getattr(fn, "argument_style", fn))


def only_library_code(config):
    """Whether every function in `config` is the library's own (`gan.*`), so the updates may be
    traced without AutoGraph (1.4 of the 3.4 s that tracing tfgan_mnist's update takes,
    docs/benchmarks.md): a user's loss may branch on tensors in Python, which needs it; code
    inside Keras layers is never converted, so the networks do not matter."""
    functions = (config.generator_loss_fn, config.discriminator_loss_fn, config.tensor_pool_fn, config.gan_loss_fn)
    return all(fn is None or getattr(fn, "__module__", "").startswith("gan.") for fn in functions)


def is_zero_sum(config):
    """Whether the generator's total loss is minus the critic's adversarial loss in D(G(z)) (one backward pass)."""
    if config.gan_loss_fn is not None or any(_used(w) for w in (
            config.mutual_information_penalty_weight, config.aux_cond_generator_weight,
            config.aux_cond_discriminator_weight)) or config.tensor_pool_fn or model_kind(config) in TRANSLATION_KINDS:
        return False
    pair = gan_losses.LossPair(*(getattr(fn, "argument_style", fn)
                                 for fn in (config.generator_loss_fn, config.discriminator_loss_fn)))
    return gan_losses.is_zero_sum(pair)


def gan_loss(model, generator_loss_fn=gan_losses.wasserstein_generator_loss,
             discriminator_loss_fn=gan_losses.wasserstein_discriminator_loss, gradient_penalty_weight=None,
             gradient_penalty_epsilon=1e-10, gradient_penalty_target=1.0, gradient_penalty_one_sided=False,
             mutual_information_penalty_weight=None, aux_cond_generator_weight=None,
             aux_cond_discriminator_weight=None, tensor_pool_fn=None,
             reduction=gan_losses.Reduction.SUM_BY_NONZERO_WEIGHTS, add_summaries=True, structured_code_weights=None):
    """A `GANLoss` of both networks' total losses for `model` (penalties and regularization included).

    Loss functions may be tuple style (`fn(gan_model, ...)`, TF-GAN's) or argument style
    (`fn(discriminator_gen_outputs, ...)`, `gan.losses.wargs`). `add_summaries` is accepted and
    ignored (`gan.eval.add_gan_model_summaries` writes summaries). `structured_code_weights` (ours)
    weighs each InfoGAN code's part of the mutual-information penalty.

    >>> loss = gan.gan_loss(model, gradient_penalty_weight=10.0)
    >>> float(loss.discriminator_loss)
    """
    for name in ("gradient_penalty_weight", "mutual_information_penalty_weight", "aux_cond_generator_weight",
                 "aux_cond_discriminator_weight"):
        _check_weight(name, locals()[name])
    if _used(mutual_information_penalty_weight) and not isinstance(model, InfoGANModel):
        raise ValueError(f"mutual_information_penalty_weight needs an InfoGANModel; got {type(model).__name__}")
    if (_used(aux_cond_generator_weight) or _used(aux_cond_discriminator_weight)) and not isinstance(
            model, ACGANModel):
        raise ValueError(f"aux_cond_generator_weight / aux_cond_discriminator_weight need an ACGANModel; "
                         f"got {type(model).__name__}")
    config = LossConfig(generator_loss_fn, discriminator_loss_fn, gradient_penalty_weight, gradient_penalty_epsilon,
                        gradient_penalty_target, gradient_penalty_one_sided, mutual_information_penalty_weight,
                        aux_cond_generator_weight, aux_cond_discriminator_weight, tensor_pool_fn,
                        gan_losses.Reduction.validate(reduction), False,
                        structured_code_weights=structured_code_weights)
    if isinstance(model, InfoGANModel):
        check_structured_code_weights(config, len(model.structured_generator_inputs))
    loss = GANLoss(generator_terms(model, config)[0], discriminator_terms(model, config)[0])
    return recorded(loss, config=config)


def cyclegan_loss(model, generator_loss_fn=gan_losses.least_squares_generator_loss,
                  discriminator_loss_fn=gan_losses.least_squares_discriminator_loss,
                  cycle_consistency_loss_fn=gan_losses.cycle_consistency_loss, cycle_consistency_loss_weight=10.0,
                  **kwargs):
    """A `CycleGANLoss`: each direction's `gan_loss` (least squares by default), the generators'
    losses plus `cycle_consistency_loss_weight` times the cycle-consistency loss.

    >>> loss = gan.cyclegan_loss(gan.cyclegan_model(generator_fn, discriminator_fn, x, y))
    """
    if not isinstance(model, CycleGANModel):
        raise ValueError(f"cyclegan_loss takes a CycleGANModel; got {type(model).__name__}")
    cycle = cycle_consistency_loss_fn(model) * cycle_consistency_loss_weight
    x2y = gan_loss(model.model_x2y, generator_loss_fn, discriminator_loss_fn, **kwargs)
    y2x = gan_loss(model.model_y2x, generator_loss_fn, discriminator_loss_fn, **kwargs)
    return CycleGANLoss(x2y._replace(generator_loss=x2y.generator_loss + cycle),
                        y2x._replace(generator_loss=y2x.generator_loss + cycle))


def stargan_loss(model, generator_loss_fn=gan_losses.stargan_generator_loss_wrapper(
                     gan_losses.wargs.wasserstein_generator_loss),
                 discriminator_loss_fn=gan_losses.stargan_discriminator_loss_wrapper(
                     gan_losses.wargs.wasserstein_discriminator_loss),
                 gradient_penalty_weight=10.0, gradient_penalty_epsilon=1e-10, gradient_penalty_target=1.0,
                 gradient_penalty_one_sided=False, reconstruction_loss_fn=None, reconstruction_loss_weight=10.0,
                 classification_loss_fn=None, classification_loss_weight=1.0, classification_one_hot=True,
                 add_summaries=True):
    """StarGAN's `GANLoss` (Choi et al. 2018): adversarial (+ gradient penalty) losses, the domain
    classification loss (real data for D, generated data for G) and the L1 reconstruction loss
    for G. `reconstruction_loss_fn(labels, predictions)` defaults to the mean absolute
    difference, `classification_loss_fn(onehot_labels, logits)` to the softmax cross entropy.

    >>> loss = gan.stargan_loss(gan.stargan_model(generator_fn, discriminator_fn, images, domains))
    """
    if not isinstance(model, StarGANModel):
        raise ValueError(f"stargan_loss takes a StarGANModel; got {type(model).__name__}")
    reconstruction_loss_fn = reconstruction_loss_fn or _mean_absolute_error
    classification_loss_fn = classification_loss_fn or _softmax_cross_entropy
    labels, targets = model.input_data_domain_label, model.generated_data_domain_target
    if not classification_one_hot:
        labels, targets = tf.argmax(labels, -1), tf.argmax(targets, -1)
    d_loss = discriminator_loss_fn(model)
    if _used(gradient_penalty_weight):
        d_loss += gradient_penalty_weight * gan_losses.stargan_gradient_penalty_wrapper(
            gan_losses.wargs.wasserstein_gradient_penalty)(
                model, epsilon=gradient_penalty_epsilon, target=gradient_penalty_target,
                one_sided=gradient_penalty_one_sided)
    d_loss += classification_loss_weight * classification_loss_fn(labels, model.discriminator_input_data_domain_predication)
    g_loss = (generator_loss_fn(model)
              + classification_loss_weight * classification_loss_fn(
                  targets, model.discriminator_generated_data_domain_predication)
              + reconstruction_loss_weight * reconstruction_loss_fn(model.input_data, model.reconstructed_data))
    return GANLoss(g_loss, d_loss)
