"""Settings shared by every test: real Keras must run on JAX, the backend nnlib is compared with, and
the hidden tests of the exercises draw their data from one fixed course secret (nngrade.secret), so
that every run of the suite, and every nbgrader or nngrade process it starts, grades the same data."""

import os

os.environ.setdefault("KERAS_BACKEND", "jax")
os.environ.setdefault("NNGRADE_SECRET", "5e" * 32)
