"""Plays a spreadsheet user for e2e/workbook.sh with openpyxl, and makes
the bad workbooks (each one a fuzz seed too).

    workbook.py edit IN.xlsx OUT.xlsx      a user's mistakes, one per cell
    workbook.py hidden IN.xlsx OUT.xlsx    a hidden first sheet before the data
    workbook.py title IN.xlsx OUT.xlsx     a merged title row and an empty row above the table
    workbook.py formula IN.xlsx OUT.xlsx   a total as =SUM(...), #REF! elsewhere
    workbook.py where IN.xlsx KEY          "COLUMN-LETTER ROW" of ND's KEY cell
    workbook.py bad DIR                    the bad files, named after their fault
    workbook.py bomb OUT.xlsx              a sheet that unpacks to 300 MB
"""
import datetime
import io
import sys
import zipfile

import openpyxl
from openpyxl.utils import get_column_letter


def find(ws, key, code="ND"):
    col = None
    for c in ws[1]:
        if isinstance(c.value, str) and (c.value == key or c.value.startswith(key + " - ")):
            col = c.column
    row = None
    for r in range(2, ws.max_row + 1):
        if ws.cell(r, 1).value == code:
            row = r
    assert col and row, (key, code)
    return col, row


def main():
    what = sys.argv[1]
    if what == "where":
        ws = openpyxl.load_workbook(sys.argv[2]).active
        col, row = find(ws, sys.argv[3])
        print(get_column_letter(col), row, col)
        return
    if what == "bad":
        bad(sys.argv[2])
        return
    if what == "bomb":
        with zipfile.ZipFile(sys.argv[2], "w", zipfile.ZIP_DEFLATED) as z:
            z.writestr("[Content_Types].xml", "<Types/>")
            z.writestr("xl/workbook.xml", '<workbook><sheets><sheet name="a" r:id="rId1" '
                       'xmlns:r="r"/></sheets></workbook>')
            z.writestr("xl/_rels/workbook.xml.rels", '<Relationships><Relationship '
                       'Id="rId1" Target="worksheets/sheet1.xml"/></Relationships>')
            with z.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as f:
                f.write(b"<worksheet><sheetData>")
                chunk = b" " * (1 << 20)
                for _ in range(300):
                    f.write(chunk)
                f.write(b"</sheetData></worksheet>")
        return
    wb = openpyxl.load_workbook(sys.argv[2])
    ws = wb.active
    if what == "edit":
        col, row = find(ws, "cvip.submissions")
        ws.cell(row, col).value = "28 children"
        col, row = find(ws, "teamhope.supported")
        ws.cell(row, col).value = 8.5
        col, row = find(ws, "mentalhealth.connected")
        ws.cell(row, col).value = -7
        col, row = find(ws, "connect.new_users")
        ws.cell(row, col).value = datetime.date(2023, 1, 30)
        col, row = find(ws, "cybertipline.reports")
        ws.cell(row, col).value = "=1333"  # a formula openpyxl cannot compute
    elif what == "title":
        ws.insert_rows(1, 2)
        ws["A1"] = "NCMEC figures - please fill in by March"
        ws.merge_cells("A1:H1")
    elif what == "hidden":
        notes = wb.create_sheet("notes", 0)
        notes["A1"] = "not the figures"
        notes.sheet_state = "hidden"
    elif what == "formula":
        col, row = find(ws, "Total: missing.cases")
        first = get_column_letter(col + 1)
        last = get_column_letter(col + 3)
        ws.cell(row, col).value = "=SUM(%s%d:%s%d)" % (first, row, last, row)
        if len(sys.argv) > 4 and sys.argv[4] == "ref":
            col, row = find(ws, "cvip.submissions")
            ws.cell(row, col).value = "=#REF!+1"
    wb.save(sys.argv[3])


def bad(d):
    def z(name, entries):
        with zipfile.ZipFile("%s/%s" % (d, name), "w", zipfile.ZIP_DEFLATED) as f:
            for k, v in entries.items():
                f.writestr(k, v)
    z("not-a-workbook.zip", {"readme.txt": "hello"})
    z("word.docx", {"[Content_Types].xml": "<Types/>", "word/document.xml": "<w/>"})
    z("macros.xlsm", {"[Content_Types].xml": "<Types/>", "xl/workbook.xml": "<workbook/>",
                      "xl/vbaProject.bin": "\0" * 64})
    z("text.odt", {"mimetype": "application/vnd.oasis.opendocument.text",
                   "content.xml": "<office:document-content/>"})
    z("no-sheet.xlsx", {"[Content_Types].xml": "<Types/>",
                        "xl/workbook.xml": "<workbook><sheets/></workbook>"})
    z("doctype.xlsx", {"[Content_Types].xml": "<Types/>",
                       "xl/workbook.xml": '<!DOCTYPE w [<!ENTITY e SYSTEM "file:///etc/passwd">]>'
                                          "<workbook>&e;</workbook>"})
    # An OLE2 header, as a legacy .xls starts, and one with an
    # EncryptedPackage stream, as a password-protected .xlsx is.
    ole = b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1" + b"\0" * 504
    open("%s/legacy.xls" % d, "wb").write(ole + b"Workbook".ljust(64, b"\0"))
    open("%s/password.xlsx" % d, "wb").write(ole + "EncryptedPackage".encode("utf-16-le"))
    # One cell of 30,000 characters repeated over 16,000 columns: 480 MB
    # of text from a file of a few hundred bytes.
    cell = ('<table:table-cell table:number-columns-repeated="16000" '
            'office:value-type="string"><text:p>' + "x" * 30000 + "</text:p></table:table-cell>")
    z("repeat-bomb.ods", {"mimetype": "application/vnd.oasis.opendocument.spreadsheet",
                          "content.xml": '<?xml version="1.0"?><office:document-content '
                          'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
                          'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
                          'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0">'
                          '<office:body><office:spreadsheet><table:table table:name="a">'
                          '<table:table-row table:number-rows-repeated="1000000">' + cell +
                          "</table:table-row></table:table></office:spreadsheet>"
                          "</office:body></office:document-content>"})
    with open("%s/truncated.xlsx" % d, "wb") as f:
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zz:
            zz.writestr("[Content_Types].xml", "<Types/>" * 100)
            zz.writestr("xl/workbook.xml", "<workbook/>" * 100)
        f.write(buf.getvalue()[: len(buf.getvalue()) // 2])


main()
