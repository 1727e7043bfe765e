/** What the public pages may load: nothing but their own inline style (no scripts, forms, frames). */
export const publicPagePolicy = "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

/** Every value that is not a literal of ours goes through here before it reaches a page. */
export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (ch) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[ch]!);
}

/** A piece of markup that is already safe: built from literals and escaped values only. */
export class Html {
  constructor(readonly value: string) {}
  toString(): string {
    return this.value;
  }
}

/** Tagged template: interpolated strings are escaped, Html pieces and arrays of them are kept. */
export function html(strings: TemplateStringsArray, ...values: Array<string | number | Html | Html[] | undefined | null | false>): Html {
  let out = strings[0]!;
  values.forEach((value, i) => {
    out += render(value) + strings[i + 1]!;
  });
  return new Html(out);
}

function render(value: string | number | Html | Html[] | undefined | null | false): string {
  if (value === undefined || value === null || value === false) return "";
  if (value instanceof Html) return value.value;
  if (Array.isArray(value)) return value.map(render).join("");
  return escapeHtml(String(value));
}

const style = `
:root{color-scheme:light dark;--fg:#1f2933;--muted:#52606d;--bg:#fff;--link:#0b5fff;--rule:#e4e7eb;--code:#f1f5f9}
@media (prefers-color-scheme:dark){:root{--fg:#e4e7eb;--muted:#9aa5b1;--bg:#111418;--link:#7aa7ff;--rule:#323f4b;--code:#1f2933}}
*{box-sizing:border-box}
body{margin:0;background:var(--bg);color:var(--fg);font:1rem/1.6 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif}
header,main,footer{max-width:44rem;margin:0 auto;padding:0 1.25rem}
header{padding-top:1.5rem}
nav ul{list-style:none;margin:0;padding:0;display:flex;flex-wrap:wrap;gap:.5rem 1.25rem}
a{color:var(--link)}
a:focus-visible{outline:3px solid var(--link);outline-offset:2px}
h1{font-size:1.7rem;line-height:1.25;margin:1.5rem 0 .5rem}
h2{font-size:1.2rem;margin:2rem 0 .5rem;padding-top:1rem;border-top:1px solid var(--rule)}
h3{font-size:1rem;margin:1.25rem 0 .25rem}
li{margin:.25rem 0}
code{background:var(--code);padding:.05rem .3rem;border-radius:.25rem;font-size:.92em;overflow-wrap:anywhere}
.muted{color:var(--muted)}
footer{padding:2rem 1.25rem 3rem;color:var(--muted);font-size:.9rem}
.skip{position:absolute;left:-999px}.skip:focus{left:1rem;top:1rem;background:var(--bg);padding:.25rem .5rem}
`;

export interface PageLink {
  href: string;
  label: string;
}

/** The frame every public page shares: readable on a phone, no scripts, no cookies, no outside assets. */
export function page(input: { title: string; siteName: string; links: PageLink[]; current: string; body: Html; updated?: string }): string {
  const nav = input.links.map((l) =>
    l.href === input.current ? html`<li><a href="${l.href}" aria-current="page">${l.label}</a></li>` : html`<li><a href="${l.href}">${l.label}</a></li>`,
  );
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${input.title} · ${input.siteName}</title>
<style>${new Html(style)}</style>
</head>
<body>
<a class="skip" href="#content">Skip to the text</a>
<header><nav aria-label="Legal pages"><ul>${nav}</ul></nav></header>
<main id="content">
${input.body}
</main>
<footer>${input.siteName}${input.updated ? html` · ${input.updated}` : ""}</footer>
</body>
</html>
`.value;
}
