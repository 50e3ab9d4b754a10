#!/usr/bin/env python3
"""Re-create the third-party static files in assets/ from the npm registry.

The dashboard runs on an intranet with no internet, so Bootstrap and the Vietnamese font are
served from assets/ and nothing may point at an outside host. This script
is how those files were made; run it only to upgrade them (needs `npm` and the npm registry):

    python3 tools/build_assets.py            # fetch with `npm pack`, rewrite the files below
    .venv/bin/python tools/check_fonts.py    # then verify glyph coverage and "no external URL"

It writes only these files (the project's own assets, 10_app.css, 20_keyboard.js, ..., are
left alone):

    assets/00_bootstrap.min.css          bootstrap  dist/css/bootstrap.min.css (source-map comment removed)
    assets/vendor/02_fonts.css           generated @font-face rules (fontsource unicode ranges) + body font
    assets/LICENSE-bootstrap.txt         MIT
    assets/fonts/be-vietnam-pro-{latin,latin-ext,vietnamese}-{400,500,600,700}-normal.woff2   (fontsource)
    assets/fonts/be-vietnam-pro-extras-{400,500,600,700}-normal.woff2   the ~40 code points of the full font
        that no fontsource subset has (≤ ≥ ≈ ≠, ‰, superscripts, combining circumflex/breve/horn...),
        cut from the full TTFs with fontTools, so "≥ 95%" is drawn in one font
    assets/fonts/OFL-BeVietnamPro.txt    SIL OFL 1.1

Needs fontTools + brotli (for the extras subset): run it with the project's venv,
`.venv/bin/pip install fonttools brotli` first.
"""
from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ASSETS = ROOT / "assets"
FONTS = ASSETS / "fonts"

# Pinned versions: change here to upgrade.
PACKAGES = {
    "bootstrap": "5.3.8",
    "@fontsource/be-vietnam-pro": "5.3.0",
    "@expo-google-fonts/be-vietnam-pro": "0.4.1",
}
FAMILY = "Be Vietnam Pro"
WEIGHTS = (400, 500, 600, 700)
SUBSETS = ("vietnamese", "latin-ext", "latin")  # fontsource's order: the browser picks by unicode-range
EXPO_TTF = {400: "400Regular/BeVietnamPro_400Regular.ttf", 500: "500Medium/BeVietnamPro_500Medium.ttf",
            600: "600SemiBold/BeVietnamPro_600SemiBold.ttf", 700: "700Bold/BeVietnamPro_700Bold.ttf"}
BODY_FONT_STACK = '"Be Vietnam Pro", "Segoe UI", Arial, sans-serif'

EXTERNAL = re.compile(r"""url\(\s*['"]?\s*(?:https?:)?//|@import""", re.I)


def npm_pack(workdir: Path) -> dict[str, Path]:
    """`npm pack name@version` each package into workdir; return name -> unpacked package dir."""
    out = {}
    for name, version in PACKAGES.items():
        res = subprocess.run(["npm", "pack", "--silent", f"{name}@{version}"], cwd=workdir,
                             check=True, capture_output=True, text=True)
        tgz = workdir / res.stdout.strip().splitlines()[-1]
        dest = workdir / tgz.name.removesuffix(".tgz")
        with tarfile.open(tgz) as tar:
            tar.extractall(dest, filter="data")
        out[name] = dest / "package"
        print(f"  {name}@{version}  ({tgz.name}, {tgz.stat().st_size:,} bytes)")
    return out


