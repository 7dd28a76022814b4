// read.mjs - read a PDF with PDF.js (pdfjs-dist, pinned in package-lock.json).
//   node read.mjs text FILE     the text of every page, a line per text line
//   node read.mjs struct FILE   the tag tree: one line per element, indented,
//                               "Role: text" for elements holding content
// Exits 1 (with a message) when PDF.js cannot read the file.
import { readFileSync } from "node:fs";

// PDF.js prints warnings about optional rendering modules on the console;
// keep standard output for the text.
const print = (s) => process.stdout.write(s + "\n");
console.log = console.warn = console.info = () => {};
const { getDocument } = await import("pdfjs-dist/legacy/build/pdf.mjs");

const [mode, file] = process.argv.slice(2);
const data = new Uint8Array(readFileSync(file));
const doc = await getDocument({ data, verbosity: 0 }).promise;
const out = [];
for (let n = 1; n <= doc.numPages; n++) {
  const page = await doc.getPage(n);
  if (mode === "text") {
    const tc = await page.getTextContent();
    let line = "";
    for (const it of tc.items) {
      line += it.str;
      if (it.hasEOL) {
        out.push(line);
        line = "";
      }
    }
    if (line) out.push(line);
  } else if (mode === "struct") {
    // The text of each marked-content sequence, by its id.
    const tc = await page.getTextContent({ includeMarkedContent: true });
    const text = new Map();
    const open = [];
    for (const it of tc.items) {
      if (it.type === "beginMarkedContentProps" || it.type === "beginMarkedContent") {
        open.push(it.id ?? null);
      } else if (it.type === "endMarkedContent") {
        open.pop();
      } else if (open.some((id) => id)) {
        // The text belongs to the innermost sequence with an id (a span
        // inside a paragraph has none).  PDF.js drops a space at a line's
        // end and says hasEOL instead.
        const id = open.filter((x) => x).pop();
        text.set(id, (text.get(id) ?? "") + it.str + (it.hasEOL ? " " : ""));
      }
    }
    const tree = await page.getStructTree();
    const walk = (node, depth) => {
      if (node.type === "content") return text.get(node.id) ?? "";
      const kids = node.children ?? [];
      const own = kids.filter((k) => k.type === "content").map((k) => walk(k, 0)).join("");
      const at = out.length;
      out.push("  ".repeat(depth) + node.role + (own ? ": " + own : ""));
      for (const k of kids) if (k.type !== "content") walk(k, depth + 1);
      return at;
    };
    if (!tree) out.push("(no structure tree on page " + n + ")");
    else walk(tree, 0);
  } else {
    process.stderr.write("usage: node read.mjs text|struct FILE\n");
    process.exit(2);
  }
}
print(out.join("\n"));
