"""Small throwaway sites that reuse the course's real configuration, hooks, theme overrides and assets.

A scratch site's mkdocs.yml inherits the project's (`INHERIT`) and replaces only the nav, so every build
here goes through exactly the settings the course uses. Relative paths in an inherited config are resolved
from the scratch folder, hence the links to the project's overrides/, tools/, node_modules/ and assets.
"""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import nbformat
import yaml

PROJECT = Path(__file__).resolve().parents[2]
# The site the tests build and check: the course's, unless SITE_TESTS_CONFIG names another mkdocs.yml
# (for example a copy of the tree, to try the tests while a part of the course is still missing).
SITE_CONFIG = Path(os.environ.get("SITE_TESTS_CONFIG", PROJECT / "mkdocs.yml")).resolve()
TREE = SITE_CONFIG.parent
MKDOCS = [sys.executable, "-m", "mkdocs"]


def load_mkdocs_yml(path: Path = SITE_CONFIG) -> dict:
    """The project's mkdocs.yml as data; `!!python/name:` values (Material's emoji settings) become None and
    `!ENV [NAME, default]` values are read from the environment, as MkDocs does."""

    class Loader(yaml.SafeLoader):
        pass

    def env(loader, node):
        names = loader.construct_sequence(node) if isinstance(node, yaml.SequenceNode) else [loader.construct_scalar(node)]
        *variables, default = names if len(names) > 1 else [*names, None]
        return next((os.environ[name] for name in variables if name in os.environ), default)

    Loader.add_multi_constructor("tag:yaml.org,2002:python/", lambda loader, suffix, node: None)
    Loader.add_constructor("!ENV", env)
    data = yaml.load(path.read_text(encoding="utf-8"), Loader=Loader)
    if "INHERIT" in data:  # a scratch site's config: its own keys over its parent's
        data = {**load_mkdocs_yml(path.parent / data.pop("INHERIT")), **data}
    return data


def code(source: str, tags: list[str] | None = None) -> nbformat.NotebookNode:
    cell = nbformat.v4.new_code_cell(source)
    if tags:
        cell.metadata["tags"] = tags
    return cell


def markdown(source: str) -> nbformat.NotebookNode:
    return nbformat.v4.new_markdown_cell(source)


def write_notebook(path: Path, cells: list) -> Path:
    notebook = nbformat.v4.new_notebook(cells=cells)
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    for index, cell in enumerate(notebook.cells):  # stable ids keep the files (and cache keys) deterministic
        cell["id"] = f"cell-{index}"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(notebook, indent=1) + "\n", encoding="utf-8")
    return path


def make_site(folder: Path, pages: dict[str, str | list], nav: list | None = None, link_node_modules: bool = True) -> Path:
    """Create a scratch site in `folder` with `pages` (path under docs/ -> Markdown text or notebook cells).

    Returns the path of its mkdocs.yml. The nav lists the pages in the given order unless `nav` is given.
    """
    docs = folder / "docs"
    docs.mkdir(parents=True, exist_ok=True)
    for name in ("overrides", "tools"):
        _link(folder / name, PROJECT / name)
    if link_node_modules:
        _link(folder / "node_modules", PROJECT / "node_modules")
    _link(docs / "assets", PROJECT / "docs" / "assets")
    (folder / "nnlib").mkdir(exist_ok=True)  # mkdocs.yml watches nnlib/; its sources key the execution cache
    (folder / "nnlib" / "__init__.py").touch()
    for name, content in pages.items():
        path = docs / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, str):
            path.write_text(content, encoding="utf-8")
        else:
            write_notebook(path, content)
    nav = nav if nav is not None else [{_title(name): name} for name in pages]
    config = folder / "mkdocs.yml"
    config.write_text(
        f"INHERIT: {PROJECT / 'mkdocs.yml'}\n" + "nav: " + json.dumps(nav) + "\n", encoding="utf-8"
    )
    return config


@dataclass
class BuildResult:
    returncode: int
    log: str  # every message MkDocs logged, then the error that stopped the build, if any


def build(config: Path, site_dir: Path | None = None) -> BuildResult:
    """`mkdocs build --strict` on a config, in this process (importing MkDocs and Jupyter once per test
    process rather than once per build saves seconds per build). The environment is restored afterwards:
    the hooks set variables for the notebook kernels."""
    from mkdocs.commands.build import build as mkdocs_build
    from mkdocs.config import load_config

    records: list[str] = []

    class Collect(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            records.append(f"{record.levelname}: {record.getMessage()}")

    handler = Collect(logging.INFO)
    mkdocs_logger = logging.getLogger("mkdocs")
    mkdocs_logger.addHandler(handler)
    saved_environ, saved_level = dict(os.environ), mkdocs_logger.level
    mkdocs_logger.setLevel(logging.INFO)
    returncode = 0
    try:
        options = {"site_dir": str(site_dir)} if site_dir else {}
        loaded = load_config(config_file=str(config), strict=True, **options)
        loaded.plugins.on_startup(command="build", dirty=False)
        try:
            mkdocs_build(loaded)
        finally:
            loaded.plugins.on_shutdown()
    except (Exception, SystemExit) as error:  # MkDocs reports a failed build by raising
        records.append(f"ERROR: {type(error).__name__}: {error}")
        returncode = 1
    finally:
        mkdocs_logger.removeHandler(handler)
        mkdocs_logger.setLevel(saved_level)
        os.environ.clear()
        os.environ.update(saved_environ)
    return BuildResult(returncode, "\n".join(records))


def build_cli(config: Path, site_dir: Path | None = None, timeout: int = 900) -> subprocess.CompletedProcess:
    """Run the `mkdocs build --strict` command itself on a config (output in .stdout and .stderr)."""
    command = [*MKDOCS, "build", "--strict", "--config-file", str(config)]
    if site_dir is not None:
        command += ["--site-dir", str(site_dir)]
    env = dict(os.environ, NO_MKDOCS_2_WARNING="1", KERAS_BACKEND="jax")
    env["PATH"] = str(Path(sys.executable).parent) + os.pathsep + env.get("PATH", "")
    return subprocess.run(
        command, cwd=config.parent, env=env, capture_output=True, text=True, timeout=timeout, stdin=subprocess.DEVNULL
    )


def _title(name: str) -> str:
    return Path(name).stem.replace("-", " ").capitalize()


def _link(link: Path, target: Path) -> None:
    if not link.exists() and not link.is_symlink():
        link.symlink_to(target, target_is_directory=True)
