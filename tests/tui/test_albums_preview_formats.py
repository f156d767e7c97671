"""The Albums preview decodes HEIC/HEIF and AVIF originals (not only their
JPEG thumbnails), upright, in a process that never imported anything."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pillow_heif
import pytest
from PIL import Image

PREVIEW = """
import json, sys
from pathlib import Path
from inkbench.storage.store import Store
from inkbench.tui.widgets.image_preview import read_preview
picture, meta, _text = read_preview(Store(Path(sys.argv[1])), int(sys.argv[2]))
print(json.dumps({"size": list(picture.size), "meta": meta}))
"""


@pytest.mark.parametrize("fmt", ["HEIF", "AVIF"])
def test_the_preview_shows_the_original_upright(home: Path, tmp_path: Path, fmt: str) -> None:
    from inkbench.integrations.images import import_images
    from inkbench.storage.engine import open_database

    pillow_heif.register_heif_opener()
    exif = Image.Exif()
    exif[0x0112] = 6  # stored landscape, shown portrait
    path = tmp_path / f"photo.{fmt.lower()}"
    Image.new("RGB", (1500, 1000), (90, 140, 200)).save(path, format=fmt, exif=exif.tobytes())
    db = open_database(home)
    image_id = import_images(db, "Phone", [path]).imported[0].id
    db.dispose()

    out = subprocess.run(
        [sys.executable, "-c", PREVIEW, str(home), str(image_id)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert out.returncode == 0, out.stderr
    shown = json.loads(out.stdout)
    # the original scaled to the preview size (the thumbnail is at most 256 pixels)
    assert shown["size"] == [683, 1024]
    assert f"1000×1500 {fmt}" in shown["meta"]
