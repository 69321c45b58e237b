"""How fast nnlib trains an MLP, measured against real Keras 3 on JAX in the same run.

The model is the classic 784-256-128-10 multilayer perceptron (ReLU, ReLU, softmax), trained with
plain SGD in float32 on synthetic MNIST-sized data (60,000 rows of 784 features, labels from a random
linear teacher). For each batch size the two libraries train epoch by epoch, alternating (nnlib
first on even epochs, Keras first on odd ones), so that a busy machine slows both alike; one warm-up
epoch each (Keras compiles its step function then) is not counted. We report medians, the ratio
nnlib / Keras, and nnlib's arithmetic rate against a numpy.matmul ceiling measured in the same run.

Run:  .venv/bin/python benchmarks/bench_mlp.py               (5 timed epochs per batch size)
      .venv/bin/python benchmarks/bench_mlp.py --epochs 2 --rows 10000      (quick look)
A benchmark, never a test: wall-clock times depend on the machine and on what else runs on it.
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path


def _threads_from_argv(argv):
    """--threads must act before NumPy and JAX start their thread pools, so it is read first."""
    if "--threads" in argv:
        n = argv[argv.index("--threads") + 1]
        os.environ["OPENBLAS_NUM_THREADS"] = n
        os.environ["XLA_FLAGS"] = (os.environ.get("XLA_FLAGS", "") +
                                   (" --xla_cpu_multi_thread_eigen=false" if n == "1" else ""))


_threads_from_argv(sys.argv)
os.environ.setdefault("KERAS_BACKEND", "jax")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import numpy as np  # noqa: E402
import threadpoolctl  # noqa: E402  (comes with scikit-learn)

import nnlib.layers  # noqa: E402
import nnlib.models  # noqa: E402
import nnlib.optimizers  # noqa: E402
import nnlib.utils  # noqa: E402

SIZES = (784, 256, 128, 10)


def make_data(rows, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((rows, SIZES[0]), dtype=np.float32)
    teacher = rng.standard_normal((SIZES[0], SIZES[-1]), dtype=np.float32)
    labels = (x @ teacher).argmax(axis=1)
    return x, labels


def flops_per_row():
    """Multiply-adds x 2 of one training step per row: forward, weight gradients, and input
    gradients of every layer but the first (its input is the data, which needs none)."""
    pairs = list(zip(SIZES[:-1], SIZES[1:]))
    forward = sum(2 * a * b for a, b in pairs)
    input_grads = sum(2 * a * b for a, b in pairs[1:])
    return 2 * forward + input_grads


def nnlib_model(loss, seed):
    nnlib.utils.set_random_seed(seed)
    L = nnlib.layers
    model = nnlib.models.Sequential([
        L.Input((SIZES[0],)),
        L.Dense(SIZES[1], activation="relu"),
        L.Dense(SIZES[2], activation="relu"),
        L.Dense(SIZES[3], activation="softmax"),
    ])
    model.compile(optimizer=nnlib.optimizers.SGD(learning_rate=0.01), loss=loss)
    return model


def keras_model(loss, seed):
    import keras

    keras.utils.set_random_seed(seed)
    model = keras.Sequential([
        keras.Input((SIZES[0],)),
        keras.layers.Dense(SIZES[1], activation="relu"),
        keras.layers.Dense(SIZES[2], activation="relu"),
        keras.layers.Dense(SIZES[3], activation="softmax"),
    ])
    model.compile(optimizer=keras.optimizers.SGD(learning_rate=0.01), loss=loss)
    return model


def time_epoch(model, x, y, batch_size):
    """Wall-clock seconds and CPU seconds (all threads of this process) of one epoch."""
    start, start_cpu = time.perf_counter(), time.process_time()
    model.fit(x, y, batch_size=batch_size, epochs=1, verbose=0, shuffle=True)
    return time.perf_counter() - start, time.process_time() - start_cpu


def matmul_ceiling(repeats=200):
    """GFLOP per CPU second of numpy.matmul on the largest product of a step (batch 512, layer 1),
    in one BLAS thread (the most arithmetic one core can do; nnlib's fit uses the environment's
    BLAS threads, and CPU time adds up the work of all of them).

    CPU time, not wall time: on a shared machine the wall clock also counts the time other
    processes hold the cores, while the CPU time of this process measures its own work."""
    rng = np.random.default_rng(1)
    a = rng.standard_normal((512, SIZES[0]), dtype=np.float32)
    b = rng.standard_normal((SIZES[0], SIZES[1]), dtype=np.float32)
    out = np.empty((512, SIZES[1]), dtype=np.float32)
    rates = []
    with threadpoolctl.threadpool_limits(1, user_api="blas"):
        for _ in range(5):
            start = time.process_time()
            for _ in range(repeats):
                np.matmul(a, b, out=out)
            rates.append(2 * a.shape[0] * a.shape[1] * b.shape[1] * repeats
                         / (time.process_time() - start) / 1e9)
    return statistics.median(rates)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--epochs", type=int, default=5, help="timed epochs per batch size")
    parser.add_argument("--rows", type=int, default=60_000, help="training rows")
    parser.add_argument("--batch-sizes", type=int, nargs="+", default=[32, 128, 512])
    parser.add_argument("--loss", default="sparse_categorical_crossentropy",
                        choices=["sparse_categorical_crossentropy", "categorical_crossentropy"])
    parser.add_argument("--no-keras", action="store_true", help="time nnlib alone")
    parser.add_argument("--threads", help="set OPENBLAS_NUM_THREADS (and, for 1, single-threaded "
                        "XLA) for this run; by default the environment's settings are used")
    args = parser.parse_args(argv)

    load = os.getloadavg()[0]
    if load > (os.cpu_count() or 1):
        print(f"note: load average {load:.1f} on {os.cpu_count()} CPUs: other processes compete "
              "for the cores, so wall-clock times mostly measure scheduling; compare the CPU "
              "times, and try --threads 1 (a multithreaded BLAS slows down badly when cores are "
              "oversubscribed).")
    x, labels = make_data(args.rows)
    y = labels if args.loss.startswith("sparse") else np.eye(SIZES[-1], dtype=np.float32)[labels]
    ceiling_before = matmul_ceiling()
    print(f"{args.rows} rows, {args.epochs} timed epochs per batch size, loss {args.loss}, "
          f"OPENBLAS_NUM_THREADS={os.environ.get('OPENBLAS_NUM_THREADS', 'unset')}, "
          f"XLA_FLAGS={os.environ.get('XLA_FLAGS', '').strip() or 'unset'}, "
          f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f}")
    rows = []
    for batch_size in args.batch_sizes:
        models = {"nnlib": nnlib_model(args.loss, 0)}
        if not args.no_keras:
            models["keras"] = keras_model(args.loss, 0)
        times = {name: [] for name in models}
        for name, model in models.items():
            time_epoch(model, x, y, batch_size)  # warm-up (Keras compiles here)
        for epoch in range(args.epochs):
            order = list(models) if epoch % 2 == 0 else list(reversed(models))
            for name in order:
                times[name].append(time_epoch(models[name], x, y, batch_size))
        medians = {name: statistics.median(t[0] for t in ts) for name, ts in times.items()}
        cpu = {name: statistics.median(t[1] for t in ts) for name, ts in times.items()}
        rows.append((batch_size, medians, cpu, os.getloadavg()[0]))
        print(f"  batch {batch_size}: " + "; ".join(
            f"{name} wall {', '.join(f'{t[0]:.3f}' for t in ts)} s, "
            f"cpu {', '.join(f'{t[1]:.3f}' for t in ts)} s" for name, ts in times.items()),
            flush=True)
    ceiling = max(ceiling_before, matmul_ceiling())

    print()
    print("| batch | nnlib epoch (s) | Keras-JAX epoch (s) | nnlib / Keras | CPU s: nnlib / Keras "
          "| nnlib GFLOP per CPU s | % of matmul ceiling | load average |")
    print("|---|---|---|---|---|---|---|---|")
    for batch_size, medians, cpu, load in rows:
        rate = flops_per_row() * args.rows / cpu["nnlib"] / 1e9
        if "keras" in medians:
            keras_text = f"{medians['keras']:.3f}"
            ratio = f"{medians['nnlib'] / medians['keras']:.2f}"
            cpu_text = f"{cpu['nnlib']:.2f} / {cpu['keras']:.2f} = {cpu['nnlib'] / cpu['keras']:.2f}"
        else:
            keras_text = ratio = cpu_text = "-"
        print(f"| {batch_size} | {medians['nnlib']:.3f} | {keras_text} | {ratio} | {cpu_text} | "
              f"{rate:.0f} | {100 * rate / ceiling:.0f}% | {load:.1f} |")
    print(f"load average at the end: {os.getloadavg()[0]:.1f}")
    print(f"\nnumpy.matmul ceiling (512x784 @ 784x256, float32): {ceiling:.0f} GFLOP per CPU s; "
          f"{flops_per_row() / 1e6:.2f} MFLOP per training row.")


if __name__ == "__main__":
    main()
