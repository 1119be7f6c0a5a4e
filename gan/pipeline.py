"""TF-GAN's pipeline in TF2, its first two stages: `gan_model` -> `gan_loss` (then `gan.train_ops`).

    model = gan.gan_model(generator_fn, discriminator_fn, real_data=images, generator_inputs=noise)
    loss = gan.gan_loss(model, gradient_penalty_weight=1.0)
    ops = gan.gan_train_ops(model, loss, keras.optimizers.Adam(1e-3), keras.optimizers.Adam(1e-4))
    gan.gan_train(ops, 'runs/x', get_hooks_fn=gan.get_sequential_train_hooks(gan.GANTrainSteps(1, 5)),
                  hooks=[gan.StopAtStepHook(num_steps=1000)])

What TF2 changes: variables belong to Keras models, not scopes, so `gan_model` builds the
networks once per scope name by calling the functions on Keras inputs, and reuses them on
later calls (TF-GAN's `AUTO_REUSE`). Losses cannot be differentiated after the fact, so a
`GANLoss` from `gan_loss` remembers how it was computed and each train op (a callable)
recomputes model and loss on a fresh batch under a `GradientTape`. `real_data` and
`generator_inputs` may be tensors (every update reuses them), iterators or functions
returning a batch (every update draws a new one). `GANEstimator` trains through the same
stages (`model_from_networks`, `discriminator_terms` / `generator_terms`, `gan.train`).
`gan.train_ops` holds the last two stages, `gan_train_ops` and `gan_train`.
"""
import inspect
from typing import Callable, NamedTuple, Optional

import tensorflow as tf

from gan import losses as gan_losses
from gan.losses import penalties, registry
from gan.models import GANNetworks, adversarial_output, batch_spec
from gan.namedtuples import (ACGANModel, CycleGANLoss, CycleGANModel, GANLoss, GANModel, InfoGANModel,
                             StarGANModel)


class Scope(str):
    """A network's name where TF-GAN had a variable scope (`model.generator_scope.name` works).

    >>> Scope('Generator').name
    'Generator'
    """

    @property
    def name(self):
        return str(self)


class NetworkCall:
    """A built network, called as TF-GAN called the user's function (what `GANModel.generator_fn`
    and `discriminator_fn` hold). `.model` is the Keras model, `.networks` the pair.

    >>> model.discriminator_fn(images, model.generator_inputs)   # D(x)
    """

    def __init__(self, networks, role, training=True):
        self.networks, self.role, self.training = networks, role, training

    @property
    def model(self):
        return self.networks.generator if self.role == "generator" else self.networks.discriminator

    def __call__(self, *args):
        if self.role == "generator":
            return self.networks.generate(args[0], training=self.training)
        data, generator_inputs = args if len(args) == 2 else (args[0], None)
        return self.networks.discriminate(data, generator_inputs, training=self.training)


