"""Image-to-image pairs for the translation families: CycleGAN (Zhu et al. 2017) and StarGAN (Choi et al. 2018).

Calling conventions are TF-GAN's for these families: a CycleGAN pair has
`generator_fn(images) -> images` and `discriminator_fn(images, generator_inputs) -> logits`
(`gan.cyclegan_model` calls each twice, one network per direction); a StarGAN pair
(`num_domains=K`) has `generator_fn(images, target_domain_one_hot) -> images` and
`discriminator_fn(images, num_domains) -> (source_logits, domain_logits [batch, K])`.
Generated images are tanh, in [-1, 1].

Small images (under 16 pixels a side, e.g. the 8x8 `digits_domains`) get a fully connected
critic. CycleGAN's generator there is 3x3 convolutions at full resolution: local filters keep
each input's shape (a fully connected generator, free to move any pixel anywhere, learned on
digits_domains to turn each digit into another and back: cycle-consistent, but 26% of
translations kept their digit against 99.7% for the convolutions). StarGAN's must also mirror
and rotate, which local filters cannot (they kept 16% of the digits), so its generator moves
the whole image: one small network scores each of the image's symmetries (the square's quarter
turns and flips, or a rectangle's flips and half turn) and the negative of each as a member of
the target domain, the generator mixes them by the softmax of the scores, and one 3x3
convolution then corrects locally. An image and each of its moves have the same moves, so every
domain's version of an image gets the same translation: the choice cannot take one move for a
digit's original inputs and another for its mirrored ones (a network that chose from the image
itself did, and kept 80% of the digits; this one 97%, median of 3 seeds). The flip side: the
translation cannot keep an input's orientation or sign, so this generator is a prior for domains
that differ by such moves. Given to CycleGAN on original/inverted the earlier choice kept 10%,
so CycleGAN keeps the convolutions. docs/benchmarks.md has the figures.

Larger images get the CycleGAN paper's layout, scaled down: a 7x7 convolution,
two stride-2 downsamplings, residual blocks, two upsamplings, a 7x7 convolution, with instance
normalisation; the discriminator is a PatchGAN (a logit per patch).

>>> pair = gan.networks.translator((8, 8, 1), num_domains=4)
>>> x, c = keras.Input((8, 8, 1)), keras.Input((4,))
>>> keras.Model([x, c], pair.generator_fn(x, c)).output_shape
(None, 8, 8, 1)
"""
import keras
from keras import layers

from gan import checks
from gan.networks.core import NetworkPair, check_shape

SMALL_IMAGE = 16  # below this many pixels a side: no downsampling, a dense critic (see the module docstring)
SMALL_IMAGE_CONVOLUTIONS = 3
# The chosen move enters tanh doubled, so that pixels at -1 and 1 stay near them (tanh(2) = 0.96).
MOVE_GAIN = 2.0
RESIDUAL_BLOCKS = 3


def _instance_norm():
    return layers.GroupNormalization(groups=-1, epsilon=1e-5)  # one group per channel: instance norm


def _with_domains(images, target, shape):
    """`images` with the target domain's one-hot broadcast to extra channels (StarGAN's input)."""
    if target is None:
        return images
    planes = layers.RepeatVector(shape[0] * shape[1])(target)
    return layers.Concatenate()([images, layers.Reshape((shape[0], shape[1], target.shape[-1]))(planes)])


def symmetric_moves(images):
    """`[batch, moves, H, W, C]`: `images` under each symmetry of their shape (a square's 8: four
    quarter turns, each also flipped left-right; a rectangle's 4: no turn or a half turn, each also
    flipped) and then the negative of each. Move 0 is the identity.

    >>> symmetric_moves(keras.ops.zeros([2, 8, 8, 1])).shape
    (2, 16, 8, 8, 1)
    """
    turns = range(4) if images.shape[1] == images.shape[2] else (0, 2)
    moves = []
    for quarter_turns in turns:
        turned = keras.ops.rot90(images, k=quarter_turns, axes=(1, 2))
        moves += [turned, keras.ops.flip(turned, axis=2)]
    return keras.ops.stack(moves + [-move for move in moves], axis=1)


