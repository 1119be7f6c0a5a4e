"""TF-GAN's `tfgan.features` on TF2 and Keras 3: weight clipping, conditioning, tensor pool,
virtual batch norm, group / instance norm and spectral normalisation.

Where TF-GAN used variable getters and scopes, these build Keras layers (so they work
inside a `generator_fn` / `discriminator_fn` called on Keras inputs) or keep their state
in `tf.Variable`s (tensor pool, spectral norm's power iteration).

>>> h = gan.features.condition_tensor_from_onehot(h, one_hot_labels)   # inside a network function
"""
from gan.features.clip_weights import VariableClippingOptimizer, clip_discriminator_weights, clip_variables
from gan.features.conditioning import condition_tensor, condition_tensor_from_onehot
from gan.features.normalization import group_norm, instance_norm
from gan.features.spectral_normalization import (compute_spectral_norm, spectral_norm_regularizer,
                                                 spectral_normalization_custom_getter, spectral_normalize)
from gan.features.tensor_pool import tensor_pool
from gan.features.virtual_batchnorm import VBN
