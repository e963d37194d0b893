"""The package as a user gets it: built, checked as PyPI would, installed into a fresh venv.

Nothing of this repository is on the path of the installed tool: the venv has no system
site-packages, the commands run in a temporary folder, and the handbook they work on is the
one ``tracefacts init`` writes. Its dependencies come from the package index (pip), so this
test measures what a user's ``pip install 'tracefacts[pdf]'`` costs.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tarfile
import time
import zipfile
from pathlib import Path

import pytest
import yaml
from pypdf import PdfReader

REPO = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.slow

# What the wheel must carry besides Python modules: the extension's static files, the label
# catalogs, the PDF stylesheet.
PACKAGE_DATA = (
    "tracefacts/sphinx/static/tracefacts.css",
    "tracefacts/sphinx/static/tracefacts.js",
    "tracefacts/sphinx/static/tracefacts-epub.css",
    "tracefacts/sphinx/locale/tracefacts.pot",
    "tracefacts/sphinx/locale/de/LC_MESSAGES/tracefacts.po",
    "tracefacts/sphinx/locale/de/LC_MESSAGES/tracefacts.mo",
    "tracefacts/pdf/pdf.css",
)


def run(args: list[str | Path], cwd: Path, env: dict[str, str], timeout: float = 900) -> subprocess.CompletedProcess:
    return subprocess.run([str(a) for a in args], cwd=cwd, env=env, capture_output=True, text=True,
                          timeout=timeout)


def said(proc: subprocess.CompletedProcess) -> str:
    return f"exit {proc.returncode}\n--- stdout\n{proc.stdout[-6000:]}\n--- stderr\n{proc.stderr[-6000:]}"


@pytest.fixture(scope="module")
def dist(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """sdist, then the wheel built from the sdist (build's default): a file missing from the
    sdist is missing from the wheel too, so the wheel test covers both."""
    out = tmp_path_factory.mktemp("dist")
    proc = run([sys.executable, "-m", "build", "--outdir", out, REPO], cwd=out, env=dict(os.environ))
    assert proc.returncode == 0, said(proc)
    return out


@pytest.fixture(scope="module")
def venv(dist: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, str]]:
    """A fresh venv (no system site-packages) with the wheel and its ``pdf`` extra, plus pytest."""
    home = tmp_path_factory.mktemp("user")
    (wheel,) = dist.glob("tracefacts-*.whl")
    proc = run([sys.executable, "-m", "venv", home / "venv"], cwd=home, env=dict(os.environ))
    assert proc.returncode == 0, said(proc)
    env = {k: v for k, v in os.environ.items()
           if k not in ("VIRTUAL_ENV", "PYTHONPATH", "PYTHONHOME", "PYTHONSTARTUP")
           and not k.startswith(("PYTEST_", "TRACEFACTS"))}
    env["PATH"] = f"{home / 'venv' / 'bin'}{os.pathsep}{env.get('PATH', '')}"
    env["XDG_CACHE_HOME"] = str(home / "cache")  # the signing key and memo of this user only
    python = home / "venv" / "bin" / "python"
    started = time.monotonic()
    proc = run([python, "-m", "pip", "install", "-q", f"{wheel}[pdf]", "pytest"], cwd=home, env=env, timeout=1800)
    assert proc.returncode == 0, said(proc)
    # The time a user's install takes, printed for the CI log (pytest -s or -rA shows it).
    print(f"pip install tracefacts[pdf] pytest: {time.monotonic() - started:.1f} s")
    return home, env


def test_sdist_and_wheel_pass_twine_check(dist: Path) -> None:
    proc = run([sys.executable, "-m", "twine", "check", "--strict", *sorted(dist.iterdir())], cwd=dist,
               env=dict(os.environ))
    assert proc.returncode == 0, said(proc)
    assert proc.stdout.count("PASSED") == 2, said(proc)


def test_wheel_carries_package_data_and_no_handbook_theme(dist: Path) -> None:
    (wheel,) = dist.glob("tracefacts-*.whl")
    with zipfile.ZipFile(wheel) as zf:
        names = set(zf.namelist())
        (metadata,) = [n for n in names if n.endswith(".dist-info/METADATA")]
        meta = zf.read(metadata).decode()
    missing = [p for p in PACKAGE_DATA if p not in names]
    assert not missing, f"the wheel lacks {missing}"
    templates = sorted(p.relative_to(REPO / "src").as_posix()
                       for p in (REPO / "src/tracefacts/templates").rglob("*")
                       if p.is_file() and "__pycache__" not in p.parts)
    assert not [t for t in templates if t not in names], "the wheel lacks templates of tracefacts init"
    requires = re.findall(r"^Requires-Dist: (.*)$", meta, re.M)
    runtime = [r for r in requires if "extra ==" not in r]
    assert not [r for r in runtime if r.startswith(("furo", "sphinx-design", "sphinx_design"))], runtime
    assert [r for r in requires if r.startswith("furo") and "extra == \"handbook\"" in r], requires
    with tarfile.open(next(dist.glob("tracefacts-*.tar.gz"))) as tf:
        members = {m.split("/", 1)[1] for m in tf.getnames() if "/" in m}
    assert {"README.md", "REFERENCE.md", "pyproject.toml"} <= members


def test_installed_wheel_init_check_build_pytest_pdf(venv: tuple[Path, dict[str, str]]) -> None:
    home, env = venv
    bin_ = home / "venv" / "bin"
    proc = run([bin_ / "python", "-c", "import tracefacts; print(tracefacts.__file__)"], cwd=home, env=env)
    assert proc.returncode == 0 and proc.stdout.startswith(str(home / "venv")), said(proc)

    work = home / "work"
    work.mkdir()
    proc = run([bin_ / "tracefacts", "init", "hb"], cwd=work, env=env)
    assert proc.returncode == 0, "`tracefacts init hb` failed in a fresh install:\n" + said(proc)
    hb = work / "hb"
    assert (hb / "facts/sources.yaml").is_file() and (hb / "docs/conf.py").is_file(), sorted(
        str(p.relative_to(hb)) for p in hb.rglob("*"))

    proc = run([bin_ / "tracefacts", "check", "--strict"], cwd=hb, env=env)
    assert proc.returncode == 0, said(proc)

    proc = run([bin_ / "sphinx-build", "-W", "-b", "html", "docs", "out"], cwd=hb, env=env)
    assert proc.returncode == 0, said(proc)
    assert "warning" not in proc.stderr.lower(), said(proc)
    # Every quote init wrote stands, escaped as HTML shows it, somewhere in the built pages.
    quotes = [q["quote"] for f in sorted((hb / "facts").glob("*.yaml")) if f.name != "sources.yaml"
              for fact in (yaml.safe_load(f.read_text()) or {}).get("facts", []) or []
              for q in fact.get("sources", []) or [] if isinstance(q, dict) and q.get("quote")]
    assert quotes, "init wrote no quoted fact"
    html = " ".join(p.read_text() for p in (hb / "out").rglob("*.html"))
    html = re.sub(r"\s+", " ", html)
    for quote in quotes:
        words = " ".join(quote.split())
        assert words.replace("&", "&amp;").replace("<", "&lt;") in html, quote

    proc = run([bin_ / "python", "-m", "pytest", "--tracefacts", "-p", "no:cacheprovider"], cwd=hb, env=env)
    assert proc.returncode == 0, said(proc)
    assert re.search(r"\b\d+ passed\b", proc.stdout) and " failed" not in proc.stdout, said(proc)

    proc = run([bin_ / "tracefacts", "pdf", "docs", "-o", "briefing.pdf"], cwd=hb, env=env)
    assert proc.returncode == 0, said(proc)
    text = " ".join(" ".join(page.extract_text().split()) for page in PdfReader(hb / "briefing.pdf").pages)
    assert any(" ".join(q.split())[:40] in text for q in quotes), text[:2000]