def translator(data_shape, *, num_domains=None, hidden_units=(256, 256), base_filters=32):
    """A translation pair for images of `data_shape` (see the module docstring): CycleGAN's with
    `num_domains=None`, StarGAN's for `num_domains=K >= 2`. `hidden_units` size the fully
    connected critic of small images and the network that scores StarGAN's moves there,
    `base_filters` the convolutions.

    >>> pair = translator((8, 8, 1))   # CycleGAN: generator_fn(images), discriminator_fn(images, inputs)
    """
    shape = check_shape(data_shape, rank=3)
    if num_domains is not None and checks.positive_int("num_domains", num_domains) < 2:
        raise ValueError(f"num_domains must be at least 2 for a StarGAN pair; got {num_domains}")
    units = tuple(checks.positive_int("hidden_units", u) for u in hidden_units)
    filters = checks.positive_int("base_filters", base_filters)
    small = min(shape[:2]) < SMALL_IMAGE

    def full_resolution_generator(images, target):
        net = _with_domains(images, target, shape)
        for _ in range(SMALL_IMAGE_CONVOLUTIONS):
            net = layers.Conv2D(filters, 3, padding="same", activation="relu")(net)
        return layers.Conv2D(shape[-1], 3, padding="same", activation="tanh")(net)

    def moving_generator(images, target):
        moves = symmetric_moves(images)
        count = moves.shape[1]
        # One network scores each move of the image as a member of the target domain. The moves of
        # an image and of any of its moves are the same set, so inputs of every domain that hold the
        # same digit get the same output: the choice cannot take a different move for, say,
        # original and mirrored inputs of a digit it has not learned to tell apart.
        net = layers.Concatenate()([layers.Reshape((count, -1))(moves), layers.RepeatVector(count)(target)])
        for width in units:
            net = layers.Dense(width, activation="relu")(net)
        choice = layers.Softmax()(layers.Reshape((count,))(layers.Dense(1)(net)))
        moved = keras.ops.einsum("bm,bmhwc->bhwc", choice, moves)
        correction = layers.Conv2D(filters, 3, padding="same", activation="relu")(moved)
        correction = layers.Conv2D(shape[-1], 3, padding="same")(correction)
        return keras.ops.tanh(MOVE_GAIN * moved + correction)

    def conv_generator(images, target):
        net = _with_domains(images, target, shape)
        net = layers.ReLU()(_instance_norm()(layers.Conv2D(filters, 7, padding="same")(net)))
        for scale in (2, 4):
            net = layers.ReLU()(_instance_norm()(layers.Conv2D(filters * scale, 3, 2, padding="same")(net)))
        for _ in range(RESIDUAL_BLOCKS):
            branch = layers.ReLU()(_instance_norm()(layers.Conv2D(filters * 4, 3, padding="same")(net)))
            net = layers.Add()([net, _instance_norm()(layers.Conv2D(filters * 4, 3, padding="same")(branch))])
        for scale in (2, 1):
            net = layers.ReLU()(_instance_norm()(layers.Conv2DTranspose(filters * scale, 3, 2, padding="same")(net)))
        net = layers.Conv2D(shape[-1], 7, padding="same", activation="tanh")(net)
        # Sizes that do not halve twice come back a little larger: crop to the input's.
        return layers.Cropping2D(((0, net.shape[1] - shape[0]), (0, net.shape[2] - shape[1])))(net)

    def features(images):
        if small:
            net = layers.Flatten()(images)
            for width in units:
                net = layers.LeakyReLU(negative_slope=0.2)(layers.Dense(width)(net))
            return net
        net = images
        for scale in (1, 2, 4):
            net = layers.LeakyReLU(negative_slope=0.2)(layers.Conv2D(filters * scale, 4, 2, padding="same")(net))
        return net

    def source_logits(net):
        return layers.Dense(1)(net) if small else layers.Conv2D(1, 3, padding="same")(net)  # PatchGAN: a logit per patch

    if not small:
        generator = conv_generator
    else:
        generator = full_resolution_generator if num_domains is None else moving_generator

    if num_domains is None:
        def generator_fn(images):
            """Translates images of one domain into the other."""
            return generator(images, None)

        def discriminator_fn(images, generator_inputs):
            """Logits that `images` are real members of this critic's domain."""
            del generator_inputs
            return source_logits(features(images))
    else:
        def generator_fn(images, target_domains):
            """Translates each image into its target domain (one-hot [batch, num_domains])."""
            return generator(images, target_domains)

        def discriminator_fn(images, num_domains_seen):
            """(source logits, domain logits [batch, num_domains]) of `images`."""
            if num_domains_seen != num_domains:
                raise ValueError(f"this StarGAN discriminator was built for {num_domains} domains; "
                                 f"called with {num_domains_seen}")
            net = features(images)
            pooled = net if small else layers.GlobalAveragePooling2D()(net)
            return source_logits(net), layers.Dense(num_domains, name="domain_logits")(pooled)

    return NetworkPair(generator_fn, discriminator_fn)
