"""Draw the Perisai ("shield") app icon with Pillow: resources/icons/perisai.{png,ico}.

The generated files are committed; run this again only to change the design:
    python installer/make_icons.py
"""

from __future__ import annotations

from pathlib import Path

from PIL import Image, ImageDraw

ROOT = Path(__file__).resolve().parents[1]
ICONS = ROOT / "resources" / "icons"
GREEN = (0, 122, 77, 255)  # BPJS Ketenagakerjaan-like green
DARK = (0, 84, 53, 255)
WHITE = (255, 255, 255, 255)
GOLD = (245, 180, 0, 255)


def shield(size: int = 1024) -> Image.Image:
    img = Image.new("RGBA", (size, size), (0, 0, 0, 0))
    d = ImageDraw.Draw(img)
    s = size / 100

    def pts(points):
        return [(x * s, y * s) for x, y in points]

    outline = [(50, 4), (88, 16), (88, 46), (84, 64), (72, 80), (50, 96), (28, 80), (16, 64), (12, 46), (12, 16)]
    inner = [(50, 11), (81, 21), (81, 46), (77.5, 61), (67, 75), (50, 88), (33, 75), (22.5, 61), (19, 46), (19, 21)]
    d.polygon(pts(outline), fill=DARK)
    d.polygon(pts(inner), fill=GREEN)
    # a white check mark: the worker is protected
    d.line(pts([(32, 50), (45, 63), (69, 36)]), fill=WHITE, width=int(9 * s), joint="curve")
    # a gold band at the top of the shield
    d.polygon(pts([(50, 11), (81, 21), (81, 26), (50, 16), (19, 26), (19, 21)]), fill=GOLD)
    return img


def main() -> None:
    ICONS.mkdir(parents=True, exist_ok=True)
    big = shield(1024)
    png = big.resize((256, 256), Image.LANCZOS)
    png.save(ICONS / "perisai.png", optimize=True)
    big.resize((64, 64), Image.LANCZOS).save(ICONS / "perisai-64.png", optimize=True)
    png.save(ICONS / "perisai.ico", sizes=[(16, 16), (24, 24), (32, 32), (48, 48), (64, 64), (128, 128), (256, 256)])
    for p in sorted(ICONS.iterdir()):
        print(f"{p.relative_to(ROOT)}: {p.stat().st_size} bytes")


if __name__ == "__main__":
    main()
