import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import type { FaqEntry } from './types.js';

/** The FAQ shipped with the repository (editable Markdown). */
export const DEFAULT_FAQ_FILE = fileURLToPath(new URL('./faq.md', import.meta.url));

/**
 * Parse the FAQ Markdown: `## <id>: <title>`, an optional `Từ khóa:` line (comma-separated
 * phrasings) and the answer text up to the next `##`. HTML comments are ignored. Kept as a
 * Markdown file so the province can edit answers without touching code.
 */
export function parseFaq(text: string): FaqEntry[] {
  const clean = text.normalize('NFC').replace(/<!--[\s\S]*?-->/g, '');
  const out: FaqEntry[] = [];
  let cur: { id: string; title: string; keywords: string[]; lines: string[] } | undefined;
  const flush = (): void => {
    if (cur)
      out.push({
        id: cur.id,
        title: cur.title,
        keywords: cur.keywords,
        body: cur.lines.join('\n').trim(),
      });
  };
  for (const line of clean.split('\n')) {
    const head = /^##\s+([a-z0-9-]+)\s*:\s*(.+)$/.exec(line.trim());
    if (head) {
      flush();
      cur = { id: head[1] ?? '', title: (head[2] ?? '').trim(), keywords: [], lines: [] };
      continue;
    }
    if (!cur) continue;
    const kw = /^(Từ khóa|Từ khoá|Keywords)\s*:\s*(.*)$/i.exec(line.trim());
    if (kw && cur.lines.length === 0) {
      cur.keywords = (kw[2] ?? '')
        .split(',')
        .map((k) => k.trim())
        .filter((k) => k !== '');
      continue;
    }
    cur.lines.push(line.trimEnd());
  }
  flush();
  return out;
}

/** Read and parse a FAQ file (default: src/citizens/faq.md). */
export async function loadFaq(path: string = DEFAULT_FAQ_FILE): Promise<FaqEntry[]> {
  return parseFaq(await readFile(path, 'utf8'));
}