def write(path: Path, data: str | bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(data, str):
        path.write_text(data, encoding="utf-8")
    else:
        path.write_bytes(data)
    print(f"  wrote {path.relative_to(ROOT)}  ({path.stat().st_size:,} bytes)")


def build_bootstrap(pkg: Path) -> None:
    css = (pkg / "dist/css/bootstrap.min.css").read_text(encoding="utf-8")
    css = re.sub(r"\s*/\*# sourceMappingURL=[^*]*\*/\s*$", "", css) + "\n"
    write(ASSETS / "00_bootstrap.min.css", css)
    write(ASSETS / "LICENSE-bootstrap.txt", (pkg / "LICENSE").read_bytes())




def unicode_range(cps) -> str:
    """[0x2264, 0x2265, 0x2070] -> 'U+2070,U+2264-2265'"""
    out, cps = [], sorted(cps)
    i = 0
    while i < len(cps):
        j = i
        while j + 1 < len(cps) and cps[j + 1] == cps[j] + 1:
            j += 1
        out.append(f"U+{cps[i]:04X}" if i == j else f"U+{cps[i]:04X}-{cps[j]:04X}")
        i = j + 1
    return ",".join(out)


def extras_subset(ttf: Path, have: set[int], dest: Path) -> list[int]:
    """Write to dest a woff2 of the code points of ttf that are not in `have`; return them."""
    from fontTools import subset
    from fontTools.ttLib import TTFont

    full = TTFont(ttf)
    cps = sorted(cp for cp in full.getBestCmap() if cp not in have and cp > 0x20)
    opts = subset.Options()
    opts.flavor = "woff2"
    opts.layout_features = ["*"]
    sub = subset.Subsetter(opts)
    sub.populate(unicodes=cps)
    sub.subset(full)
    dest.parent.mkdir(parents=True, exist_ok=True)
    full.flavor = "woff2"
    full.save(dest)
    print(f"  wrote {dest.relative_to(ROOT)}  ({dest.stat().st_size:,} bytes, {len(cps)} code points)")
    return cps


def font_face(weight: int, name: str, ranges: str) -> str:
    return ("@font-face {\n"
            f"  font-family: '{FAMILY}';\n"
            "  font-style: normal;\n"
            "  font-display: swap;\n"
            f"  font-weight: {weight};\n"
            f"  src: url(../fonts/{name}) format('woff2');\n"
            f"  unicode-range: {ranges};\n"
            "}")


def build_fonts(fontsource: Path, expo: Path) -> None:
    from fontTools.ttLib import TTFont

    ranges = json.loads((fontsource / "unicode.json").read_text())
    version = json.loads((fontsource / "package.json").read_text())["version"]
    expo_version = json.loads((expo / "package.json").read_text())["version"]
    blocks = [f"/* {FAMILY} (SIL OFL 1.1), from npm @fontsource/be-vietnam-pro {version}: "
              f"{', '.join(sorted(SUBSETS))} subsets, weights {', '.join(map(str, WEIGHTS))},\n"
              f"   plus per weight an 'extras' file: the code points of the full font (npm @expo-google-fonts/"
              f"be-vietnam-pro {expo_version})\n"
              f"   that no fontsource subset has (U+2264/2265/2248/2260 math, U+2030 per mille, superscripts, "
              f"combining marks). "
              f"Generated by tools/build_assets.py\n"
              f"   into assets/vendor/: built from the npm packages, not code of ours (the `duplicates` command "
              f"passes over\n"
              f"   vendor folders; its 16 @font-face rules are alike by nature).\n"
              f"   ../fonts/BeVietnamPro-{{Regular,Bold}}.ttf are the full fonts for non-browser use, "
              f"deliberately not referenced here. */"]
    for w in WEIGHTS:
        have: set[int] = set()
        faces = []
        for s in SUBSETS:
            name = f"be-vietnam-pro-{s}-{w}-normal.woff2"
            write(FONTS / name, (fontsource / "files" / name).read_bytes())
            have |= set(TTFont(FONTS / name).getBestCmap())
            faces.append(font_face(w, name, ranges[s]))
        extra = f"be-vietnam-pro-extras-{w}-normal.woff2"
        cps = extras_subset(expo / EXPO_TTF[w], have, FONTS / extra)
        # declared first = tried last: it only holds what the three subsets lack
        blocks += [font_face(w, extra, unicode_range(cps))] + faces
    blocks.append(f":root {{ --bs-body-font-family: {BODY_FONT_STACK}; }}")
    write(ASSETS / "vendor" / "02_fonts.css", "\n".join(blocks) + "\n")
    write(FONTS / "OFL-BeVietnamPro.txt", (fontsource / "LICENSE").read_bytes())


def main() -> int:
    if not shutil.which("npm"):
        sys.exit("npm not found (apt-get install npm)")
    try:
        import brotli  # noqa: F401
        import fontTools  # noqa: F401
    except ImportError as exc:
        sys.exit(f"{exc.name} missing: run with .venv/bin/python after `.venv/bin/pip install fonttools brotli`")
    with tempfile.TemporaryDirectory() as tmp:
        print("npm pack:")
        pkgs = npm_pack(Path(tmp))
        print("assets:")
        build_bootstrap(pkgs["bootstrap"])
        build_fonts(pkgs["@fontsource/be-vietnam-pro"], pkgs["@expo-google-fonts/be-vietnam-pro"])
    bad = [f"{p.relative_to(ROOT)}:{i}" for p in sorted(ASSETS.rglob("*.css"))
           for i, line in enumerate(p.read_text(encoding="utf-8").splitlines(), 1) if EXTERNAL.search(line)]
    if bad:
        print("external reference (url(http...)/@import) in:", *bad, sep="\n  ")
        return 1
    total = sum(p.stat().st_size for p in ASSETS.rglob("*") if p.is_file())
    print(f"ok: no external url()/@import in assets/*.css; assets/ total {total:,} bytes")
    return 0


if __name__ == "__main__":
    sys.exit(main())
