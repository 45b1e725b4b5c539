/**
 * Checks on JSON input the services' storage cannot take: Postgres refuses NUL in text and jsonb (a 500
 * if it gets that far), and a deeply nested document costs recursion everywhere it is walked
 * (class-transformer, validation, jsonb). Both are refused at the gateway with the field named.
 */

/** Deepest nesting of objects and arrays accepted in a JSON body. */
export const MAX_JSON_DEPTH = 32;

type Frame = { array: boolean; key: string | number };

/**
 * The dotted path of the first object or array opened past `max` levels, or null; a linear scan of the
 * raw text, so it runs before JSON.parse builds anything. Malformed JSON is left for the parser to report.
 */
export function tooDeepAt(text: string, max = MAX_JSON_DEPTH): string | null {
  const stack: Frame[] = [];
  let lastString = '';
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x22 /* " */) {
      const start = i;
      for (i++; i < text.length; i++) {
        const d = text.charCodeAt(i);
        if (d === 0x5c /* \ */) i++;
        else if (d === 0x22) break;
      }
      lastString = text.slice(start, i + 1);
    } else if (c === 0x3a /* : */) {
      const top = stack[stack.length - 1];
      if (top && !top.array) top.key = decodeKey(lastString);
    } else if (c === 0x2c /* , */) {
      const top = stack[stack.length - 1];
      if (top?.array) top.key = (top.key as number) + 1;
    } else if (c === 0x7b /* { */ || c === 0x5b /* [ */) {
      if (stack.length >= max) return pathOf(stack);
      stack.push({ array: c === 0x5b, key: c === 0x5b ? 0 : '' });
    } else if (c === 0x7d /* } */ || c === 0x5d /* ] */) {
      stack.pop();
    }
  }
  return null;
}

function decodeKey(quoted: string): string {
  try {
    return JSON.parse(quoted) as string;
  } catch {
    return quoted.slice(1, -1);
  }
}

function pathOf(stack: Frame[]): string {
  const parts = stack.map((f) => String(f.key));
  // the document itself is an array: its elements have no field name of their own
  if (stack[0]?.array) parts.unshift('body');
  return parts.join('.') || 'body';
}

/** Dotted paths of every string value or key that holds a NUL (a NUL in a key is shown as `\u0000`). */
export function nulFields(value: unknown, path = '', out: string[] = []): string[] {
  if (typeof value === 'string') {
    if (value.includes('\u0000')) out.push(path || 'body');
  } else if (Array.isArray(value)) {
    value.forEach((v, i) => nulFields(v, path ? `${path}.${i}` : String(i), out));
  } else if (value !== null && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      const name = k.replace(/\u0000/g, '\\u0000');
      const field = path ? `${path}.${name}` : name;
      if (k.includes('\u0000')) out.push(field);
      else nulFields(v, field, out);
    }
  }
  return out;
}
