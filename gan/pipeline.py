"""TF-GAN's pipeline in TF2, its first stage: `gan_model` (then `gan.loss_stage`'s `gan_loss`, then `gan.train_ops`).

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
stages (`model_from_networks`, `gan.loss_stage.discriminator_terms` / `generator_terms`, `gan.train`).
`gan.train_ops` holds the last two stages, `gan_train_ops` and `gan_train`.
"""
import tensorflow as tf

from gan import losses as gan_losses
from gan.models import GANNetworks, adversarial_output, batch_spec
from gan.namedtuples import ACGANModel, CycleGANModel, GANModel, InfoGANModel, StarGANModel, recorded


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


def float32_outputs(output):
    """A discriminator output (possibly a tuple) in float32, as every loss reads it."""
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
    gen_outputs = float32_outputs(networks.discriminate(generated_data, generator_inputs, training=training))
    real = float32_outputs(networks.discriminate(real_data, generator_inputs, training=training)) if real_outputs else None
    return GANModel(
        generator_inputs, generated_data, networks.generator.trainable_variables, Scope(scopes[0]),
        NetworkCall(networks, "generator", training), real_data, real, gen_outputs,
        networks.discriminator.trainable_variables, Scope(scopes[1]), NetworkCall(networks, "discriminator", training))


def _check_shapes(generated_data, real_data, check_shapes):
    real_shape = tf.convert_to_tensor(real_data).shape
    if check_shapes and not generated_data.shape.is_compatible_with(real_shape):
        raise ValueError(f"Generator output shape {generated_data.shape} must be the same as the real "
                         f"data's {real_shape}; pass check_shapes=False to allow it")


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
    return recorded(model, networks=networks, sources=sources, kind="gan")


def acgan_model(generator_fn, discriminator_fn, real_data, generator_inputs, one_hot_labels,
                generator_scope="Generator", discriminator_scope="Discriminator", check_shapes=True):
    """An `ACGANModel`: `discriminator_fn` returns `(logits, class_logits)` (Odena et al. 2017).

    >>> model = gan.acgan_model(generator_fn, discriminator_fn, images, (noise, one_hot), one_hot)
    >>> model.discriminator_gen_classification_logits.shape
    TensorShape([32, 10])
    """
    model, networks, sources = _model(generator_fn, discriminator_fn, real_data, generator_inputs,
                                      generator_scope, discriminator_scope, check_shapes)
    return recorded(_acgan(model, one_hot_labels), networks=networks, sources=sources, kind="acgan")


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
    """A Q-network output as a distribution: ready objects as they are; logits for integer codes or
    one-hot ones (told apart from a continuous code of the same width by their values, at run time
    inside a compiled step); the mean of a unit normal for continuous codes."""
    if callable(getattr(prediction, "log_prob", None)):
        return prediction
    code = tf.convert_to_tensor(code)
    if code.dtype.is_integer or prediction.shape[-1] != code.shape[-1]:
        return gan_losses.Categorical(prediction)
    value = tf.get_static_value(code)
    if value is not None:
        one_hot = ((value == 0) | (value == 1)).all() and (value.sum(axis=-1) == 1).all()
        return gan_losses.Categorical(prediction) if one_hot else gan_losses.Normal(prediction)
    return _CategoricalIfOneHot(prediction)


class _CategoricalIfOneHot:
    """Categorical logits when the code it scores is one-hot, else a unit normal's mean."""

    def __init__(self, prediction):
        self.categorical, self.normal = gan_losses.Categorical(prediction), gan_losses.Normal(prediction)

    def log_prob(self, value):
        value = tf.cast(value, tf.float32)
        one_hot = tf.reduce_all((tf.equal(value, 0.0) | tf.equal(value, 1.0)) & tf.equal(
            tf.reduce_sum(value, axis=-1, keepdims=True), 1.0))
        return tf.cond(one_hot, lambda: self.categorical.log_prob(value),
                       lambda: tf.reduce_mean(self.normal.log_prob(value), axis=-1))  # as its mean over all


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
    return recorded(_infogan(model, len(structured)), networks=networks, sources=sources, kind="infogan",
                          num_structured=len(structured))


