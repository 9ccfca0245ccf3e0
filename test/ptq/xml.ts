/**
 * A small well-formedness check for the SVG documents hlsemu writes (no XML dependency): tags
 * balance and nest, attributes are quoted, text and attribute values have no raw '<' or stray '&'.
 * Returns the element names in document order.
 */
export function checkXml(doc: string): string[] {
  const src = doc.replace(/<\?xml[^>]*\?>/, '').replace(/<!--[\s\S]*?-->/g, '');
  const stack: string[] = [];
  const names: string[] = [];
  const tag = /<(\/?)([A-Za-z][\w:.-]*)((?:\s+[\w:.-]+="[^"<]*")*)\s*(\/?)>/g;
  let last = 0;
  let m: RegExpExecArray | null;
  const checkText = (t: string, where: number) => {
    if (t.includes('<')) throw new Error(`raw '<' or malformed tag near offset ${where}: ${JSON.stringify(t.slice(0, 60))}`);
    const amp = /&(?!amp;|lt;|gt;|quot;|apos;|#\d+;|#x[0-9a-fA-F]+;)/.exec(t);
    if (amp) throw new Error(`unescaped '&' near offset ${where + amp.index}`);
  };
  while ((m = tag.exec(src))) {
    checkText(src.slice(last, m.index), last);
    for (const a of m[3]!.matchAll(/"([^"]*)"/g)) checkText(a[1]!, m.index);
    last = tag.lastIndex;
    const [, close, name, , self] = m;
    if (close) {
      const open = stack.pop();
      if (open !== name) throw new Error(`</${name}> closes <${open}> at offset ${m.index}`);
    } else {
      names.push(name!);
      if (!self) stack.push(name!);
    }
  }
  checkText(src.slice(last), last);
  if (stack.length) throw new Error(`unclosed elements: ${stack.join(' > ')}`);
  if (names[0] !== 'svg') throw new Error(`root element is <${names[0]}>, expected <svg>`);
  return names;
}
