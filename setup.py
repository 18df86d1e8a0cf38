"""Build hook: an installed `stockplan` carries what its commands read from the project.

`stockplan simulate`, `demo` and `local` build the embedded stack from the SAM template
(infra/template.yaml), run the very handlers it names (functions/, relative to the
template) and `demo` runs scenarios/demo. A wheel copies them into
stockplan_cli/project/, where `stockplan_cli.embedded.project_root` finds them; a source
checkout (and an editable install) uses them where they are. Everything else about the
package is in pyproject.toml.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

ROOT = Path(__file__).resolve().parent
# What the commands need, relative to the project root (and so to the bundled copy).
BUNDLED = ("infra/template.yaml", "functions", "scenarios/demo")
IGNORED = shutil.ignore_patterns("__pycache__", "*.pyc", ".*")


class BuildPyWithProject(build_py):
    def run(self) -> None:
        super().run()
        if getattr(self, "editable_mode", False):
            return  # an editable install reads the checkout itself
        target = Path(self.build_lib) / "stockplan_cli" / "project"
        for relative in BUNDLED:
            source = ROOT / relative
            destination = target / relative
            if not source.exists():
                raise FileNotFoundError(f"{source} is missing: it must ship with the package")
            destination.parent.mkdir(parents=True, exist_ok=True)
            if source.is_dir():
                shutil.copytree(source, destination, ignore=IGNORED, dirs_exist_ok=True)
            else:
                shutil.copy2(source, destination)


setup(cmdclass={"build_py": BuildPyWithProject})
