// How the site reads the generated pages. VitePress treats Markdown as Vue templates and adds syntax
// of its own; the pages are data, so each page is a `v-pre` block (no `{{ }}` interpolation),
// markdown-it-attrs is off (no `{onclick=...}` attributes from a table cell), and ```mermaid blocks
// become `<pre class="mermaid">` for the theme to draw (the source escaped as text).
import type { MarkdownOptions } from "vitepress";

export const markdownOptions: MarkdownOptions = {
  attrs: { disable: true },
  config(md) {
    const fence = md.renderer.rules.fence;
    md.renderer.rules.fence = (tokens, idx, options, env, self) => {
      const token = tokens[idx];
      if (token?.info.trim() === "mermaid") {
        return `<div class="mermaid-diagram"><pre class="mermaid">${md.utils.escapeHtml(token.content)}</pre></div>\n`;
      }
      return fence ? fence(tokens, idx, options, env, self) : self.renderToken(tokens, idx, options);
    };
    const render = md.render.bind(md);
    md.render = (src, env) => `<div v-pre>\n${render(src, env)}</div>\n`;
  },
};
