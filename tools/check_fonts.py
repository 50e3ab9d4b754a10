#!/usr/bin/env python3
"""Check that the fonts shipped in assets/fonts/ can draw every Vietnamese letter.

    .venv/bin/python tools/check_fonts.py            # exit 0 = all good, 1 = a gap, 2 = cannot check
    .venv/bin/python tools/check_fonts.py OTHER_DIR  # check another assets folder

Needs fontTools and brotli (for .woff2): `.venv/bin/pip install fonttools brotli`.

Three checks:
1. Each font file is grouped into a face by (family, weight, style, kind), kind being "web" for
   .woff2/.woff and "ttf" for .ttf/.otf. The union of the cmaps of a face's files must contain
   every character of the sample: all Vietnamese letters, lower and upper case, with every tone
   mark (NFC, precomposed), the combining tone marks (for text typed in decomposed form),
   digits, "%.,", and a few punctuation marks the dashboard prints.
2. What the browser really uses: each @font-face rule of assets/*.css is read (family, weight,
   style, src, unicode-range). A character counts as covered for a (family, weight, style) only
   if some rule's unicode-range contains it and that rule's file has a glyph for it. Every url()
   must point at an existing file under assets/.
3. No css or js in assets/ loads anything from another host (url(http...), url(//...), @import).
"""
from __future__ import annotations

import re
import sys
import unicodedata
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ASSETS = ROOT / "assets"
FONTS = ASSETS / "fonts"
FONT_EXTS = {".woff2": "web", ".woff": "web", ".ttf": "ttf", ".otf": "ttf"}


def vietnamese_sample() -> str:
    vowels = "aăâeêioôơuưy"
    tones = ["", "\u0300", "\u0301", "\u0309", "\u0303", "\u0323"]  # huyền sắc hỏi ngã nặng
    letters = [unicodedata.normalize("NFC", v + t) for v in vowels for t in tones]
    letters += list("bcdđghklmnpqrstvx") + list("fjwz")
    lower = "".join(letters)
    return lower + lower.upper() + "0123456789" + "%.,"


SAMPLE = vietnamese_sample()
COMBINING = "\u0300\u0301\u0303\u0309\u0323\u0302\u0306\u031b"  # tones + circumflex, breve, horn
PUNCT = " :;-–—/()[]+±×·•…‘’“”«»≥≤°€₫"
REQUIRED = SAMPLE + COMBINING + PUNCT
# Spot checks the brief named explicitly; all are in SAMPLE already.
NAMED = "ạảấầẩẫậắằẳẵặẹẻẽếềểễệỉịọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹĐđơư"
assert all(c in SAMPLE for c in NAMED)


def describe(chars, limit: int = 40) -> str:
    chars = sorted(set(chars))
    out = " ".join(f"{c}(U+{ord(c):04X})" for c in chars[:limit])
    return out + (f" ... {len(chars)} in all" if len(chars) > limit else "")


WEIGHT_WORDS = re.compile(r"\s+(Thin|Hairline|ExtraLight|UltraLight|Light|Regular|Book|Medium|SemiBold|DemiBold"
                          r"|Bold|ExtraBold|UltraBold|Black|Heavy)$", re.I)


def load_font(path: Path):
    """(family, weight, style, set of code points) of one font file."""
    from fontTools.ttLib import TTFont

    font = TTFont(path, lazy=True)
    names = font["name"]
    family = names.getDebugName(16)  # typographic family; subsets often lack it: strip "Medium" etc.
    family = str(family) if family else WEIGHT_WORDS.sub("", str(names.getDebugName(1)))
    weight = font["OS/2"].usWeightClass
    italic = bool(font["OS/2"].fsSelection & 1) or bool(font["head"].macStyle & 2)
    cmap = set(font.getBestCmap() or {})
    font.close()
    return family, weight, "italic" if italic else "normal", cmap


def check_files() -> tuple[bool, dict[str, set[int]]]:
    print(f"1. font files in {FONTS}/ grouped by face; {len(REQUIRED)} characters to cover")
    faces: dict[tuple, list[tuple[Path, set[int]]]] = defaultdict(list)
    by_path: dict[str, set[int]] = {}
    for path in sorted(FONTS.iterdir()):
        kind = FONT_EXTS.get(path.suffix.lower())
        if not kind:
            continue
        family, weight, style, cmap = load_font(path)
        faces[(family, weight, style, kind)].append((path, cmap))
        by_path[path.relative_to(ASSETS).as_posix()] = cmap
    if not faces:
        print(f"FAIL no font files in {FONTS}")
        return False, by_path
    ok = True
    for (family, weight, style, kind), files in sorted(faces.items()):
        union = set().union(*(cmap for _, cmap in files))
        if ord("a") not in union:
            print(f"   skip {family!r} ({', '.join(p.name for p, _ in files)}): no Latin letters, an icon font")
            continue
        missing = [c for c in REQUIRED if ord(c) not in union]
        tag = f"{family!r} {weight} {style} [{kind}, {len(files)} file{'s' * (len(files) > 1)}]"
        if missing:
            ok = False
            print(f"   FAIL {tag}: missing {describe(missing)}")
        else:
            print(f"   ok   {tag}")
    return ok, by_path


