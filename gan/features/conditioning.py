"""Conditioning a tensor on labels by adding a learned projection (https://arxiv.org/abs/1609.03499)."""
import math

import keras


def condition_tensor(tensor, conditioning):
    """`tensor` plus a dense projection of `conditioning` reshaped to `tensor`'s shape.

    Built from Keras layers, so it works on a network function's Keras inputs.

    >>> h = condition_tensor(h, one_hot_labels)     # h: [batch, 7, 7, 64], labels: [batch, 10]
    """
    if None in tuple(tensor.shape[1:]):
        raise ValueError(f"condition_tensor needs the non-batch dimensions of tensor defined; got {tensor.shape}")
    if len(conditioning.shape) < 2:
        raise ValueError(f"conditioning must be at least 2-D; got shape {conditioning.shape}")
    features = math.prod(tensor.shape[1:])
    mapped = keras.layers.Dense(features, kernel_initializer="glorot_uniform")(keras.layers.Flatten()(conditioning))
    return keras.layers.Add()([tensor, keras.layers.Reshape(tuple(tensor.shape[1:]))(mapped)])


def condition_tensor_from_onehot(tensor, one_hot_labels, embedding_size=256):
    """`condition_tensor` on a learned `embedding_size` embedding of the labels' classes.

    >>> h = condition_tensor_from_onehot(h, one_hot_labels)
    """
    if len(one_hot_labels.shape) != 2 or one_hot_labels.shape[1] is None:
        raise ValueError(f"one_hot_labels must be [batch, num_classes]; got shape {one_hot_labels.shape}")
    ids = keras.ops.argmax(one_hot_labels, axis=1)
    embedding = keras.layers.Embedding(one_hot_labels.shape[1], embedding_size)(ids)
    return condition_tensor(tensor, embedding)