class LossConfig(NamedTuple):
    """How `gan_loss` combines losses and penalties (its keyword arguments, TF-GAN's defaults),
    or `gan_loss_fn(model) -> GANLoss` for a loss computed by the user's own function.

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


# ---- stage 1: the model ------------------------------------------------------------------
_BUILT = {}  # (generator scope, discriminator scope) -> (generator_fn, discriminator_fn, GANNetworks)


def _source(value):
    """(first batch, draw) for a tensor, an iterator or a function returning a batch."""
    if callable(value) and not isinstance(value, tf.Tensor):
        return value(), value
    if hasattr(value, "__next__"):
        return next(value), lambda: next(value)
    return value, lambda: value


def _networks(generator_fn, discriminator_fn, generator_inputs, generator_scope, discriminator_scope, adapt=None):
    """The networks built for these functions and scope names, built on the first call
    (`adapt` turns the user's functions into GANNetworks' calling convention)."""
    key = (str(generator_scope), str(discriminator_scope))
    built = _BUILT.get(key)
    if built is not None and built[0] is generator_fn and built[1] is discriminator_fn:
        return built[2]
    networks = GANNetworks(*(adapt(generator_fn, discriminator_fn) if adapt else (generator_fn, discriminator_fn)))
    networks.build(batch_spec(tf.nest.map_structure(
        lambda t: tf.TensorSpec(t.shape, t.dtype), tf.nest.map_structure(tf.convert_to_tensor, generator_inputs))))
    _BUILT[key] = (generator_fn, discriminator_fn, networks)
    return networks


def _float32(output):
    return tf.nest.map_structure(lambda t: tf.cast(t, tf.float32), output)


def model_from_networks(networks, real_data, generator_inputs, generated_data=None, training=True,
                        real_outputs=True, scopes=("Generator", "Discriminator")):
    """The `GANModel` of built `networks` on one batch (what `gan_model` returns).

    `generated_data` computed beforehand (e.g. outside a tape) is used as is;
    `real_outputs=False` skips D(x) for losses that never read it. Outputs are float32.

    >>> model_from_networks(estimator.networks, images, noise).discriminator_gen_outputs
    """
    if generated_data is None:
        generated_data = networks.generate(generator_inputs, training=training)
    gen_outputs = _float32(networks.discriminate(generated_data, generator_inputs, training=training))
    real = _float32(networks.discriminate(real_data, generator_inputs, training=training)) if real_outputs else None
    return GANModel(
        generator_inputs, generated_data, networks.generator.trainable_variables, Scope(scopes[0]),
        NetworkCall(networks, "generator", training), real_data, real, gen_outputs,
        networks.discriminator.trainable_variables, Scope(scopes[1]), NetworkCall(networks, "discriminator", training))


def _check_shapes(generated_data, real_data, check_shapes):
    real_shape = tf.convert_to_tensor(real_data).shape
    if check_shapes and not generated_data.shape.is_compatible_with(real_shape):
        raise ValueError(f"Generator output shape {generated_data.shape} must be the same as the real "
                         f"data's {real_shape}; pass check_shapes=False to allow it")


class _Recorded:
    """Tuples that remember where their data came from, so train ops can draw fresh batches."""
    classes = {}

    @classmethod
    def make(cls, instance, **attributes):
        base = type(instance)
        if base not in cls.classes:
            cls.classes[base] = type(base.__name__, (base,), {"__doc__": base.__doc__})
        recorded = cls.classes[base](*instance)
        recorded.__dict__.update(attributes)
        return recorded


def _split_outputs(model, split):
    """A model whose adversarial outputs are the first element of the discriminator's, plus `split`'s fields."""
    real, gen = model.discriminator_real_outputs, model.discriminator_gen_outputs
    return model._replace(discriminator_real_outputs=None if real is None else adversarial_output(real),
                          discriminator_gen_outputs=adversarial_output(gen)), split(real, gen)


def _model(generator_fn, discriminator_fn, real_data, generator_inputs, generator_scope, discriminator_scope,
           check_shapes):
    real_batch, draw_real = _source(real_data)
    inputs_batch, draw_inputs = _source(generator_inputs)
    networks = _networks(generator_fn, discriminator_fn, inputs_batch, generator_scope, discriminator_scope)
    generated = networks.generate(inputs_batch, training=True)
    _check_shapes(generated, real_batch, check_shapes)
    model = model_from_networks(networks, real_batch, inputs_batch, generated,
                                scopes=(generator_scope, discriminator_scope))
    return model, networks, (draw_real, draw_inputs)


def adversarial_model(model):
    """`model` with the discriminator outputs reduced to their adversarial part (ACGAN, InfoGAN heads dropped)."""
    return _split_outputs(model, lambda real, gen: None)[0]


def gan_model(generator_fn, discriminator_fn, real_data, generator_inputs, generator_scope="Generator",
              discriminator_scope="Discriminator", check_shapes=True):
    """A `GANModel`: the networks of `generator_fn` / `discriminator_fn` on one batch.

    The functions are called once on Keras inputs to build the networks (reused by later
    calls with the same functions and scope names); a `keras.Model` is used as is.

    >>> model = gan.gan_model(generator_fn, discriminator_fn, real_data=images, generator_inputs=noise)
    >>> model.generated_data.shape == images.shape
    True
    """
    model, networks, sources = _model(generator_fn, discriminator_fn, real_data, generator_inputs,
                                      generator_scope, discriminator_scope, check_shapes)
    return _Recorded.make(model, networks=networks, sources=sources, kind="gan")


def acgan_model(generator_fn, discriminator_fn, real_data, generator_inputs, one_hot_labels,
                generator_scope="Generator", discriminator_scope="Discriminator", check_shapes=True):
    """An `ACGANModel`: `discriminator_fn` returns `(logits, class_logits)` (Odena et al. 2017).

    >>> model = gan.acgan_model(generator_fn, discriminator_fn, images, (noise, one_hot), one_hot)
    >>> model.discriminator_gen_classification_logits.shape
    TensorShape([32, 10])
    """
    model, networks, sources = _model(generator_fn, discriminator_fn, real_data, generator_inputs,
                                      generator_scope, discriminator_scope, check_shapes)
    return _Recorded.make(_acgan(model, one_hot_labels), networks=networks, sources=sources, kind="acgan")


def _acgan(model, one_hot_labels):
    def class_logits(output):
        if not isinstance(output, (tuple, list)) or len(output) != 2:
            raise ValueError("An ACGAN discriminator_fn must return (logits, class_logits); got "
                             f"{type(output).__name__}")
        return output[1]

    real, gen = model.discriminator_real_outputs, model.discriminator_gen_outputs
    base = adversarial_model(model)
    return ACGANModel(*base, one_hot_labels, None if real is None else class_logits(real), class_logits(gen))


def _as_distribution(prediction, code):
    """A Q-network output as a distribution: ready objects as they are; logits for one-hot or
    integer codes; the mean of a unit normal for continuous codes."""
    if callable(getattr(prediction, "log_prob", None)):
        return prediction
    code = tf.convert_to_tensor(code)
    if code.dtype.is_integer or prediction.shape[-1] != code.shape[-1] or _is_one_hot(code):
        return gan_losses.Categorical(prediction)
    return gan_losses.Normal(prediction)


def _is_one_hot(code):
    value = tf.get_static_value(code)
    if value is None:
        return False
    return bool(((value == 0) | (value == 1)).all() and (value.sum(axis=-1) == 1).all())


def infogan_model(generator_fn, discriminator_fn, real_data, unstructured_generator_inputs,
                  structured_generator_inputs, generator_scope="Generator", discriminator_scope="Discriminator"):
    """An `InfoGANModel` (Chen et al. 2016): the generator takes the list
    `unstructured_generator_inputs + structured_generator_inputs`; `discriminator_fn` returns
    `(logits, [q_output per structured input])`, each a distribution or a tensor (logits for
    a categorical code, the mean of a unit normal for a continuous one). Either list may
    instead be a function returning it, called again for every update (TF1 re-sampled noise
    tensors every step; a TF2 tensor is one fixed value).

    >>> model = gan.infogan_model(generator_fn, discriminator_fn, images, [noise], [one_hot_code, continuous])
    >>> model = gan.infogan_model(generator_fn, discriminator_fn, images, lambda: [tf.random.normal([32, 62])],
    ...                           lambda: [tf.random.uniform([32], 0, 10, tf.int32)])
    """
    def listed(value):
        return list(value() if callable(value) else value)

    structured = listed(structured_generator_inputs)
    if callable(unstructured_generator_inputs) or callable(structured_generator_inputs):
        def inputs():
            return listed(unstructured_generator_inputs) + listed(structured_generator_inputs)
    else:
        inputs = list(unstructured_generator_inputs) + structured
    model, networks, sources = _model(generator_fn, discriminator_fn, real_data, inputs,
                                      generator_scope, discriminator_scope, check_shapes=True)
    return _Recorded.make(_infogan(model, len(structured)), networks=networks, sources=sources, kind="infogan",
                          num_structured=len(structured))


def _infogan(model, num_structured):
    structured = list(model.generator_inputs)[len(model.generator_inputs) - num_structured:]
    predictions = model.discriminator_gen_outputs
    if not isinstance(predictions, (tuple, list)) or len(predictions) != 2:
        raise ValueError("An InfoGAN discriminator_fn must return (logits, [predictions per structured input])")
    distributions = [_as_distribution(p, c) for p, c in zip(list(predictions[1]), structured)]
    base = adversarial_model(model)
    return InfoGANModel(*base, structured, distributions, model.discriminator_fn)


def cyclegan_model(generator_fn, discriminator_fn, data_x, data_y, generator_scope="Generator",
                   discriminator_scope="Discriminator", model_x2y_scope="ModelX2Y", model_y2x_scope="ModelY2X",
                   check_shapes=True):
    """A `CycleGANModel`: generator F maps X to Y, G maps Y to X, each with its own critic
    (Zhu et al. 2017); the reconstructions are G(F(x)) and F(G(y)).

    >>> model = gan.cyclegan_model(generator_fn, discriminator_fn, data_x, data_y)
    """
    x2y = gan_model(generator_fn, discriminator_fn, data_y, data_x, f"{model_x2y_scope}/{generator_scope}",
                    f"{model_x2y_scope}/{discriminator_scope}", check_shapes)
    y2x = gan_model(generator_fn, discriminator_fn, data_x, data_y, f"{model_y2x_scope}/{generator_scope}",
                    f"{model_y2x_scope}/{discriminator_scope}", check_shapes)
    return CycleGANModel(x2y, y2x, y2x.generator_fn(x2y.generated_data), x2y.generator_fn(y2x.generated_data))


def stargan_model(generator_fn, discriminator_fn, input_data, input_data_domain_label,
                  generator_scope="Generator", discriminator_scope="Discriminator"):
    """A `StarGANModel` (Choi et al. 2018): `generator_fn(data, target_domain_one_hot)` translates,
    `discriminator_fn(data, num_domains)` returns `(source_logits, domain_logits)`; targets are
    drawn at random, and the reconstruction maps back to the input's domain.

    >>> model = gan.stargan_model(generator_fn, discriminator_fn, images, domain_one_hot)
    """
    labels = tf.convert_to_tensor(input_data_domain_label)
    num_domains = labels.shape[-1]
    target = tf.one_hot(tf.random.uniform([tf.shape(labels)[0]], 0, num_domains, dtype=tf.int32), num_domains)
    networks = _networks(generator_fn, discriminator_fn, (input_data, target), generator_scope, discriminator_scope,
                         adapt=lambda g, d: (lambda inputs: g(inputs[0], inputs[1]),
                                             lambda data, inputs: d(data, num_domains)))
    generated = networks.generate((input_data, target), training=True)
    reconstructed = networks.generate((generated, labels), training=True)
    source_in, domain_in = _float32(networks.discriminate(input_data, (input_data, target), training=True))
    source_gen, domain_gen = _float32(networks.discriminate(generated, (input_data, target), training=True))
    return _Recorded.make(StarGANModel(
        input_data, labels, generated, target, reconstructed, source_in, source_gen, domain_in, domain_gen,
        networks.generator.trainable_variables, Scope(generator_scope),
        lambda data, domains: networks.generate((data, domains), training=True),
        networks.discriminator.trainable_variables, Scope(discriminator_scope),
        lambda data, num_domains: networks.discriminate(data, (data, target), training=True)), networks=networks)


# ---- stage 2: the loss -------------------------------------------------------------------
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
                              _float32(model.discriminator_fn(generated, inputs))))


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
            logs[name] = loss_fn(model, reduction=config.reduction)
            total += weight * logs[name]
    return total


def generator_terms(model, config):
    """(total generator loss, its logged parts): `generator_loss` (adversarial),
    `mutual_information_penalty`, `aux_cond_generator_loss`, `generator_regularization_loss`.

    >>> total, logs = generator_terms(model, config)
    """
    if config.gan_loss_fn is not None:
        total = config.gan_loss_fn(model).generator_loss
        return total, {"generator_loss": total}
    adversarial = _call_loss(config.generator_loss_fn, model, "generator", config)
    logs, total = {"generator_loss": adversarial}, adversarial
    total = _auxiliary(model, config, total, logs, (
        ("mutual_information_penalty", config.mutual_information_penalty_weight, gan_losses.mutual_information_penalty),
        ("aux_cond_generator_loss", config.aux_cond_generator_weight, gan_losses.acgan_generator_loss)))
    return _regularization(model.generator_fn, "generator", total, logs), logs


def term_names(config, networks):
    """The log names `discriminator_terms` and `generator_terms` produce, known before tracing."""
    d_names, g_names = ["discriminator_loss"], ["generator_loss"]
    if config.gan_loss_fn is None:
        d_names += ["gradient_penalty"] if _used(config.gradient_penalty_weight) else []
        for names in (d_names, g_names):
            names += ["mutual_information_penalty"] if _used(config.mutual_information_penalty_weight) else []
        d_names += ["aux_cond_discriminator_loss"] if _used(config.aux_cond_discriminator_weight) else []
        g_names += ["aux_cond_generator_loss"] if _used(config.aux_cond_generator_weight) else []
    d_names += ["discriminator_regularization_loss"] if networks.discriminator.losses else []
    g_names += ["generator_regularization_loss"] if networks.generator.losses else []
    return d_names, g_names


def generator_needs_real_outputs(config):
    """Whether the generator's terms read D(x): tuple-style and user losses may; argument-style ones say so."""
    fn = config.generator_loss_fn
    if config.gan_loss_fn is not None or _is_tuple_style(fn):
        return True
    return gan_losses.generator_loss_needs_real_outputs(getattr(fn, "argument_style", fn))


