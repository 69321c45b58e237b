"""nnlib's teaching core: each formula the chapters teach, written once, in plain NumPy.

One module per chapter's idea: :mod:`~nnlib.core.activations` (chapter 5), :mod:`~nnlib.core.losses`
(6), :mod:`~nnlib.core.optimizers` (7), :mod:`~nnlib.core.layers` and :mod:`~nnlib.core.graph` (8),
:mod:`~nnlib.core.training` and :mod:`~nnlib.core.regularizers` (9). Nothing here checks its input
or knows about Keras: the Keras-named modules around it (:mod:`nnlib.layers`, :mod:`nnlib.losses`,
...) check once, at the door, and call these functions for every number.
"""
