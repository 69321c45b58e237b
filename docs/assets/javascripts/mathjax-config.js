// MathJax 4 settings for the course site. Loaded before assets/mathjax/startup.js (see mkdocs.yml),
// which loads the components named below (the TeX input, the CHTML output and its font, the menu and
// assistive MathML) and nothing else until a reader asks for it.
// pymdownx.arithmatex (generic) wraps every formula in an element of class "arithmatex", in Markdown
// pages and in notebook Markdown cells alike; LaTeX outputs of notebook cells (IPython's Math) are
// "jp-RenderedLatex". MathJax only looks inside those.
(() => {
  let resolveLoaded;
  const loaded = new Promise(resolve => { resolveLoaded = resolve; });

  window.MathJax = {
    loader: {
      // MathJax 4 fetches its font from a CDN unless told otherwise: the build copies the font
      // beside MathJax, and "[mathjax]" is the folder MathJax itself was loaded from.
      paths: { fonts: "[mathjax]/fonts" },
      load: ["input/tex", "output/chtml", "ui/menu", "a11y/assistive-mml"],
    },
    tex: {
      inlineMath: [["\\(", "\\)"]],
      displayMath: [["\\[", "\\]"]],
      processEscapes: true,
      processEnvironments: true,
      tags: "ams",
    },
    options: {
      ignoreHtmlClass: ".*|",
      processHtmlClass: "arithmatex|jp-RenderedLatex",
      // Semantic enrichment, speech and Braille (the explorer, the speech worker and ~1.2 MB of rule
      // files) load on demand, when a reader turns them on in MathJax's menu
      // (right-click or Shift+Space on a formula: Accessibility); the menu remembers the choice.
      // Assistive MathML, hidden in the page and read by screen readers, stays on for every formula
      // and costs 4 kB.
      menuOptions: {
        settings: {
          enrich: false,
          speech: false,
          braille: false,
          assistiveMml: true,
        },
      },
    },
    startup: {
      typeset: false, // the document$ subscription below typesets every page, the first one included
      pageReady() {
        return MathJax.startup.defaultPageReady().then(resolveLoaded);
      },
    },
  };

  // Material's instant navigation swaps the page content without reloading: typeset each new page.
  const typeset = () => loaded.then(() => {
    MathJax.startup.output.clearCache();
    MathJax.typesetClear();
    MathJax.texReset();
    return MathJax.typesetPromise();
  }).catch(error => console.error("MathJax could not typeset this page:", error));

  if (typeof document$ !== "undefined") {
    document$.subscribe(typeset);
  } else {
    document.addEventListener("DOMContentLoaded", typeset, { once: true });
  }
})();
