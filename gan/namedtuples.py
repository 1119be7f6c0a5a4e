"""The tuples that carry a GAN from one pipeline stage to the next (TF-GAN 2.1.0's fields).

    model = gan.gan_model(generator_fn, discriminator_fn, real_data, noise)   # GANModel
    loss = gan.gan_loss(model)                                                # GANLoss
    ops = gan.gan_train_ops(model, loss, g_optimizer, d_optimizer)            # GANTrainOps
    gan.gan_train(ops, logdir, get_hooks_fn=gan.get_sequential_train_hooks(gan.GANTrainSteps(1, 5)))

Each stage can be replaced by the user's own function that builds the same tuple.
Where TF-GAN held a variable scope, these hold its name; `generator_fn` and
`discriminator_fn` hold the built Keras networks, called as TF-GAN called the functions
(`generator_fn(generator_inputs)`, `discriminator_fn(data, generator_inputs)`).
"""
import collections
from typing import Any, NamedTuple


class GANModel(NamedTuple):
    """Everything one GAN update needs: inputs, networks, their outputs and variables.

    >>> model = gan.gan_model(generator_fn, discriminator_fn, real_data=images, generator_inputs=noise)
    >>> model.discriminator_gen_outputs.shape   # D(G(z))
    TensorShape([32, 1])
    """
    generator_inputs: Any
    generated_data: Any
    generator_variables: Any
    generator_scope: Any
    generator_fn: Any
    real_data: Any
    discriminator_real_outputs: Any
    discriminator_gen_outputs: Any
    discriminator_variables: Any
    discriminator_scope: Any
    discriminator_fn: Any


class InfoGANModel(collections.namedtuple("InfoGANModel", GANModel._fields + (
        "structured_generator_inputs", "predicted_distributions", "discriminator_and_aux_fn"))):
    """A `GANModel` plus InfoGAN's structured codes and the Q network's predicted distributions.

    `predicted_distributions` are distribution objects with `log_prob` (see
    `gan.losses.mutual_information_penalty`).

    >>> model = gan.infogan_model(generator_fn, discriminator_and_aux_fn, images, [noise], [code])
    """
    __slots__ = ()


class ACGANModel(collections.namedtuple("ACGANModel", GANModel._fields + (
        "one_hot_labels", "discriminator_real_classification_logits", "discriminator_gen_classification_logits"))):
    """A `GANModel` plus the labels and the discriminator's auxiliary class logits (Odena et al. 2017).

    >>> model = gan.acgan_model(generator_fn, discriminator_fn, images, (noise, one_hot), one_hot)
    """
    __slots__ = ()


class CycleGANModel(NamedTuple):
    """Two `GANModel`s, X to Y and Y to X, and each side's reconstruction (Zhu et al. 2017).

    >>> model = gan.cyclegan_model(generator_fn, discriminator_fn, data_x, data_y)
    >>> model.reconstructed_x   # G(F(x))
    """
    model_x2y: Any
    model_y2x: Any
    reconstructed_x: Any
    reconstructed_y: Any


class StarGANModel(NamedTuple):
    """One generator translating between many domains, and a discriminator with a domain head
    (Choi et al. 2018). Field names keep TF-GAN's spelling ("predication").

    >>> model = gan.stargan_model(generator_fn, discriminator_fn, images, domain_labels)
    """
    input_data: Any
    input_data_domain_label: Any
    generated_data: Any
    generated_data_domain_target: Any
    reconstructed_data: Any
    discriminator_input_data_source_predication: Any
    discriminator_generated_data_source_predication: Any
    discriminator_input_data_domain_predication: Any
    discriminator_generated_data_domain_predication: Any
    generator_variables: Any
    generator_scope: Any
    generator_fn: Any
    discriminator_variables: Any
    discriminator_scope: Any
    discriminator_fn: Any


class GANLoss(NamedTuple):
    """The generator's and the discriminator's loss tensors (what `gan.gan_loss` returns).

    Not to be confused with `gan.losses.LossPair`, the registry's pair of loss *functions*.

    >>> loss = gan.gan_loss(model)
    >>> float(loss.generator_loss), float(loss.discriminator_loss)
    """
    generator_loss: Any
    discriminator_loss: Any


class CycleGANLoss(NamedTuple):
    """The `GANLoss` of each direction of a `CycleGANModel`, cycle-consistency terms included.

    >>> loss = gan.cyclegan_loss(cyclegan_model)
    >>> loss.loss_x2y.generator_loss
    """
    loss_x2y: Any
    loss_y2x: Any


class GANTrainOps(NamedTuple):
    """The updates of one GAN, as callables (TF2's train ops): each call runs one update.

    `generator_train_op()` / `discriminator_train_op()` take a fresh batch from the model's
    data and return that update's logs; `global_step_inc_op()` adds one to the step.
    `train_hooks` are hooks the ops need run alongside them.

    >>> ops = gan.gan_train_ops(model, loss, keras.optimizers.Adam(1e-4), keras.optimizers.Adam(1e-4))
    >>> ops.discriminator_train_op()["discriminator_loss"]
    """
    generator_train_op: Any
    discriminator_train_op: Any
    global_step_inc_op: Any
    train_hooks: Any = ()


class GANTrainSteps(NamedTuple):
    """How many updates of each network make one training step (TF-GAN's `GANTrainSteps`).

    >>> GANTrainSteps(generator_train_steps=1, discriminator_train_steps=5)  # WGAN's 5 critic steps
    """
    generator_train_steps: int = 1
    discriminator_train_steps: int = 1


def recorded(instance, **attributes):
    """`instance` (a pipeline tuple) as an instance of a same-named subclass that also carries
    `attributes`: where its data came from (`networks`, `sources`, `kind`) or how a `GANLoss`
    was computed (`config`), so `gan.gan_train_ops` can recompute it on fresh batches.

    Example:
        model = recorded(GANModel(*fields), networks=networks, sources=sources, kind='gan')
        isinstance(model, GANModel), model.kind  # (True, 'gan')
    """
    base = type(instance)
    if base not in _RECORDING_CLASSES:
        _RECORDING_CLASSES[base] = type(base.__name__, (base,), {"__doc__": base.__doc__})
    copy = _RECORDING_CLASSES[base](*instance)
    copy.__dict__.update(attributes)
    return copy


_RECORDING_CLASSES = {}
