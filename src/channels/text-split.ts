/**
 * Split a long text into chunks no longer than a platform's limit (Telegram 4096, Zalo 2000),
 * cutting at line boundaries so lists and receipts stay readable. A single line longer than the
 * limit is cut at the last space, and only as a last resort in the middle of a word (never
 * inside a surrogate pair). Lengths are counted in UTF-16 code units, as the platforms do.
 */
export function splitText(text: string, limit: number): string[] {
  if (!Number.isInteger(limit) || limit < 2)
    throw new RangeError(`limit must be >= 2, got ${limit}`);
  if (text.length <= limit) return [text];

  const chunks: string[] = [];
  let current = '';
  const flush = () => {
    if (current.trim().length > 0) chunks.push(current.replace(/\s+$/, ''));
    current = '';
  };

  for (const line of text.split('\n')) {
    const candidate = current === '' ? line : `${current}\n${line}`;
    if (candidate.length <= limit) {
      current = candidate;
      continue;
    }
    flush();
    if (line.length <= limit) {
      current = line;
      continue;
    }
    // One line longer than the limit: cut at spaces, then hard.
    let rest = line;
    while (rest.length > limit) {
      let cut = rest.lastIndexOf(' ', limit);
      if (cut <= 0) {
        cut = limit;
        // Do not split a surrogate pair.
        const code = rest.charCodeAt(cut - 1);
        if (code >= 0xd800 && code <= 0xdbff) cut -= 1;
      }
      const piece = rest.slice(0, cut).replace(/\s+$/, '');
      if (piece.length > 0) chunks.push(piece);
      rest = rest.slice(cut).replace(/^ +/, '');
    }
    current = rest;
  }
  flush();
  return chunks.length > 0 ? chunks : [text.slice(0, limit)];
}
