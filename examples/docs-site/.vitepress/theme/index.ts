// The default theme, plus Mermaid: every `<pre class="mermaid">` of a page is drawn as SVG once the page
// is mounted or the route changes (Mermaid is loaded on the first page that has a diagram). A diagram
// fits the column, as on GitHub; a click shows it at its natural size (the block then scrolls).
import { useData, useRoute } from "vitepress";
import DefaultTheme from "vitepress/theme";
import { nextTick, onMounted, watch } from "vue";
import "./custom.css";

const ZOOM_HINT: Readonly<Record<string, string>> = {
  en: "Click to see the diagram at full size, click again to fit it to the page",
  fr: "Cliquez pour voir le schéma en taille réelle, cliquez de nouveau pour l'ajuster à la page",
};

function toggleZoom(block: HTMLElement): void {
  const svg = block.querySelector("svg");
  if (!svg) return;
  const zoomed = block.toggleAttribute("data-zoomed");
  svg.style.width = zoomed ? `${svg.viewBox.baseVal.width}px` : "";
  svg.style.maxWidth = zoomed ? "none" : `${svg.viewBox.baseVal.width}px`;
}

async function drawDiagrams(dark: boolean, lang: string): Promise<void> {
  const nodes = [...document.querySelectorAll<HTMLElement>("pre.mermaid:not([data-processed])")];
  if (nodes.length === 0) return;
  const { default: mermaid } = await import("mermaid");
  mermaid.initialize({ startOnLoad: false, securityLevel: "strict", theme: dark ? "dark" : "default" });
  await mermaid.run({ nodes });
  for (const node of nodes) {
    const block = node.closest<HTMLElement>(".mermaid-diagram");
    if (!block || block.hasAttribute("title")) continue;
    block.title = ZOOM_HINT[lang.slice(0, 2)] ?? (ZOOM_HINT.en as string);
    block.addEventListener("click", () => toggleZoom(block));
  }
}

export default {
  extends: DefaultTheme,
  setup() {
    const route = useRoute();
    const { isDark, lang } = useData();
    const draw = (): void => {
      void nextTick(() => drawDiagrams(isDark.value, lang.value));
    };
    onMounted(draw);
    watch(() => route.path, draw);
  },
};
