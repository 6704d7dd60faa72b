"""Make Chromium's PDF text copy and search as the characters it shows.

Noto CJK draws some code points with one glyph (the radical ⽰ U+2F70 and 示 U+793A; ⼾ and 户),
and Chromium's PDF writer maps each glyph back to its lowest code point, so copied or searched
text reads 演⽰数据 instead of 演示数据. This rewrites every font's ToUnicode map to the
characters meant (for Simplified Chinese: the one in GB 2312).
"""

from __future__ import annotations

import io
import re
import unicodedata
import zlib
from collections.abc import Iterator
from typing import Any

from pypdf import PdfReader, PdfWriter
from pypdf.generic import DictionaryObject, NameObject, StreamObject

# (code point Chromium writes, character meant): generated from the Noto CJK SC faces (Sans,
# Serif, Mono; Regular, Bold): CJK code points sharing one glyph, the lowest one (what Chromium
# picks) to the one in GB 2312, or for a radical with none, to its ideograph.
_TWIN_PAIRS = (
    "⺂乛⺃乚⺅亻⺇𠘨⺉刂⺋㔾⺍𭕄⺎兀⺏尣⺐尢⺒巳⺓幺⺔彑⺕彐⺖忄⺘扌⺙攵⺛旡⺞歺⺟母⺠民⺡氵⺣灬⺤爫⺦丬"
    "⺨犭⺩𤣩⺫罒⺭礻⺮𥫗⺯糹⺰纟⺱罓⺳㓁⺹耂⺺肀⺽𦥑⺾艹⻁虎⻂衤⻃覀⻅见⻆角⻇𧢲⻈讠⻉贝⻊𧾷⻋车⻌辶⻐钅"
    "⻑長⻒镸⻓长⻔门⻕𨸏⻖阝⻘青⻙韦⻚页⻛风⻜飞⻝食⻞𩙿⻟飠⻠饣⻡𩠐⻢马⻣骨⻤鬼⻥鱼⻦鸟⻧卤⻨麦⻩黄⻪黾"
    "⻫斉⻬齐⻮齿⻯竜⻰龙⻱龜⻲亀⻳龟⼀一⼁丨⼂丶⼃丿⼄乙⼅亅⼆二⼇亠⼈人⼉儿⼊入⼋八⼌冂⼍冖⼎冫⼏几⼐凵"
    "⼑刀⼒力⼓勹⼔匕⼕匚⼖匸⼗十⼘卜⼙卩⼚厂⼛厶⼜又⼝口⼞囗⼟土⼠士⼡夂⼢夊⼣夕⼤大⼥女⼦子⼧宀⼨寸⼩小"
    "⼫尸⼬屮⼭山⼮巛⼯工⼰己⼱巾⼲干⼴广⼵廴⼶廾⼷弋⼸弓⼺彡⼻彳⼼心⼽戈⼾户⼿手⽀支⽁攴⽂文⽃斗⽄斤⽅方"
    "⽆无⽇日⽈曰⽉月⽊木⽋欠⽌止⽍歹⽎殳⽏毋⽐比⽑毛⽒氏⽓气⽔水⽕火⽖爪⽗父⽘爻⽙爿⽚片⽛牙⽜牛⽝犬⽞玄"
    "⽟玉⽠瓜⽡瓦⽢甘⽣生⽤用⽥田⽦疋⽧疒⽨癶⽩白⽪皮⽫皿⽬目⽭矛⽮矢⽯石⽰示⽱禸⽲禾⽳穴⽴立⽵竹⽶米⽷糸"
    "⽸缶⽹网⽺羊⽻羽⽼老⽽而⽾耒⽿耳⾀聿⾁肉⾂臣⾃自⾄至⾅臼⾆舌⾇舛⾈舟⾉艮⾊色⾋艸⾌虍⾍虫⾎血⾏行⾐衣"
    "⾑襾⾒見⾔言⾕谷⾖豆⾗豕⾘豸⾙貝⾚赤⾛走⾜足⾝身⾞車⾟辛⾠辰⾡辵⾢邑⾣酉⾤釆⾥里⾦金⾨門⾩阜⾪隶⾫隹"
    "⾬雨⾭靑⾮非⾯面⾰革⾱韋⾲韭⾳音⾴頁⾵風⾶飛⾸首⾹香⾺馬⾼高⾽髟⾾鬥⾿鬯⿀鬲⿂魚⿃鳥⿄鹵⿅鹿⿆麥⿇麻"
    "⿈黃⿉黍⿊黑⿋黹⿌黽⿍鼎⿎鼓⿏鼠⿐鼻⿑齊⿒齒⿓龍⿕龠㬵胶"
)
TWINS = dict(zip(_TWIN_PAIRS[::2], _TWIN_PAIRS[1::2], strict=True))

