/**
 * Server-rendered HTML for the dashboard: escaping, the page frame (in the viewer's language,
 * mobile first, one inline stylesheet under the page's CSP nonce, no asset from the internet).
 */
import type { PageTexts } from './format.js';

const ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/** Escape text for HTML content and attribute values. */
export function esc(s: string | number): string {
  return String(s).replace(/[&<>"']/g, (c) => ESCAPES[c] ?? c);
}

/** A trusted HTML fragment (already escaped). */
export interface Html {
  readonly html: string;
}

export const raw = (html: string): Html => ({ html });

/** Tagged template: interpolations are escaped unless they are Html fragments (or lists). */
export function html(strings: TemplateStringsArray, ...values: unknown[]): Html {
  let out = strings[0] ?? '';
  values.forEach((v, i) => {
    out += render(v) + (strings[i + 1] ?? '');
  });
  return { html: out };
}

function render(v: unknown): string {
  if (v === null || v === undefined || v === false) return '';
  if (Array.isArray(v)) return v.map(render).join('');
  if (typeof v === 'object' && 'html' in v) return (v as Html).html;
  return esc(String(v as string | number));
}

const STYLE = `
*{box-sizing:border-box}
body{margin:0;font:16px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1a1a1a;background:#f6f7f9}
header{display:flex;flex-wrap:wrap;gap:.5rem;align-items:center;justify-content:space-between;padding:.5rem 1rem;background:#0b4f8a;color:#fff}
header a{color:#fff}
header form{margin:0}
header nav{display:flex;gap:.75rem;align-items:center}
main{padding:.75rem 1rem;max-width:100%}
h1{font-size:1.25rem;margin:.25rem 0 .75rem}
h2{font-size:1.1rem;margin:1.25rem 0 .5rem}
a{color:#0b4f8a}
button,select,input{font:inherit;min-height:44px}
button{padding:.4rem .9rem;border:1px solid #0b4f8a;background:#0b4f8a;color:#fff;border-radius:6px;cursor:pointer}
button.secondary{background:#fff;color:#0b4f8a}
form.filters{display:flex;flex-wrap:wrap;gap:.5rem;align-items:flex-end;margin-bottom:.75rem}
form.filters label{display:flex;flex-direction:column;font-size:.85rem}
.scroll{overflow-x:auto;max-width:100%;border:1px solid #d5d9e0;background:#fff}
table{border-collapse:separate;border-spacing:0;font-size:.9rem}
th,td{padding:.35rem .5rem;border-bottom:1px solid #e3e6eb;text-align:center;white-space:nowrap}
th{background:#eef1f5;font-weight:600}
.matrix th.unit,.matrix td.unit{position:sticky;left:0;z-index:1;text-align:left;background:#fff;max-width:11rem;white-space:normal;border-right:1px solid #d5d9e0}
.matrix thead th.unit{background:#eef1f5;z-index:2}
.ok{background:#e3f4e8}.late{background:#fff4d6}.missing{background:#fde2e1}.pending{background:#f1f3f6}.na{color:#888}
.below{outline:2px solid #c0392b;outline-offset:-3px}
.legend{display:flex;flex-wrap:wrap;gap:.5rem 1rem;margin:.75rem 0;font-size:.9rem;padding:0;list-style:none}
.legend span{display:inline-block;min-width:2rem;text-align:center;border-radius:4px;padding:0 .25rem}
.muted{color:#555;font-size:.9rem}
.err{color:#a40000}
table.list td,table.list th{text-align:left;white-space:normal}
.charts{display:grid;gap:1rem;grid-template-columns:repeat(auto-fill,minmax(min(100%,30rem),1fr))}
figure{margin:0;background:#fff;border:1px solid #d5d9e0;padding:.5rem}
figcaption{font-size:.9rem;margin-bottom:.25rem}
svg.chart{display:block;width:100%;height:auto}
blockquote.preview{white-space:pre-wrap;background:#fff;border-left:4px solid #0b4f8a;margin:.5rem 0;padding:.5rem .75rem}
fieldset{border:1px solid #d5d9e0;background:#fff}
textarea{font:inherit;width:100%;max-width:36rem}
`;

/** A whole page. `csrf` set: the sign-out form is shown; `switchHref`: the language switch. */
export function page(opts: {
  title: string;
  nonce: string;
  body: Html;
  texts: PageTexts;
  switchHref: string;
  csrf?: string;
  who?: string;
}): string {
  const { t, lang } = opts.texts;
  const other = lang === 'vi' ? 'en' : 'vi';
  const switchLink = html`<a
    href="${opts.switchHref}"
    hreflang="${other}"
    lang="${other}"
    title="${t('switchLangLabel')}"
    >${t('switchLang')}</a
  >`;
  const top = opts.csrf
    ? html`<header>
        <a href="/dashboard">${t('brand')}</a>
        <span>${opts.who ?? ''}</span>
        <nav>
          ${switchLink}
          <form method="post" action="/dashboard/logout">
            <input type="hidden" name="csrf" value="${opts.csrf}" />
            <button class="secondary" type="submit">${t('signOut')}</button>
          </form>
        </nav>
      </header>`
    : html`<header>
        <span>${t('brand')}</span>
        <nav>${switchLink}</nav>
      </header>`;
  return `<!doctype html>
<html lang="${lang}"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="icon" href="data:,">
<title>${esc(opts.title)}</title>
<style nonce="${esc(opts.nonce)}">${STYLE}</style>
</head><body>${top.html}<main>${opts.body.html}</main></body></html>`;
}
