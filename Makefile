# The two commands a new user needs (see README.md):
#   make serve   build the course site and serve it at http://127.0.0.1:8000
#   make test    run every test (what CI runs through .ci/run)
# Both set up everything they need first: a Python >= 3.12 virtual environment with the pinned
# packages, the offline browser assets from npm, and (for tests) Debian's chromium.

VENV      := .venv
BIN       := $(VENV)/bin
STAMP     := $(VENV)/.installed-stamp
ASSETS    := node_modules/.installed-stamp
export PATH := $(CURDIR)/$(BIN):$(PATH)
export NO_MKDOCS_2_WARNING := 1
export KERAS_BACKEND := jax

.PHONY: serve build build-instructors learn pdf test test-fast test-js bench release chromium clean

# Another port when 8000 is taken: make serve PORT=8001
PORT ?= 8000
serve: $(STAMP) $(ASSETS)
	$(BIN)/mkdocs serve --strict --dev-addr 127.0.0.1:$(PORT)

# The site in site/. Publishing it elsewhere: SITE_URL=https://host/path/ make build
# (docs/instructors/publishing.md).
build: $(STAMP) $(ASSETS)
	$(BIN)/mkdocs build --strict

# The same site with the instructor guide (rubrics, grading, publishing) in site-instructors/: for the
# instructors only, never published to learners (the learners' site leaves docs/instructors/ out).
build-instructors: $(STAMP) $(ASSETS)
	INSTRUCTOR=1 $(BIN)/mkdocs build --strict --site-dir site-instructors

# A learner working from a clone: JupyterLab on the exercises, in the course's environment.
learn: $(STAMP)
	$(BIN)/jupyter lab exercises/

# The whole course as one PDF (figures, typeset math, table of contents), printed by headless Chromium
# from the built site: site/downloads/how-neural-networks-work.pdf.
pdf: build chromium
	$(BIN)/python tools/make_pdf.py site site/downloads/how-neural-networks-work.pdf

# Tests run in one worker per core (pytest-xdist); one BLAS thread per worker, since OpenBLAS threads
# that outnumber the cores spin against each other and slow everything down many times over.
test: $(STAMP) $(ASSETS) chromium
	node --test tests/js/
	OPENBLAS_NUM_THREADS=1 $(BIN)/python -m pytest -n auto --dist loadgroup

# The playground's math (nn.js, train.js) against numbers nnlib computed (tests/js/fixtures.json, made by
# tests/js/make_fixtures.py): Node's own test runner, no site build, about a second.
test-js:
	node --test tests/js/

# The maintainers' inner loop for nnlib: its unit tests and doctests, without the ones that import
# real Keras (marked slow; the parity tests in tests/keras run with `make test`). Under a minute.
test-fast: $(STAMP)
	OPENBLAS_NUM_THREADS=1 $(BIN)/python -m pytest -p no:xdist -q -m "not slow" tests/nnlib nnlib

bench: $(STAMP)
	$(BIN)/python benchmarks/bench_mlp.py
	$(BIN)/python benchmarks/bench_grading.py

# Regenerate the learner notebooks in exercises/ from solutions/ (after editing a source notebook), then
# raise the wheel's version if any release's tests changed (nngrade/versioning.py; nothing if none did).
ASSIGNMENTS := perceptron activations losses dense_layer gradient_descent backpropagation training_loop network_from_scratch keras_training capstone
release: $(STAMP)
	for a in $(ASSIGNMENTS); do $(BIN)/nbgrader generate_assignment "$$a" --no-db --force || exit 1; done
	$(BIN)/python -m nngrade.versioning bump

$(STAMP): pyproject.toml constraints.txt
	@test -x $(BIN)/python || "$$(tools/find-python)" -m venv $(VENV)
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[dev]'
	@touch $@

$(ASSETS): package.json
	npm install --no-save
	@touch $@

# Browser tests drive Debian's chromium through Playwright (Playwright cannot download browsers here).
chromium:
	@command -v chromium >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq chromium >/dev/null; \
	  else echo "error: the browser tests need Chromium: run 'sudo apt-get install chromium'" >&2; exit 1; fi; }

clean:
	rm -rf site site-instructors .cache