def parse_ranges(text: str) -> list[tuple[int, int]]:
    out = []
    for part in text.split(","):
        part = part.strip().upper().removeprefix("U+")
        if not part:
            continue
        if "?" in part:
            out.append((int(part.replace("?", "0"), 16), int(part.replace("?", "F"), 16)))
        elif "-" in part:
            lo, hi = part.split("-")
            out.append((int(lo, 16), int(hi, 16)))
        else:
            out.append((int(part, 16), int(part, 16)))
    return out


def font_face_rules():
    for css in sorted(ASSETS.rglob("*.css")):
        text = re.sub(r"/\*.*?\*/", "", css.read_text(encoding="utf-8"), flags=re.S)
        for body in re.findall(r"@font-face\s*{([^}]*)}", text):
            decl = {}
            for item in body.split(";"):
                if ":" in item:
                    key, value = item.split(":", 1)
                    decl[key.strip().lower()] = value.strip()
            yield css, decl


def check_css(by_path: dict[str, set[int]]) -> bool:
    ok = True
    rules: dict[tuple, list[tuple[list, set[int]]]] = defaultdict(list)
    print("2. @font-face rules in assets/*.css (unicode-range and file together)")
    for css, decl in font_face_rules():
        family = decl.get("font-family", "").strip("'\"")
        urls = re.findall(r"""url\(\s*['"]?([^'")]+?)['"]?\s*\)""", decl.get("src", ""))
        cmap: set[int] = set()
        for url in urls:
            rel = url.split("?")[0].split("#")[0]
            target = (css.parent / rel).resolve()
            if not target.is_file():
                ok = False
                print(f"   FAIL {css.name}: {family!r} src {url} -> missing file")
                continue
            key = target.relative_to(ASSETS.resolve()).as_posix()
            if key in by_path:
                cmap |= by_path[key]
        if family == "bootstrap-icons" or not cmap:
            continue  # icon font: only its url is checked
        ranges = parse_ranges(decl.get("unicode-range", "U+0-10FFFF"))
        weight = decl.get("font-weight", "400")
        rules[(family, weight, decl.get("font-style", "normal"))].append((ranges, cmap))
    if not rules:
        print("   FAIL no @font-face rule for a shipped text font")
        return False
    for (family, weight, style), faces in sorted(rules.items()):
        missing = [c for c in REQUIRED
                   if not any(ord(c) in cmap and any(lo <= ord(c) <= hi for lo, hi in ranges)
                              for ranges, cmap in faces)]
        tag = f"{family!r} {weight} {style} [{len(faces)} rules]"
        if missing:
            ok = False
            print(f"   FAIL {tag}: browser would fall back for {describe(missing)}")
        else:
            print(f"   ok   {tag}")
    return ok


EXTERNAL = re.compile(r"""url\(\s*['"]?\s*(?:https?:)?//|@import""", re.I)


def check_external() -> bool:
    bad = []
    for path in sorted(p for p in ASSETS.rglob("*") if p.suffix in (".css", ".js")):
        for i, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if EXTERNAL.search(line):
                bad.append(f"{path}:{i}")
    if bad:
        print("3. FAIL external reference (url(http...) / @import) in:", *bad, sep="\n   ")
        return False
    print("3. ok   no url(http...) / url(//...) / @import in assets/*.css, *.js")
    return True


def main() -> int:
    global ASSETS, FONTS
    if len(sys.argv) > 1:
        ASSETS = Path(sys.argv[1]).resolve()
        FONTS = ASSETS / "fonts"
    try:
        import brotli  # noqa: F401  (fontTools needs it for .woff2)
        import fontTools  # noqa: F401
    except ImportError as exc:
        print(f"cannot check fonts: {exc.name} is not installed (pip install fonttools brotli)")
        return 2
    import logging

    logging.getLogger("fontTools").setLevel(logging.ERROR)  # "extra bytes in post.stringData": harmless
    print(f"sample: {SAMPLE}")
    files_ok, by_path = check_files()
    css_ok = check_css(by_path)
    ext_ok = check_external()
    ok = files_ok and css_ok and ext_ok
    print("PASS" if ok else "FAIL")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
