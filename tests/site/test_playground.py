"""The playground page (docs/playground/) in headless Chromium: offline and quiet, learns XOR, keeps its
state in the URL, exports Python that reproduces it in nnlib (float64) and Keras (float32), takes the
same optimizer steps as nnlib's fit, and is accessible (axe-core, labels, keyboard)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np
import pytest

sys.path.insert(0, str(Path(__file__).parent))  # --import-mode=importlib does not add it

from playground_helpers import WatchedPage, axe_violations, exported_then, run_python  # noqa: E402

pytestmark = pytest.mark.slow


@pytest.fixture
def playground(context, site_url):
    watched = WatchedPage(context, site_url)
    watched.open(site_url + "playground/")
    yield watched.page
    watched.page.close()


def test_page_loads_offline_quietly_and_does_not_autoplay(context, site_url):
    watched = WatchedPage(context, site_url)
    page = watched.open(site_url + "playground/")
    page.wait_for_load_state("networkidle")
    page.wait_for_timeout(300)
    state = page.evaluate("nnPlayground.state()")
    assert state["steps"] == 0, "the playground must not train until asked"
    assert page.get_attribute("[data-pg=play]", "aria-pressed") == "false"
    # every canvas was drawn (not blank)
    blank = page.evaluate("""() => [...document.querySelectorAll('#nn-playground canvas')].filter(c => {
        const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
        for (let k = 3; k < d.length; k += 4) if (d[k]) return false; return true; }).map(c => c.dataset.pg)""")
    assert blank == []
    assert watched.errors == [] and watched.foreign == []
    page.close()


def test_instant_navigation_mounts_the_playground(context, site_url):
    watched = WatchedPage(context, site_url)
    page = watched.open(site_url, ready="() => window.document$")
    page.click("a[href$='playground/']")
    page.wait_for_function("() => window.nnPlayground && document.querySelector('#nn-playground canvas')")
    assert watched.errors == []
    page.close()


def test_summary_reports_test_accuracy_and_loss(playground):
    playground.evaluate("nnPlayground.load('xor-4-tanh')")
    result = playground.evaluate("nnPlayground.train(20)")
    summary = playground.inner_text("[data-pg=summary]")
    assert "Step 20" in summary and "test accuracy" in summary
    assert f"{result['trainLoss']:.4f}" in summary and f"{result['testLoss']:.4f}" in summary
    assert summary in playground.get_attribute("[data-pg=main]", "aria-label")


def test_xor_needs_a_hidden_layer(playground):
    start = playground.evaluate("nnPlayground.load('xor-4-tanh').then(() => nnPlayground.train(0))")
    learned = playground.evaluate("nnPlayground.train(1500)")
    assert learned["trainLoss"] < 0.3 * start["trainLoss"]
    assert learned["trainLoss"] < 0.2
    playground.evaluate("nnPlayground.load('xor-no-hidden')")
    linear = playground.evaluate("nnPlayground.train(1500)")
    assert linear["trainLoss"] > 0.6, "one sigmoid unit cannot separate XOR's quadrants"


def test_training_controls_play_pause_step_reset(playground):
    playground.click("[data-pg=step]")
    assert playground.evaluate("nnPlayground.state()")["steps"] == 1
    playground.click("[data-pg=play]")
    playground.wait_for_function("() => nnPlayground.state().then(s => s.steps > 20)")
    playground.click("[data-pg=play]")
    assert playground.get_attribute("[data-pg=play]", "aria-pressed") == "false"
    paused = playground.evaluate("nnPlayground.state()")["steps"]
    playground.wait_for_timeout(200)
    assert playground.evaluate("nnPlayground.state()")["steps"] == paused
    before = playground.evaluate("nnPlayground.predict([[1, 2]])")
    playground.click("[data-pg=reset]")
    assert playground.evaluate("nnPlayground.state()")["steps"] == 0
    assert playground.evaluate("nnPlayground.predict([[1, 2]])") != before


CONFIG = {"dataset": "spiral", "classes": 3, "noise": 0.25, "ratio": 0.7, "n": 150, "seed": 42,
          "features": ["x1", "x2", "x1sq", "sinx2"], "hidden": [3, 5], "activation": "silu", "learningRate": 0.3,
          "batchSize": "all", "optimizer": "adam", "l1": 0.001, "l2": 0.003, "dropout": 0.2, "init": 2,
          "added": [[1.5, -2.25, 1], [-0.5, 0.125, 2]]}


def test_url_state_round_trips(playground, context, site_url):
    state = playground.evaluate("c => nnPlayground.configure(c)", CONFIG)
    assert state == CONFIG
    url = playground.url
    assert "?" in url
    other = WatchedPage(context, site_url).open(url)
    restored = other.evaluate("nnPlayground.state()")
    assert {k: v for k, v in restored.items() if k != "steps"} == CONFIG
    # same seed, same data and initial weights
    assert other.evaluate("nnPlayground.predict([[0.3, -1.2]])") == playground.evaluate("nnPlayground.reset().then(() => nnPlayground.predict([[0.3, -1.2]]))")
    other.close()


def test_presets_load_from_the_url(context, site_url):
    page = WatchedPage(context, site_url).open(site_url + "playground/?preset=xor-no-hidden")
    state = page.evaluate("nnPlayground.state()")
    assert state["hidden"] == [] and state["dataset"] == "xor"
    page.close()


def test_bad_configuration_is_refused_with_a_clear_message(playground):
    message = playground.evaluate("nnPlayground.configure({hidden: [9]}).then(() => 'accepted', e => e.message)")
    assert "hidden" in message and "[9]" in message and "1 to 8" in message
    message = playground.evaluate("nnPlayground.configure({optimiser: 'sgd'}).then(() => 'accepted', e => e.message)")
    assert "optimiser" in message and "optimizer" in message


def page_points_and_predictions(page):
    header, *csv = page.evaluate("nnPlayground.exportData()").strip().splitlines()
    rows = [dict(zip(header.split(","), line.split(","))) for line in csv]
    test_points = [[float(r["x1"]), float(r.get("x2", 0))] for r in rows if r["split"] == "test"]
    return test_points, page.evaluate("p => nnPlayground.predict(p)", test_points)


MODELS = [
    pytest.param({"dataset": "circles", "hidden": [4], "activation": "tanh", "optimizer": "sgd"}, id="tanh-sgd"),
    pytest.param({"dataset": "moons", "hidden": [6, 5], "activation": "relu", "optimizer": "momentum", "seed": 4,
                  "features": ["x1", "x2", "x1x2", "sinx1"]}, id="relu-momentum-features"),
    pytest.param({"dataset": "spiral", "hidden": [4, 4, 3], "activation": "silu", "optimizer": "adam"}, id="silu-adam"),
    pytest.param({"dataset": "blobs", "hidden": [], "activation": "sigmoid", "optimizer": "sgd"}, id="no-hidden"),
    pytest.param({"dataset": "regression", "hidden": [6], "activation": "sigmoid", "optimizer": "adam",
                  "features": ["x1", "sinx1"]}, id="regression-sigmoid"),
    pytest.param({"dataset": "xor", "hidden": [3], "activation": "linear", "optimizer": "sgd",
                  "features": ["x1", "x2", "x2sq"]}, id="linear"),
    pytest.param({"dataset": "blobs", "classes": 3, "hidden": [5], "activation": "tanh", "optimizer": "adam"}, id="softmax-3"),
    pytest.param({"dataset": "spiral", "classes": 5, "hidden": [8, 8], "activation": "relu", "optimizer": "sgd",
                  "l2": 0.01}, id="softmax-5-l2"),
    pytest.param({"dataset": "moons", "hidden": [6, 4], "activation": "tanh", "optimizer": "momentum", "l1": 0.003,
                  "dropout": 0.3}, id="l1-dropout"),
    pytest.param({"dataset": "regression", "hidden": [6], "activation": "tanh", "optimizer": "adam", "features": ["x1"],
                  "l1": 0.001, "l2": 0.001, "dropout": 0.2}, id="regression-l1l2-dropout"),
]


@pytest.mark.parametrize("config", MODELS)
def test_exported_code_reproduces_the_page(playground, config):
    playground.evaluate("c => nnPlayground.configure(c)", {**config, "learningRate": 0.03, "batchSize": 10})
    playground.evaluate("nnPlayground.train(60)")
    points, predictions = page_points_and_predictions(playground)
    scripts = {kind: playground.evaluate("k => nnPlayground.exportCode(k)", kind) for kind in ("nnlib", "keras")}
    body = """
        assert np.allclose(features(points_test), x_test)
        print(json.dumps({"p": model.predict(features(np.array(POINTS)), verbose=0).ravel().tolist(),
                          "dtype": str(np.asarray(model.get_weights()[0]).dtype)}))
    """.replace("POINTS", json.dumps(points))
    nnlib_out = run_python(exported_then(scripts["nnlib"], body))
    keras_out = run_python(exported_then(scripts["keras"], body))
    assert nnlib_out["dtype"] == "float64" and keras_out["dtype"] == "float32"
    predictions = np.ravel(predictions)  # a softmax output gives one row of probabilities per point
    np.testing.assert_allclose(nnlib_out["p"], predictions, rtol=0, atol=1e-9)
    np.testing.assert_allclose(keras_out["p"], predictions, rtol=0, atol=1e-5)
    # the predictions vary (a constant model would pass the comparison trivially)
    assert np.ptp(predictions) > 1e-3


@pytest.mark.parametrize("optimizer", ["sgd", "momentum", "adam"])
@pytest.mark.parametrize("steps", [1, 3])
@pytest.mark.parametrize("model", [
    pytest.param({"dataset": "moons"}, id="binary"),
    pytest.param({"dataset": "blobs", "classes": 4, "l1": 0.001, "l2": 0.01}, id="softmax-l1l2"),
])
def test_one_full_batch_step_equals_nnlib_fit(playground, optimizer, steps, model):
    playground.evaluate("c => nnPlayground.configure(c)", {
        "hidden": [4, 3], "activation": "tanh", "features": ["x1", "x2", "x1sq"],
        "optimizer": optimizer, "learningRate": 0.3, "batchSize": "all", **model})
    playground.evaluate("nnPlayground.reset()")
    code = playground.evaluate("nnPlayground.exportCode('nnlib')")
    before = playground.evaluate("nnPlayground.exportWeights()")["weights"]
    playground.evaluate(f"nnPlayground.train({steps})")
    after = playground.evaluate("nnPlayground.exportWeights()")["weights"]
    out = run_python(exported_then(code, f"""
        model.fit(x_train, y_train, batch_size=len(x_train), epochs={steps}, shuffle=False, verbose=0)
        print(json.dumps([np.asarray(w).tolist() for w in model.get_weights()]))
    """))
    moved = max(np.max(np.abs(np.array(a) - np.array(b))) for a, b in zip(after, before))
    assert moved > 1e-3, "the step must change the weights for the comparison to mean anything"
    for mine, theirs in zip(after, out):
        np.testing.assert_allclose(mine, theirs, rtol=0, atol=1e-9)


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_axe_finds_no_serious_violation(browser, site_url, scheme):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, color_scheme=scheme)
    page = WatchedPage(context, site_url).open(site_url + "playground/")
    assert page.evaluate("document.body.dataset.mdColorScheme") == ("slate" if scheme == "dark" else "default")
    page.evaluate("nnPlayground.load('xor-4-tanh').then(() => nnPlayground.train(5))")
    page.click("[data-pg=stepper] summary")               # the step-through tables
    page.click("[data-pg=stage-all]")
    page.click("[data-pg-export=nnlib]")  # the export text and download link
    violations = axe_violations(page, ".md-content")
    serious = [v for v in violations if v["impact"] in ("serious", "critical")]
    assert serious == [], json.dumps(serious, indent=1)
    # the second round's parts: five classes' regions, the CSV loader open with a refusal, the
    # divergence alert, the read-outs of the loss curves and of a weight
    page.evaluate("nnPlayground.load('blobs-5-classes').then(() => nnPlayground.train(20))")
    page.click("[data-pg=csv] summary")
    page.evaluate("nnPlayground.loadCsv('a,b\\n1,2')")
    page.focus("[data-pg=network]")
    page.focus("[data-pg=loss]")
    page.evaluate("nnPlayground.load('regression-diverges').then(() => nnPlayground.train(50))")
    assert page.is_visible("[data-pg=alert]") and page.inner_text("[data-pg=csv-message]").startswith("Not loaded")
    violations = axe_violations(page, ".md-content")
    serious = [v for v in violations if v["impact"] in ("serious", "critical")]
    assert serious == [], json.dumps(serious, indent=1)
    context.close()


CONTROLS = "#nn-playground :is(button, select, input, textarea, a[href], canvas[tabindex], summary)"


def test_every_control_is_labelled(playground):
    playground.click("[data-pg=stepper] summary")
    unlabelled = playground.evaluate(f"""() => [...document.querySelectorAll("{CONTROLS}")].filter(el =>
        !((el.labels && el.labels.length) || el.getAttribute('aria-label') || el.textContent.trim())).map(el => el.outerHTML.slice(0, 80))""")
    assert unlabelled == []


def test_every_control_is_reached_and_operated_by_keyboard(playground):
    playground.click("[data-pg=stepper] summary")
    visible = playground.evaluate(f"""() => [...document.querySelectorAll("{CONTROLS}")]
        .filter(el => el.checkVisibility() && !el.disabled).length""")  # checkVisibility: not in a closed <details>
    playground.focus("[data-pg=play]")
    reached = set()
    for _ in range(visible + 5):
        reached.add(playground.evaluate(f"""() => {{ const el = document.activeElement;
            return el.closest('#nn-playground') && el.matches("{CONTROLS}") ? [...document.querySelectorAll("{CONTROLS}")].indexOf(el) : -1; }}"""))
        playground.keyboard.press("Tab")
    reached.discard(-1)
    assert len(reached) == visible
    # operate: Space/Enter on buttons, arrows on selects and ranges, Enter on the plot adds a point
    playground.focus("[data-pg=step]")
    playground.keyboard.press("Enter")
    assert playground.evaluate("nnPlayground.state()")["steps"] == 1
    playground.focus("[data-pg=dataset]")
    playground.keyboard.press("ArrowDown")
    assert playground.evaluate("nnPlayground.state()")["dataset"] == "circles"
    playground.focus("[data-pg=noise]")
    playground.keyboard.press("ArrowRight")
    assert playground.evaluate("nnPlayground.state()")["noise"] == pytest.approx(0.15)
    playground.focus("[data-pg=main]")
    playground.keyboard.press("Enter")
    assert len(playground.evaluate("nnPlayground.state()")["added"]) == 1
    playground.focus("[data-pg=play]")
    playground.keyboard.press("Space")
    assert playground.get_attribute("[data-pg=play]", "aria-pressed") == "true"
    playground.keyboard.press("Space")
    assert playground.get_attribute("[data-pg=play]", "aria-pressed") == "false"


def test_clicking_the_plot_adds_a_training_point(playground):
    box = playground.locator("[data-pg=main]").bounding_box()
    playground.mouse.click(box["x"] + box["width"] * 0.75, box["y"] + box["height"] * 0.25)
    added = playground.evaluate("nnPlayground.state()")["added"]
    assert len(added) == 1
    x1, x2, label = added[0]
    assert x1 == pytest.approx(1.5, abs=0.05) and x2 == pytest.approx(1.5, abs=0.05) and label == 1
    assert "points=" in playground.url


def test_step_through_shows_every_forward_value_and_gradient(playground):
    playground.evaluate("nnPlayground.configure({hidden: [3], batchSize: 'all'})")
    playground.click("[data-pg=stepper] summary")
    text = lambda: playground.inner_text("[data-pg=stages]")  # noqa: E731
    first = text()
    playground.click("[data-pg=stage-next]")
    assert len(text()) > len(first) and "Forward, layer 1" in text()
    playground.click("[data-pg=stage-all]")
    final = text()
    assert "Loss" in final and "Backward, layer 1" in final and "Backward, layer 2" in final
    # 3 hidden units: 3 rows of z and a in layer 1, and gradient rows for each
    assert final.count("Backward, layer") == 2 and final.count("Forward, layer") == 2
    assert "Stage 6 of 6" in final


def test_export_buttons_fill_the_text_and_download_link(playground):
    for kind, needle in [("nnlib", "from nnlib"), ("keras", "import keras"), ("json", '"weights"'), ("csv", "x1,x2,label,split")]:
        playground.click(f"[data-pg-export={kind}]")
        assert needle in playground.input_value("[data-pg=export-text]")
        assert playground.get_attribute("[data-pg=download]", "href").startswith("blob:")


def test_playground_scripts_stay_under_the_budget(site):
    scripts = sorted((site.path / "assets/javascripts/playground").glob("*.js")) + \
        sorted((site.path / "assets/javascripts/widgets").glob("*.js"))
    assert {p.name for p in scripts} >= {"app.js", "boot.js", "nn.js", "data.js", "draw.js", "export.js", "state.js", "rng.js"}
    total = sum(p.stat().st_size for p in scripts)
    assert total < 250_000, f"the playground's scripts total {total} bytes"


def test_scripting_interface_rejects_bad_arguments(playground):
    for call, words in [("nnPlayground.train(-1)", ["steps", "-1"]), ("nnPlayground.predict([[1]])", ["predict", "[x1, x2]"]),
                        ("nnPlayground.exportCode('torch')", ["kind", "torch", "nnlib", "keras"]),
                        ("nnPlayground.load('nope')", ["preset", "nope", "xor-4-tanh"]),
                        ("nnPlayground.configure({activation: 'gelu'})", ["activation", "gelu", "relu"])]:
        message = playground.evaluate(f"{call}.then(() => 'accepted', e => e.message)")
        assert all(w in message for w in words), (call, message)


def test_each_control_changes_the_configuration_and_the_url(playground):
    state = lambda: playground.evaluate("nnPlayground.state()")  # noqa: E731
    playground.select_option("[data-pg=preset]", "xor-no-hidden")
    assert state()["hidden"] == [] and "hidden=&" in playground.url + "&"
    playground.fill("[data-pg=layers]", "2")
    playground.dispatch_event("[data-pg=layers]", "change")
    assert state()["hidden"] == [4, 4]
    playground.fill("[data-pg-units='1']", "7")
    playground.dispatch_event("[data-pg-units='1']", "change")
    assert state()["hidden"] == [4, 7] and "hidden=4%2C7" in playground.url
    playground.select_option("[data-pg=activation]", "silu")
    playground.check("[data-pg-feature=x1x2]")
    playground.select_option("[data-pg=learningRate]", "0.3")
    playground.select_option("[data-pg=batchSize]", "all")
    playground.select_option("[data-pg=optimizer]", "momentum")
    playground.fill("[data-pg=seed]", "9")
    playground.dispatch_event("[data-pg=seed]", "change")
    playground.fill("[data-pg=n]", "120")
    playground.dispatch_event("[data-pg=n]", "change")
    s = state()
    assert (s["activation"], s["features"], s["learningRate"], s["batchSize"], s["optimizer"], s["seed"], s["n"]) == \
        ("silu", ["x1", "x2", "x1x2"], 0.3, "all", "momentum", 9, 120)
    # the data follow n and the training share
    assert playground.evaluate("nnPlayground.exportData()").count("\n") == 1 + 120
    # training settings keep the weights; a new activation rebuilds them
    playground.evaluate("nnPlayground.train(5)")
    playground.select_option("[data-pg=learningRate]", "0.1")
    assert state()["steps"] == 5
    playground.select_option("[data-pg=activation]", "relu")
    assert state()["steps"] == 0
    # the last feature cannot be switched off (the network needs an input)
    playground.uncheck("[data-pg-feature=x1]")
    playground.uncheck("[data-pg-feature=x2]")
    assert state()["features"] == ["x1x2"]
    playground.click("[data-pg-feature=x1x2]")
    assert state()["features"] == ["x1x2"] and playground.is_checked("[data-pg-feature=x1x2]")
    # regression: the features of x2 are off, the class selector is disabled, clicking sets y
    playground.select_option("[data-pg=dataset]", "regression")
    s = state()
    assert s["features"] == ["x1"] and playground.is_disabled("[data-pg=add-class]")
    assert "linear unit" in playground.inner_text("[data-pg=output-note]")
    box = playground.locator("[data-pg=main]").bounding_box()
    playground.mouse.click(box["x"] + box["width"] * 0.5, box["y"] + box["height"] * 0.25)
    x1, x2, y = state()["added"][-1]
    assert x1 == pytest.approx(0, abs=0.05) and x2 == 0 and y == pytest.approx(1.5, abs=0.05)


def test_step_through_gradients_equal_nnlib_for_that_example(playground):
    playground.evaluate("nnPlayground.configure({dataset: 'circles', hidden: [3, 2], activation: 'tanh'})")
    playground.evaluate("nnPlayground.train(30)")
    code = playground.evaluate("nnPlayground.exportCode('nnlib')")
    playground.click("[data-pg=stepper] summary")
    playground.fill("[data-pg=example]", "2")
    playground.dispatch_event("[data-pg=example]", "change")
    playground.click("[data-pg=stage-all]")
    shown = {}
    for table in playground.locator("[data-pg=stages] table").all():
        caption = table.locator("caption").inner_text()
        if caption.startswith("Backward, layer"):
            layer = int(caption.split()[2].rstrip(":"))
            rows = [[td.inner_text() for td in tr.locator("td").all()] for tr in table.locator("tbody tr").all()]
            shown[layer] = {"bias": [float(r[3]) for r in rows], "kernel": [[float(v) for v in r[4].split(", ")] for r in rows]}
    # nnlib: one SGD step with learning rate 1 on that one example moves each weight by minus its gradient
    out = run_python(exported_then(code, """
        from nnlib.optimizers import SGD
        model.compile(optimizer=SGD(learning_rate=1.0), loss="binary_crossentropy")
        before = [np.array(w) for w in model.get_weights()]
        model.fit(x_train[2:3], y_train[2:3], batch_size=1, epochs=1, shuffle=False, verbose=0)
        print(json.dumps([(b - np.array(a)).tolist() for b, a in zip(before, model.get_weights())]))
    """))
    assert sorted(shown) == [1, 2, 3]
    for layer, values in shown.items():
        kernel, bias = np.array(out[2 * layer - 2]), np.array(out[2 * layer - 1])
        np.testing.assert_allclose(values["bias"], bias, atol=5e-5, rtol=1e-3)
        np.testing.assert_allclose(np.array(values["kernel"]), kernel.T, atol=5e-5, rtol=1e-3)


def test_loss_curves_follow_training(playground):
    playground.evaluate("nnPlayground.load('xor-4-tanh').then(() => nnPlayground.train(400))")
    history = playground.evaluate("nnPlayground.lossHistory()")
    steps = [h["step"] for h in history]
    assert steps[0] == 0 and steps[-1] == 400 and len(steps) == 21 and steps == sorted(steps)
    assert history[-1]["train"] < history[len(history) // 2]["train"] < history[0]["train"]


# --- Playground 2: classes, regularisation, divergence, resets, read-outs ------------------------------


def test_three_to_five_classes_train_a_softmax_and_colour_the_regions_per_class(playground):
    state = playground.evaluate("nnPlayground.load('blobs-3-softmax')")
    assert state["classes"] == 3
    result = playground.evaluate("nnPlayground.train(300)")
    summary = playground.inner_text("[data-pg=summary]")
    assert "categorical cross-entropy" in summary and "test accuracy" in summary
    assert result["trainLoss"] < 0.2
    assert "softmax unit per class" in playground.inner_text("[data-pg=output-note]")
    rows = playground.evaluate("nnPlayground.predict([[0, 0], [1.2, 1.2], [-1.2, 1.2]])")
    assert all(len(r) == 3 and abs(sum(r) - 1) < 1e-12 for r in rows)
    # the plot's pixels take each class's colour (blue, orange, green) somewhere
    hues = playground.evaluate("""() => { const c = document.querySelector('[data-pg=main]');
        const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data; const seen = new Set();
        for (let k = 0; k < d.length; k += 4 * 97) { const [r, g, b] = [d[k], d[k + 1], d[k + 2]];
          if (b > r + 40 && b > g) seen.add('blue'); if (r > b + 60 && r > g) seen.add('orange'); if (g > r + 30 && g > b) seen.add('green'); }
        return [...seen].sort(); }""")
    assert hues == ["blue", "green", "orange"]
    playground.select_option("[data-pg=classes]", "5")
    assert playground.evaluate("nnPlayground.state()")["classes"] == 5
    assert len(playground.evaluate("nnPlayground.predict([[0, 0]])")[0]) == 5
    assert playground.locator("[data-pg=add-class] option").count() == 5


def test_regularisation_term_is_shown_apart_and_the_preset_closes_the_gap(playground):
    gaps = {}
    for preset in ("moons-overfit", "moons-overfit-l2"):
        playground.evaluate("p => nnPlayground.load(p)", preset)
        result = playground.evaluate("nnPlayground.train(1000)")
        gaps[preset] = result["testLoss"] - result["trainLoss"]
    assert gaps["moons-overfit"] > 0.8 and gaps["moons-overfit-l2"] < 0.3 * gaps["moons-overfit"], gaps
    summary = playground.inner_text("[data-pg=summary]")
    assert f"plus regularisation term {result['penalty']:.4f}" in summary and f"training loss {result['trainLoss']:.4f}" in summary
    history = playground.evaluate("nnPlayground.lossHistory()")
    assert all(h["penalty"] > 0 for h in history)
    playground.select_option("[data-pg=dropout]", "0.3")
    state = playground.evaluate("nnPlayground.state()")
    assert state["dropout"] == 0.3 and state["steps"] == 1000, "regularisation settings keep the weights"
    assert "dropout=0.3" in playground.url and "l2=0.01" in playground.url


def test_a_loss_that_overflows_stops_training_says_why_and_reset_recovers(playground):
    playground.evaluate("nnPlayground.load('regression-diverges')")
    playground.click("[data-pg=play]")
    playground.wait_for_selector("[data-pg=alert]:not([hidden])")
    alert = playground.inner_text("[data-pg=alert]")
    assert alert.startswith("Training stopped at step") and "learning rate 3 is too large" in alert
    assert "smaller learning rate" in alert and "Reset" in alert
    assert playground.get_attribute("[data-pg=alert]", "role") == "alert"
    playground.wait_for_function("() => document.querySelector('[data-pg=play]').getAttribute('aria-pressed') === 'false'")
    stopped = playground.evaluate("nnPlayground.state()")["steps"]
    playground.click("[data-pg=step]")
    assert playground.evaluate("nnPlayground.state()")["steps"] == stopped, "no step after the loss overflowed"
    playground.click("[data-pg=reset]")
    assert playground.is_hidden("[data-pg=alert]")
    assert playground.evaluate("nnPlayground.state()")["steps"] == 0
    playground.select_option("[data-pg=learningRate]", "0.01")
    result = playground.evaluate("nnPlayground.train(200)")
    assert result["diverged"] is None and result["trainLoss"] < playground.evaluate("nnPlayground.lossHistory()")[0]["train"]


def test_reset_keeps_the_initial_weights_and_new_weights_draws_others(playground):
    playground.evaluate("nnPlayground.load('xor-4-tanh')")
    initial = playground.evaluate("nnPlayground.exportWeights()")["weights"]
    playground.evaluate("nnPlayground.train(50)")
    playground.click("[data-pg=reset]")
    assert playground.evaluate("nnPlayground.exportWeights()")["weights"] == initial
    playground.click("[data-pg=new-weights]")
    state = playground.evaluate("nnPlayground.state()")
    assert state["init"] == 1 and state["steps"] == 0 and "init=1" in playground.url
    drawn = playground.evaluate("nnPlayground.exportWeights()")["weights"]
    assert drawn != initial
    playground.evaluate("nnPlayground.train(20)")
    playground.click("[data-pg=reset]")
    assert playground.evaluate("nnPlayground.exportWeights()")["weights"] == drawn


def test_loss_curves_show_their_values_on_hover_and_keyboard_focus(playground):
    playground.evaluate("nnPlayground.load('xor-4-tanh').then(() => nnPlayground.train(400))")
    history = playground.evaluate("nnPlayground.lossHistory()")
    playground.locator("[data-pg=loss]").scroll_into_view_if_needed()
    box = playground.locator("[data-pg=loss]").bounding_box()
    playground.mouse.move(box["x"] + 2, box["y"] + box["height"] / 2)
    first = history[0]
    assert playground.inner_text("[data-pg=loss-readout]") == \
        f"Step 0: training loss {first['train']:.4f}, test loss {first['test']:.4f}."
    playground.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    assert "Step 200:" in playground.inner_text("[data-pg=loss-readout]")
    playground.mouse.move(0, 0)
    playground.focus("[data-pg=step]")
    playground.keyboard.press("Tab")  # ... to the loss curves, by keyboard only
    while playground.evaluate("document.activeElement.dataset.pg") != "loss":
        playground.keyboard.press("Tab")
    last = history[-1]
    assert playground.inner_text("[data-pg=loss-readout]").startswith(f"Step 400: training loss {last['train']:.4f}")
    playground.keyboard.press("ArrowLeft")
    assert playground.inner_text("[data-pg=loss-readout]").startswith(f"Step {history[-2]['step']}:")
    playground.keyboard.press("Home")
    assert playground.inner_text("[data-pg=loss-readout]").startswith("Step 0:")
    assert playground.get_attribute("[data-pg=loss-readout]", "aria-live") == "polite"


def test_network_diagram_reads_each_weight_live_on_hover_and_focus(playground):
    playground.evaluate("nnPlayground.configure({dataset: 'xor', hidden: [2], features: ['x1', 'x2']})")
    weights = lambda: playground.evaluate("nnPlayground.exportWeights()")["weights"]  # noqa: E731
    playground.focus("[data-pg=network]")
    w = weights()[0][0][0]
    assert playground.inner_text("[data-pg=weight-readout]") == \
        f"Weight from x1 to unit 1 of hidden layer 1: {'+' if w >= 0 else ''}{w:.4f} ({'positive' if w >= 0 else 'negative'})."
    playground.keyboard.press("ArrowRight")
    assert playground.inner_text("[data-pg=weight-readout]").startswith("Weight from x1 to unit 2 of hidden layer 1")
    playground.keyboard.press("ArrowRight")
    playground.keyboard.press("ArrowRight")
    playground.keyboard.press("ArrowRight")  # the fifth weight: the first of the output layer
    w = weights()[2][0][0]
    assert playground.inner_text("[data-pg=weight-readout]").startswith(f"Weight from unit 1 of hidden layer 1 to output unit 1: {'+' if w >= 0 else ''}{w:.4f}")
    playground.evaluate("nnPlayground.train(30)")  # live: the read-out follows training
    w = weights()[2][0][0]
    assert f"{w:.4f}" in playground.inner_text("[data-pg=weight-readout]")
    # hover: the middle of the first edge (x1 -> hidden unit 1)
    playground.locator("[data-pg=export-text]").focus()
    playground.locator("[data-pg=network]").scroll_into_view_if_needed()
    edge = playground.evaluate("""() => { const c = document.querySelector('[data-pg=network]'), b = c.getBoundingClientRect();
        const box = 30, W = c.width, H = c.height, x0 = 20 + box, y0 = 8 + 0.5 * (H - 16) / 2, x1 = 20 + (W - 40 - box) / 2, y1 = 8 + 0.5 * (H - 16) / 2;
        return [b.left + (x0 + x1) / 2 * b.width / W, b.top + (y0 + y1) / 2 * b.height / H]; }""")
    playground.mouse.move(*edge)
    assert playground.inner_text("[data-pg=weight-readout]").startswith("Weight from x1 to unit 1 of hidden layer 1")
