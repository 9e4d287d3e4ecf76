/**
 * Keeps `--viewport-height` on <html> equal to the visual viewport: the part of the page not
 * covered by the on-screen keyboard. iOS Safari shrinks only the visual viewport when the
 * keyboard opens (100dvh stays tall), so without this the composer would sit under the keyboard.
 * Browsers without visualViewport keep the CSS fallback, 100dvh.
 */
export function trackVisualViewport(): void {
  const viewport = window.visualViewport;
  if (!viewport) return;
  const root = document.documentElement;
  const update = () => {
    root.style.setProperty("--viewport-height", `${viewport.height}px`);
    root.style.setProperty("--viewport-top", `${viewport.offsetTop}px`);
  };
  update();
  viewport.addEventListener("resize", update);
  viewport.addEventListener("scroll", update);
}