def is_zero_sum(config):
    """Whether the generator's total loss is minus the critic's adversarial loss in D(G(z)) (one backward pass)."""
    if config.gan_loss_fn is not None or any(_used(w) for w in (
            config.mutual_information_penalty_weight, config.aux_cond_generator_weight,
            config.aux_cond_discriminator_weight)) or config.tensor_pool_fn:
        return False
    pair = gan_losses.LossPair(*(getattr(fn, "argument_style", fn)
                                 for fn in (config.generator_loss_fn, config.discriminator_loss_fn)))
    return gan_losses.is_zero_sum(pair)


def gan_loss(model, generator_loss_fn=gan_losses.wasserstein_generator_loss,
             discriminator_loss_fn=gan_losses.wasserstein_discriminator_loss, gradient_penalty_weight=None,
             gradient_penalty_epsilon=1e-10, gradient_penalty_target=1.0, gradient_penalty_one_sided=False,
             mutual_information_penalty_weight=None, aux_cond_generator_weight=None,
             aux_cond_discriminator_weight=None, tensor_pool_fn=None,
             reduction=gan_losses.Reduction.SUM_BY_NONZERO_WEIGHTS, add_summaries=True):
    """A `GANLoss` of both networks' total losses for `model` (penalties and regularization included).

    Loss functions may be tuple style (`fn(gan_model, ...)`, TF-GAN's) or argument style
    (`fn(discriminator_gen_outputs, ...)`, `gan.losses.wargs`). `add_summaries` is accepted and
    ignored (`gan.eval.add_gan_model_summaries` writes summaries).

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
                        gan_losses.Reduction.validate(reduction), False)
    loss = GANLoss(generator_terms(model, config)[0], discriminator_terms(model, config)[0])
    return _Recorded.make(loss, config=config)


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
    reconstruction_loss_fn = reconstruction_loss_fn or (
        lambda labels, predictions: tf.reduce_mean(tf.abs(tf.cast(labels, tf.float32) - tf.cast(predictions, tf.float32))))
    classification_loss_fn = classification_loss_fn or (lambda onehot_labels, logits: tf.reduce_mean(
        tf.nn.softmax_cross_entropy_with_logits(labels=tf.cast(onehot_labels, tf.float32), logits=logits)))
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
