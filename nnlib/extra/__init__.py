"""Formulas Keras has that the chapters do not teach, written in the core's plain style: one
implementation each, with the same conventions as :mod:`nnlib.core` (plain NumPy, the math in
the docstring, no checks). The Keras-named modules map Keras's names onto them."""
