"""What an operator installs is what runs: the wheel and the sdist carry everything.

The wheel is built from the sdist (as pip builds one from an sdist), installed
non-editable into a fresh virtualenv, and `warroom demo` runs from an empty directory.
No network: the build uses this venv's setuptools (`--no-build-isolation`) and the fresh
venv borrows this venv's installed dependencies through a `.pth` line. A `.pth` line only
appends a directory to `sys.path`; the editable install's own `.pth` hook in that
directory is not processed, so `bot` can only come from the installed wheel (checked).
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import sysconfig
import tarfile
import tomllib
import venv
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SOURCES = ["pyproject.toml", "README.md", "LICENSE", "MANIFEST.in", "bot", "runbooks"]


def _pyproject() -> dict:  # type: ignore[type-arg]
    return tomllib.loads((ROOT / "pyproject.toml").read_text())


def test_the_package_list_names_every_package_under_bot() -> None:
    listed = set(_pyproject()["tool"]["setuptools"]["packages"])
    on_disk = {
        ".".join(init.parent.relative_to(ROOT).parts)
        for init in (ROOT / "bot").rglob("__init__.py")
        if "__pycache__" not in init.parts
    }
    # The shipped runbooks are the top-level runbooks/ folder, mapped into the package.
    assert listed - {"bot.runbooks.shipped"} == on_disk
    assert _pyproject()["tool"]["setuptools"]["package-dir"]["bot.runbooks.shipped"] == "runbooks"


def test_the_license_is_an_spdx_expression_with_its_file() -> None:
    project = _pyproject()["project"]
    assert project["license"] == "Apache-2.0"
    assert project["license-files"] == ["LICENSE"]
    assert "Apache License" in (ROOT / "LICENSE").read_text()


def _copy_sources(into: Path) -> Path:
    """A clean tree (no .venv, no build/ left over from an earlier build)."""
    tree = into / "src"
    tree.mkdir()
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", "*.egg-info", "*.db")
    for name in SOURCES:
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, tree / name, ignore=ignore)
        else:
            shutil.copy2(source, tree / name)
    return tree


def _run(*args: str | Path, cwd: Path, timeout: int = 300) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(
        [str(a) for a in args], cwd=cwd, capture_output=True, text=True, timeout=timeout
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return result


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """(sdist, wheel built from that sdist)."""
    work = tmp_path_factory.mktemp("build")
    tree = _copy_sources(work)
    dist = work / "dist"
    _run(
        sys.executable,
        "-c",
        "import sys; from setuptools import build_meta as b; b.build_sdist(sys.argv[1])",
        dist,
        cwd=tree,
    )
    (sdist,) = dist.glob("warroom-*.tar.gz")
    unpacked = work / "unpacked"
    with tarfile.open(sdist) as archive:
        archive.extractall(unpacked, filter="data")
    (sdist_tree,) = unpacked.iterdir()
    _run(
        sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation",
        "--wheel-dir", dist, sdist_tree,
        cwd=work,
    )  # fmt: skip
    (wheel,) = dist.glob("warroom-*.whl")
    return sdist, wheel


@pytest.mark.slow
def test_the_sdist_carries_the_runbooks_and_the_license(built: tuple[Path, Path]) -> None:
    sdist, _ = built
    with tarfile.open(sdist) as archive:
        names = {name.split("/", 1)[1] for name in archive.getnames() if "/" in name}
    shipped = {f"runbooks/{p.name}" for p in (ROOT / "runbooks").glob("*.md")}
    assert shipped and shipped <= names
    assert "LICENSE" in names
    assert "bot/export/templates/postmortem.md.j2" in names


@pytest.mark.slow
def test_the_wheel_carries_the_package_data(built: tuple[Path, Path]) -> None:
    _, wheel = built
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
    for runbook in (ROOT / "runbooks").glob("*.md"):
        assert f"bot/runbooks/shipped/{runbook.name}" in names
    assert "bot/export/templates/postmortem.html.j2" in names
    assert any(n.startswith("bot/store/migrations/versions/") for n in names)
    assert any(n.endswith(".dist-info/licenses/LICENSE") for n in names)
    metadata = next(n for n in names if n.endswith(".dist-info/METADATA"))
    with zipfile.ZipFile(wheel) as archive:
        assert "License-Expression: Apache-2.0" in archive.read(metadata).decode()


@pytest.mark.slow
def test_the_installed_wheel_runs_the_demo_from_an_empty_directory(
    built: tuple[Path, Path], tmp_path: Path
) -> None:
    _, wheel = built
    target = tmp_path / "venv"
    venv.EnvBuilder(with_pip=False).create(target)
    python = target / "bin" / "python"
    site = Path(
        _run(python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])",
             cwd=tmp_path).stdout.strip()
    )  # fmt: skip
    (site / "borrowed-deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    _run(
        sys.executable, "-m", "pip", "--python", python, "install", "--no-deps",
        "--no-index", wheel,
        cwd=tmp_path,
    )  # fmt: skip
    empty = tmp_path / "empty"
    empty.mkdir()

    where = _run(python, "-c", "import bot; print(bot.__file__)", cwd=empty).stdout
    assert where.strip().startswith(str(site)), "bot must come from the installed wheel"

    result = _run(target / "bin" / "warroom", "demo", "--out", empty / "out", cwd=empty)

    written = {p.name for p in (empty / "out").iterdir()}
    assert {"INC-1-postmortem.md", "INC-1-postmortem.json", "INC-1-postmortem.html"} <= written, (
        result.stdout[-2000:]
    )
