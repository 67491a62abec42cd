// Parses Mermaid files with the mermaid package's own parser, under node, with no browser, and
// prints what it read as JSON: the diagram type, the participants and the messages/notes.
// Exits 1 on the first file that does not parse.
//
// mermaid sanitises labels with DOMPurify for the DOM; without a window DOMPurify has none of
// its functions, and parsing does not need them, so they get no-op stand-ins.
import DOMPurify from 'dompurify';
import { readFileSync } from 'node:fs';

for (const name of ['addHook', 'removeHook', 'removeHooks', 'removeAllHooks', 'setConfig', 'clearConfig']) {
  if (typeof DOMPurify[name] !== 'function') DOMPurify[name] = () => {};
}
if (typeof DOMPurify.sanitize !== 'function') DOMPurify.sanitize = (text) => String(text);
const { default: mermaid } = await import('mermaid');

// mermaid keeps entity codes (`#59;`) as placeholders until it draws; decode them as it does.
const decode = (text) => String(text).replace(/ﬂ°°(\d+)¶ß/g, (_, code) => String.fromCodePoint(Number(code)));

for (const file of process.argv.slice(2)) {
  const text = readFileSync(file, 'utf8');
  try {
    const parsed = await mermaid.parse(text);
    const diagram = await mermaid.mermaidAPI.getDiagramFromText(text);
    const db = diagram.db;
    const out = { file, type: parsed.diagramType };
    if (typeof db.getActors === 'function') {
      out.title = decode(db.getDiagramTitle?.() ?? '');
      out.participants = [...db.getActors().values()].map((a) => [a.name, decode(a.description)]);
      // type: 0 solid, 1 dotted, 2 note, 3 solid cross, 4 dotted cross, 5 solid open, 6 dotted open ...
      out.messages = db.getMessages().map((m) => ({ from: m.from, to: m.to, type: m.type, text: decode(m.message) }));
    }
    console.log(JSON.stringify(out));
  } catch (e) {
    console.error(`parse error in ${file}: ${e.message ?? e}`);
    process.exit(1);
  }
}