def _infogan(model, num_structured):
    structured = list(model.generator_inputs)[len(model.generator_inputs) - num_structured:]
    predictions = model.discriminator_gen_outputs
    if not isinstance(predictions, (tuple, list)) or len(predictions) != 2:
        raise ValueError("An InfoGAN discriminator_fn must return (logits, [predictions per structured input])")
    distributions = [_as_distribution(p, c) for p, c in zip(list(predictions[1]), structured)]
    base = adversarial_model(model)
    return InfoGANModel(*base, structured, distributions, model.discriminator_fn)


class DirectionCall:
    """One direction of a CycleGAN whose two directions are one pair of Keras models (the trainer's, see
    `translation_generator_fn`): calls the joint network and keeps direction `index`'s output
    (0: X to Y, judged by D_Y; 1: Y to X, judged by D_X). `.joint` calls the joint network.

    >>> model.model_x2y.generator_fn(x)   # F(x)
    """

    def __init__(self, networks, role, index, training=True):
        self.joint, self.index = NetworkCall(networks, role, training), index

    def __call__(self, data, generator_inputs=None):
        if self.joint.role == "generator":
            return self.joint((data, data))[self.index]
        # The joint critic takes both directions' generator inputs; this direction's stand in for both.
        return self.joint((data, data), (generator_inputs, generator_inputs))[self.index]


class StarGANCall:
    """A StarGAN network trained as a GAN pair (see `translation_generator_fn`), called as TF-GAN's
    StarGAN called it: the generator as `fn(images, target_domains)`, the critic as `fn(images, num_domains)`
    (`inputs`: a batch of the pair's generator inputs, which the critic's Keras model takes and ignores)."""

    def __init__(self, networks, role, inputs, training=True):
        self.call, self.inputs = NetworkCall(networks, role, training), inputs

    @property
    def model(self):
        return self.call.model

    def __call__(self, data, domains_or_count):
        if self.call.role == "generator":
            return self.call((data, domains_or_count, domains_or_count))
        return self.call(data, self.inputs)


def translation_generator_fn(kind, generator_fn):
    """The user's translation `generator_fn` as the generator of one GAN pair that the trainer updates:
    CycleGAN's `(x, y) -> (F(x), G(y))` (the function called twice: two networks), StarGAN's
    `(images, source_domains, target_domains) -> generator_fn(images, target_domains)`.

    >>> joint = translation_generator_fn('cyclegan', pair.generator_fn)
    """
    if kind == "cyclegan":
        def joint(generator_inputs):
            return tuple(generator_fn(images) for images in _pair("CycleGAN generator inputs", generator_inputs))
    else:
        def joint(generator_inputs):
            images, _, target = _stargan_inputs(generator_inputs)
            return generator_fn(images, target)
    return joint


def translation_discriminator_fn(kind, discriminator_fn):
    """The user's translation `discriminator_fn` as the critic of one GAN pair (see
    `translation_generator_fn`): CycleGAN's `((a, b), inputs) -> (D_Y(a), D_X(b))`, StarGAN's
    `(images, inputs) -> discriminator_fn(images, num_domains)`."""
    if kind == "cyclegan":
        def joint(data, generator_inputs):
            x, y = _pair("CycleGAN generator inputs", generator_inputs)
            to_y, to_x = _pair("CycleGAN data", data)
            return discriminator_fn(to_y, x), discriminator_fn(to_x, y)
    else:
        def joint(data, generator_inputs):
            return discriminator_fn(data, int(_stargan_inputs(generator_inputs)[2].shape[-1]))
    return joint


def _pair(what, value):
    if not isinstance(value, (tuple, list)) or len(value) != 2:
        raise ValueError(f"{what} must be a pair (domain X images, domain Y images); got {type(value).__name__}")
    return value


