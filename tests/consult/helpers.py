"""Tiny generated consultations for Consult's unit tests."""

from __future__ import annotations

import csv
import zipfile
from pathlib import Path

from consult.importing import build_question
from consult.responses import Question

TOPICS = {
    "cost": "The cost of parking permits is far too high for families on low incomes.",
    "buses": "Bus services are unreliable and routes to the hospital were cut last year.",
    "cycling": "Cycle lanes on the high street would make cycling safer for children.",
}


def topical_answers(per_topic: int = 6) -> list[tuple[str, str]]:
    """(id, answer) pairs: ``per_topic`` variants of each topic sentence, ids r1, r2, ..."""
    pairs = []
    for n in range(per_topic):
        for topic, sentence in TOPICS.items():
            pairs.append((f"r{len(pairs) + 1}", f"{sentence} {topic} point {n}."))
    return pairs


def topical_question(per_topic: int = 6) -> Question:
    """A question whose answers fall into three clear topics."""
    return build_question("q1", "Do you agree with the transport plan?", topical_answers(per_topic))


def write_csv(
    path: Path, header: list[str], rows: list[list[str]], encoding: str = "utf-8"
) -> Path:
    """Write a CSV file and return its path."""
    with path.open("w", encoding=encoding, newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)
    return path


_POOLS = (
    ("permits", "parking", "cost", "families", "price", "charges"),
    ("buses", "routes", "hospital", "timetable", "late", "drivers"),
    ("cycling", "lanes", "children", "safer", "bikes", "school"),
    ("pavements", "wheelchair", "kerbs", "blocked", "walking", "prams"),
)


def mixed_answers(n: int = 48, seed: int = 3) -> list[tuple[str, str]]:
    """(id, answer) pairs mixing words of two topics in varying measure: themes that overlap,
    as real answers do, so mappings are not clear-cut (ids m1, m2, ...)."""
    import random

    rng = random.Random(seed)
    pairs = []
    for n_ in range(n):
        main, other = rng.sample(range(len(_POOLS)), 2)
        words = rng.choices(_POOLS[main], k=rng.randint(3, 6))
        words += rng.choices(_POOLS[other], k=rng.randint(1, 4))
        rng.shuffle(words)
        pairs.append((f"m{n_ + 1}", " ".join(words).capitalize() + "."))
    return pairs


def mixed_question(n: int = 48, seed: int = 3) -> Question:
    """A question whose answers overlap several topics (see ``mixed_answers``)."""
    return build_question("q1", "Do you agree with the transport plan?", mixed_answers(n, seed))


SPREADSHEET_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_DOC = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG = "http://schemas.openxmlformats.org/package/2006/relationships"
_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml"


def hand_built_workbook(path: Path, *, cells: str, strings: str,
                        table: str = "xl/sharedStrings.xml", linked: bool = False,
                        compresslevel: int | None = None) -> Path:
    """A one-sheet XLSX written part by part (openpyxl cannot write the odd shapes tests need):
    ``cells`` is the sheet's <sheetData> content, ``strings`` the whole shared-string part,
    stored as ``table`` and, when ``linked``, named in the workbook's relationships too."""
    link = (f'<Relationship Id="rId2" Type="{_DOC}/sharedStrings" Target="sharedStrings.xml"/>'
            if linked else "")
    parts = {
        "[Content_Types].xml": '<Types xmlns="http://schemas.openxmlformats.org/package/2006/'
        'content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-'
        'package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
        f'<Override PartName="/xl/workbook.xml" ContentType="{_TYPE}.sheet.main+xml"/>'
        f'<Override PartName="/xl/worksheets/sheet1.xml" ContentType="{_TYPE}.worksheet+xml"/>'
        f'<Override PartName="/{table}" ContentType="{_TYPE}.sharedStrings+xml"/></Types>',
        "_rels/.rels": f'<Relationships xmlns="{_PKG}"><Relationship Id="rId1" '
        f'Type="{_DOC}/officeDocument" Target="xl/workbook.xml"/></Relationships>',
        "xl/workbook.xml": f'<workbook xmlns="{SPREADSHEET_MAIN}" xmlns:r="{_DOC}"><sheets><sheet '
        'name="Answers" sheetId="1" r:id="rId1"/></sheets></workbook>',
        "xl/_rels/workbook.xml.rels": f'<Relationships xmlns="{_PKG}"><Relationship Id="rId1" '
        f'Type="{_DOC}/worksheet" Target="worksheets/sheet1.xml"/>{link}</Relationships>',
        "xl/worksheets/sheet1.xml": f'<worksheet xmlns="{SPREADSHEET_MAIN}"><sheetData>{cells}'
        "</sheetData></worksheet>",
        table: strings,
    }
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=compresslevel) as zipped:
        for name, text in parts.items():
            zipped.writestr(name, '<?xml version="1.0"?>' + text)
    return path
