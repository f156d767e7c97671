"""The repository's folders, installed as one import package, ``inkbench``.

``cli/``, ``tui/``, ``storage/``, ``integrations/``, ``server/`` and ``assets/``
stay top-level folders in the repository (each is one layer, easy to find);
installed, each is a subpackage of ``inkbench`` (``inkbench.storage`` ←
``storage/``), so site-packages gets one name and nothing generic. The package
root itself (version, ``python -m inkbench``) is ``src/inkbench/``. Everything
else is declared in ``pyproject.toml``; only the package list, which a static
table cannot derive from a mapping, is computed here.
"""

from setuptools import find_namespace_packages, find_packages, setup

LAYERS = ("cli", "tui", "storage", "integrations", "server", "assets")

packages = ["inkbench"]
package_dir = {"inkbench": "src/inkbench"}
for layer in LAYERS:
    package_dir[f"inkbench.{layer}"] = layer
    packages.append(f"inkbench.{layer}")
    # assets/ is data: its folders are found without __init__.py files
    find = find_namespace_packages if layer == "assets" else find_packages
    packages += [f"inkbench.{layer}.{sub}" for sub in find(layer, exclude=["*__pycache__*"])]

setup(packages=packages, package_dir=package_dir)
