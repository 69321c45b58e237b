// Loaded on every page (mkdocs.yml extra_javascript, as a module). Material's instant navigation
// swaps page contents without reloading, so mount on each new page (document$), and only load the
// playground or a chapter widget when the page has one.
const mounted = new WeakSet();

async function mountAll() {
  const root = document.getElementById("nn-playground");
  if (root && !mounted.has(root)) {
    mounted.add(root);
    const { mount } = await import("./app.js");
    mount(root);
  }
  for (const el of document.querySelectorAll("[data-nn-widget]")) {
    if (mounted.has(el)) continue;
    mounted.add(el);
    const { mount } = await import(`../widgets/${el.dataset.nnWidget}.js`);
    mount(el);
    el.hidden = false;
  }
}

if (window.document$) window.document$.subscribe(() => { mountAll(); });
else if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", mountAll);
else mountAll();