_HEX = r"<([0-9A-Fa-f]+)>"
_BFCHAR = re.compile(r"beginbfchar(.*?)endbfchar", re.S)
_BFRANGE = re.compile(r"beginbfrange(.*?)endbfrange", re.S)
_CODESPACE = re.compile(r"begincodespacerange.*?endcodespacerange", re.S)


def ideograph(text: str) -> str:
    out = []
    for ch in text:
        if ch in TWINS:
            ch = TWINS[ch]
        elif "\u2f00" <= ch <= "\u2fdf":  # a Kangxi radical of another face
            ch = unicodedata.normalize("NFKC", ch)
        out.append(ch)
    return "".join(out)


def _decode(hex_text: str) -> str:
    return bytes.fromhex(hex_text).decode("utf-16-be", "replace")


def _encode(text: str) -> str:
    return text.encode("utf-16-be").hex().upper()


def parse_cmap(cmap: str) -> tuple[dict[str, str], int]:
    """Source code (hex) -> text, and the source code width in hex digits."""
    out: dict[str, str] = {}
    width = 4
    for body in _BFCHAR.findall(cmap):
        for src, dst in re.findall(rf"{_HEX}\s*{_HEX}", body):
            out[src.upper()] = _decode(dst)
            width = len(src)
    for body in _BFRANGE.findall(cmap):
        for lo, hi, rest in re.findall(rf"{_HEX}\s*{_HEX}\s*(<[0-9A-Fa-f]+>|\[[^\]]*\])", body):
            width = len(lo)
            start, end = int(lo, 16), int(hi, 16)
            if rest.startswith("["):
                for code, dst in zip(range(start, end + 1), re.findall(_HEX, rest), strict=False):
                    out[f"{code:0{width}X}"] = _decode(dst)
            else:
                first = _decode(rest[1:-1])
                base = ord(first[-1])
                for offset, code in enumerate(range(start, end + 1)):
                    out[f"{code:0{width}X}"] = first[:-1] + chr(base + offset)
    return out, width


def write_cmap(mapping: dict[str, str], codespace: str) -> str:
    lines = [
        "/CIDInit /ProcSet findresource begin",
        "12 dict begin",
        "begincmap",
        "/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def",
        "/CMapName /Adobe-Identity-UCS def",
        "/CMapType 2 def",
        codespace,
    ]
    items = sorted(mapping.items())
    for i in range(0, len(items), 100):
        chunk = items[i : i + 100]
        lines.append(f"{len(chunk)} beginbfchar")
        lines.extend(f"<{src}> <{_encode(dst)}>" for src, dst in chunk)
        lines.append("endbfchar")
    lines += ["endcmap", "CMapName currentdict /CMap defineresource pop", "end", "end"]
    return "\n".join(lines)


def _fix_font(font: DictionaryObject) -> bool:
    if "/ToUnicode" not in font:
        return False
    stream = font["/ToUnicode"].get_object()
    cmap = stream.get_data().decode("latin-1")
    mapping, width = parse_cmap(cmap)
    fixed = {src: ideograph(dst) for src, dst in mapping.items()}
    if fixed == mapping:
        return False
    space = _CODESPACE.search(cmap)
    whole = f"<{'0' * width}> <{'F' * width}>"
    codespace = space.group(0) if space else f"1 begincodespacerange\n{whole}\nendcodespacerange"
    new = StreamObject()
    new.set_data(write_cmap(fixed, codespace).encode("latin-1"))
    font[NameObject("/ToUnicode")] = new
    return True


def _fonts(resources: Any, seen: set[int]) -> Iterator[Any]:
    resources = resources.get_object() if resources is not None else None
    if not resources:
        return
    for ref in (resources.get("/Font") or DictionaryObject()).get_object().values():
        font = ref.get_object()
        if id(font) not in seen:
            seen.add(id(font))
            yield font
    for ref in (resources.get("/XObject") or DictionaryObject()).get_object().values():
        form = ref.get_object()
        if form.get("/Subtype") == "/Form" and id(form) not in seen:
            seen.add(id(form))
            yield from _fonts(form.get("/Resources"), seen)


