// Loaded on every page (mkdocs.yml extra_javascript, as a module). Material's instant navigation
// swaps page contents without reloading, so mount on each new page (document$), and only load the
// playground or a chapter widget when the page has one.
//
// Embedding a small playground in a chapter: a Markdown cell with
//   <div class="nn-embed" data-config="preset=xor-4-tanh&hide=data,features" aria-label="...">
//   (fallback text and a link to the full playground)</div>
// data-config is the playground page's query string (settings, preset=, hide=); the playground is
// added below the element's own content (an introduction and a link), which is all that shows when
// scripts do not run; the chapter's static figure above it stays as well. tools/playground_cells.py
// writes these cells.
const mounted = new WeakSet();

async function mountAll() {
  const root = document.getElementById("nn-playground");
  if (root && !mounted.has(root)) {
    mounted.add(root);
    const { mount } = await import("./app.js");
    mount(root);
  }
  for (const el of document.querySelectorAll(".nn-embed[data-config]")) {
    if (mounted.has(el)) continue;
    mounted.add(el);
    const { mount } = await import("./app.js");
    const host = document.createElement("div"); // below the cell's introduction, which stays
    host.className = "nn-playground";
    el.append(host);
    el.nnPlayground = mount(host, { query: el.dataset.config, embedded: true });
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
