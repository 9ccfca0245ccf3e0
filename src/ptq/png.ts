/**
 * Optional PNG rendering of the SVG charts. hlsemu has no PNG dependency: when the user has
 * installed `@resvg/resvg-js` (prebuilt native binaries, no download at install), it is used;
 * otherwise {@link renderPng} returns undefined and callers say so.
 */

interface ResvgModule {
  Resvg: new (svg: string, opts?: Record<string, unknown>) => { render(): { asPng(): Uint8Array } };
}

let cached: Promise<ResvgModule | undefined> | undefined;

async function loadResvg(): Promise<ResvgModule | undefined> {
  cached ??= (async () => {
    const name = '@resvg/resvg-js';
    try {
      return (await import(name)) as ResvgModule;
    } catch {
      return undefined;
    }
  })();
  return cached;
}

/**
 * Render an SVG document to PNG bytes with `@resvg/resvg-js` when it is installed (system fonts
 * are used for text), else undefined.
 *
 * @example const png = await renderPng(svg); if (png) writeFileSync('scan.png', png);
 */
export async function renderPng(svg: string, scale = 2): Promise<Uint8Array | undefined> {
  const m = await loadResvg();
  if (!m) return undefined;
  const r = new m.Resvg(svg, { fitTo: { mode: 'zoom', value: scale }, background: '#ffffff', font: { loadSystemFonts: true, defaultFontFamily: 'Helvetica' } });
  return r.render().asPng();
}
