"""The repository's folders, installed as one import package, ``inkbench``.

``cli/``, ``tui/``, ``storage/``, ``integrations/``, ``server/`` and ``assets/``
stay top-level folders in the repository (each is one layer, easy to find);
installed, each is a subpackage of ``inkbench`` (``inkbench.storage`` ←
``storage/``), so site-packages gets one name and nothing generic. The package
root itself (version, ``python -m inkbench``) is ``src/inkbench/``. Everything
else is declared in ``pyproject.toml``; only the package list, which a static
table cannot derive from a mapping, is computed here.
"""

from pathlib import Path

from setuptools import find_namespace_packages, find_packages, setup
from setuptools.command.build_py import build_py

LAYERS = ("cli", "tui", "storage", "integrations", "server", "assets")

packages = ["inkbench"]
package_dir = {"inkbench": "src/inkbench"}
for layer in LAYERS:
    package_dir[f"inkbench.{layer}"] = layer
    packages.append(f"inkbench.{layer}")
    # assets/ is data: its folders are found without __init__.py files
    find = find_namespace_packages if layer == "assets" else find_packages
    packages += [f"inkbench.{layer}.{sub}" for sub in find(layer, exclude=["*__pycache__*"])]


class BuildWithCatalogs(build_py):
    """Also compile the translation catalogs (``assets/locale/*/LC_MESSAGES/*.po``)
    into the ``.mo`` files gettext reads, so a wheel ships them compiled. Babel is
    a build requirement (pyproject's ``[build-system]``). In a checkout,
    ``make install`` compiles them beside the ``.po`` files instead."""

    def run(self) -> None:
        super().run()
        from babel.messages.mofile import write_mo
        from babel.messages.pofile import read_po

        for po in sorted(Path("assets", "locale").glob("*/LC_MESSAGES/*.po")):
            target = Path(self.build_lib, "inkbench", *po.with_suffix(".mo").parts)
            target.parent.mkdir(parents=True, exist_ok=True)
            with po.open("rb") as src:
                catalog = read_po(src)
            with target.open("wb") as out:
                write_mo(out, catalog)  # fuzzy entries are left out, as gettext expects


setup(packages=packages, package_dir=package_dir, cmdclass={"build_py": BuildWithCatalogs})