def _stargan_inputs(generator_inputs):
    if not isinstance(generator_inputs, (tuple, list)) or len(generator_inputs) != 3:
        raise ValueError("StarGAN generator inputs must be (images, source_domain_one_hot, target_domain_one_hot); "
                         f"got {type(generator_inputs).__name__}")
    return generator_inputs


def translation_model(networks, kind, generator_inputs, real_data, generated_data=None, reconstruct=True,
                      training=True):
    """The `CycleGANModel` or `StarGANModel` of one batch on networks built from
    `translation_generator_fn` / `translation_discriminator_fn` (the trainer's models stage).

    CycleGAN batches are `((x, y), (y, x))`, StarGAN's `((images, source_one_hot, target_one_hot),
    images)`. `reconstruct=False` skips the reconstructions (the critic's update never reads them).

    >>> model = translation_model(estimator.networks, 'cyclegan', (x, y), (y, x))
    >>> model.reconstructed_x   # G(F(x))
    """
    if generated_data is None:
        generated_data = networks.generate(generator_inputs, training=training)
    real = float32_outputs(networks.discriminate(real_data, generator_inputs, training=training))
    fake = float32_outputs(networks.discriminate(generated_data, generator_inputs, training=training))
    variables = networks.generator.trainable_variables, networks.discriminator.trainable_variables
    if kind == "cyclegan":
        (x, y), (to_y, to_x) = generator_inputs, generated_data
        # The pair (G(y), F(x)) through the joint generator gives (F(G(y)), G(F(x))).
        back_to_y, back_to_x = (networks.generate((to_x, to_y), training=training) if reconstruct else (None, None))
        directions = [GANModel(source, translated, variables[0], Scope(f"{scope}/Generator"),
                               DirectionCall(networks, "generator", index, training), target_real, real[index],
                               fake[index], variables[1], Scope(f"{scope}/Discriminator"),
                               DirectionCall(networks, "discriminator", index, training))
                      for index, (scope, source, translated, target_real) in enumerate((
                          ("ModelX2Y", x, to_y, real_data[0]), ("ModelY2X", y, to_x, real_data[1])))]
        return CycleGANModel(*directions, back_to_x, back_to_y)
    images, source, target = _stargan_inputs(generator_inputs)
    reconstructed = networks.generate((generated_data, target, source), training=training) if reconstruct else None
    return StarGANModel(images, source, generated_data, target, reconstructed, real[0], fake[0], real[1], fake[1],
                        variables[0], Scope("Generator"), StarGANCall(networks, "generator", generator_inputs, training),
                        variables[1], Scope("Discriminator"),
                        StarGANCall(networks, "discriminator", generator_inputs, training))


def adversarial_outputs(model):
    """(real, generated) adversarial critic outputs of any model tuple, flattened over CycleGAN's two
    critics: what training logs score and accuracy from.

    >>> real, generated = adversarial_outputs(model)
    """
    if isinstance(model, CycleGANModel):
        return tuple(tf.concat([tf.reshape(getattr(m, field), [-1]) for m in (model.model_x2y, model.model_y2x)], 0)
                     for field in ("discriminator_real_outputs", "discriminator_gen_outputs"))
    if isinstance(model, StarGANModel):
        return model.discriminator_input_data_source_predication, model.discriminator_generated_data_source_predication
    return model.discriminator_real_outputs, model.discriminator_gen_outputs


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
    source_in, domain_in = float32_outputs(networks.discriminate(input_data, (input_data, target), training=True))
    source_gen, domain_gen = float32_outputs(networks.discriminate(generated, (input_data, target), training=True))
    return recorded(StarGANModel(
        input_data, labels, generated, target, reconstructed, source_in, source_gen, domain_in, domain_gen,
        networks.generator.trainable_variables, Scope(generator_scope),
        lambda data, domains: networks.generate((data, domains), training=True),
        networks.discriminator.trainable_variables, Scope(discriminator_scope),
        lambda data, num_domains: networks.discriminate(data, (data, target), training=True)), networks=networks)
