"""Variable clipping after each optimizer step (WGAN's weight clipping, Arjovsky et al. 2017)."""
import keras
import tensorflow as tf


class VariableClippingOptimizer(keras.optimizers.Optimizer):
    """Wraps a Keras optimizer: after each update, every variable in `vars_to_clip_dims`
    is clipped to L2 norm `max_norm` along its listed dimensions (no dimensions: each
    element to [-max_norm, max_norm]), as TF-GAN's TF1 wrapper did: only the variables the
    step updated. `vars_to_clip_dims` is a dict keyed by `variable.ref()` or, since TF2
    variables are not hashable, a list of `(variable, dims)` pairs.

    >>> opt = VariableClippingOptimizer(keras.optimizers.Adam(1e-4), [(kernel, [])], 0.01)
    """

    def __init__(self, opt, vars_to_clip_dims, max_norm, use_locking=False, colocate_clip_ops_with_vars=False,
                 name="VariableClipping"):
        if not isinstance(opt, keras.optimizers.Optimizer):
            raise ValueError(f"VariableClippingOptimizer wraps a keras.optimizers.Optimizer; got {type(opt).__name__}")
        super().__init__(learning_rate=0.0, name=name)
        self.inner_optimizer = opt
        self.max_norm = max_norm
        pairs = vars_to_clip_dims.items() if isinstance(vars_to_clip_dims, dict) else vars_to_clip_dims
        # Keyed as Keras keys its slots, so a Keras variable and the tf.Variable under it match.
        self._clip_dims = {self._var_key(v.deref() if hasattr(v, "deref") else v): list(dims) for v, dims in pairs}

    def build(self, var_list):
        self.inner_optimizer.build(var_list)
        super().build(var_list)

    @property
    def variables(self):
        return self._variables + self.inner_optimizer.variables

    @property
    def iterations(self):
        return self.inner_optimizer.iterations

    @property
    def learning_rate(self):
        return self.inner_optimizer.learning_rate

    @learning_rate.setter
    def learning_rate(self, learning_rate):
        self.inner_optimizer.learning_rate = learning_rate

    def scale_loss(self, loss):
        return self.inner_optimizer.scale_loss(loss)

    def apply(self, grads, trainable_variables=None):
        if not self.built:
            self.build(trainable_variables)
        trainable_variables = trainable_variables or self._trainable_variables
        self.inner_optimizer.apply(grads, trainable_variables)
        for grad, variable in zip(grads, trainable_variables):  # as TF-GAN: the updated ones only
            dims = self._clip_dims.get(self._var_key(variable))
            if grad is None or dims is None:
                continue
            value = tf.convert_to_tensor(variable)
            variable.assign(tf.clip_by_norm(value, self.max_norm, axes=dims)
                            if dims else tf.clip_by_value(value, -self.max_norm, self.max_norm))

    def apply_gradients(self, grads_and_vars, global_step=None, name=None):
        """Applies `opt`'s update, then clips; TF1's `global_step` and `name` are ignored
        (the step count is `iterations`)."""
        grads, trainable_variables = zip(*grads_and_vars)
        self.apply(grads, trainable_variables)
        return self.iterations

    def get_config(self):
        raise NotImplementedError("VariableClippingOptimizer holds variables; create it in the strategy's scope")


def clip_variables(optimizer, variables, weight_clip):
    """`optimizer` wrapped so each of `variables` stays in [-weight_clip, weight_clip] after every step.

    >>> opt = clip_variables(keras.optimizers.RMSprop(5e-5), critic.trainable_variables, 0.01)
    """
    if weight_clip < 0:
        raise ValueError(f"weight_clip must be non-negative; got {weight_clip!r}")
    return VariableClippingOptimizer(optimizer, [(v, []) for v in variables], weight_clip)


def clip_discriminator_weights(optimizer, model, weight_clip):
    """`optimizer` wrapped to clip a `GANModel`'s discriminator variables to ±`weight_clip` (WGAN).

    >>> d_opt = clip_discriminator_weights(keras.optimizers.RMSprop(5e-5), gan_model, 0.01)
    """
    return clip_variables(optimizer, model.discriminator_variables, weight_clip)