class _Unexpected(ValueError):
    """The file is not laid out as Chromium writes it (classic xref table, direct stream lengths)."""


_STARTXREF = re.compile(rb"startxref\s+(\d+)\s+%%EOF\s*$")
_TRAILER = re.compile(rb"trailer\s*<<(.*?)>>\s*startxref", re.S)
_STREAM = re.compile(rb"(\d+) 0 obj\s*<<(.*?)>>\s*stream\r?\n", re.S)


def _offsets(data: bytes, xref_at: int) -> dict[int, int]:
    """Object number -> byte offset, from a classic xref table (one or more subsections)."""
    if data[xref_at : xref_at + 4] != b"xref":
        raise _Unexpected("no classic xref table")
    out: dict[int, int] = {}
    lines = iter(data[xref_at + 4 : data.index(b"trailer", xref_at)].split())
    for first, count in zip(lines, lines, strict=False):
        for number in range(int(first), int(first) + int(count)):
            offset, _generation, kind = next(lines), next(lines), next(lines)
            if kind == b"n":
                out[number] = int(offset)
    return out


def _incremental(data: bytes) -> bytes:
    """Append the fixed ToUnicode streams as an incremental update: no full parse, no rewrite."""
    end = _STARTXREF.search(data[-64:])
    trailer = _TRAILER.search(data, max(0, len(data) - 4096))
    if end is None or trailer is None:
        raise _Unexpected("no trailer")
    xref_at = int(end.group(1))
    offsets = _offsets(data, xref_at)
    updates: dict[int, bytes] = {}
    for number in sorted({int(n) for n in re.findall(rb"/ToUnicode (\d+) 0 R", data)}):
        head = _STREAM.match(data, offsets[number])
        if head is None or int(head.group(1)) != number:
            raise _Unexpected("not a stream object")
        length = re.search(rb"/Length (\d+)(?!\s+\d+\s+R)", head.group(2))
        if length is None:
            raise _Unexpected("indirect stream length")
        raw = data[head.end() : head.end() + int(length.group(1))]
        compressed = b"/FlateDecode" in head.group(2)
        cmap = (zlib.decompress(raw) if compressed else raw).decode("latin-1")
        mapping, width = parse_cmap(cmap)
        fixed = {src: ideograph(dst) for src, dst in mapping.items()}
        if fixed != mapping:
            space = _CODESPACE.search(cmap)
            whole = f"<{'0' * width}> <{'F' * width}>"
            codespace = space.group(0) if space else f"1 begincodespacerange\n{whole}\nendcodespacerange"
            updates[number] = zlib.compress(write_cmap(fixed, codespace).encode("latin-1"))
    if not updates:
        return data
    out = bytearray(data if data.endswith(b"\n") else data + b"\n")
    table = []
    for number, body in updates.items():
        table.append(f"{number} 1\n{len(out):010d} 00000 n \n".encode("ascii"))
        out += f"{number} 0 obj\n<</Filter /FlateDecode /Length {len(body)}>> stream\n".encode("ascii")
        out += body + b"\nendstream\nendobj\n"
    size = max([*offsets, *updates]) + 1
    keep = b"".join(m.group(0) + b"\n" for m in re.finditer(rb"/(?:Root|Info) \d+ 0 R", trailer.group(1)))
    new_xref = len(out)
    out += b"xref\n0 1\n0000000000 65535 f \n" + b"".join(table)  # the free-list head, as readers expect
    out += b"trailer\n<</Size " + str(size).encode() + b"\n" + keep + b"/Prev " + str(xref_at).encode() + b">>\n"
    out += b"startxref\n" + str(new_xref).encode() + b"\n%%EOF\n"
    return bytes(out)


def fix_text(data: bytes) -> bytes:
    """The same PDF with ToUnicode maps that give ideographs, not radicals."""
    try:
        return _incremental(data)
    except (_Unexpected, KeyError, ValueError, zlib.error):
        return rewrite(data)


def rewrite(data: bytes) -> bytes:
    """The slow, general way: parse and write the whole file (for a layout _incremental does not know)."""
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(data)))
    seen: set[int] = set()
    changed = False
    for page in writer.pages:
        for font in list(_fonts(page.get("/Resources"), seen)):
            changed |= _fix_font(font)
    if not changed:
        return data
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()
