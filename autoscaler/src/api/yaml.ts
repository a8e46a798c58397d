// A small YAML writer for the manifests this package publishes (the CRD, RBAC). It only needs
// maps, lists, strings, numbers and booleans. Strings are always quoted, so no value can be
// misread as a number, boolean or null by a YAML 1.1 parser; single quotes unless the string
// holds a single quote and no double one, which is also what prettier writes (the repo's lint
// checks these files).

export type YamlValue = string | number | boolean | null | YamlValue[] | { [key: string]: YamlValue };

const PLAIN_KEY = /^[A-Za-z_][A-Za-z0-9_.-]*$/;

function key(k: string): string {
  return PLAIN_KEY.test(k) ? k : JSON.stringify(k);
}

function scalar(v: string | number | boolean | null): string {
  if (v === null) return 'null';
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) throw new Error(`cannot write ${v} as YAML`);
    return String(v);
  }
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if (v.includes("'") && !v.includes('"')) return JSON.stringify(v);
  if (/[\n\r\t]/.test(v)) return JSON.stringify(v);
  return `'${v.replace(/'/g, "''")}'`;
}

function isEmptyCollection(v: YamlValue): boolean {
  return (
    (Array.isArray(v) && v.length === 0) ||
    (typeof v === 'object' && v !== null && Object.keys(v).length === 0)
  );
}

function inline(v: YamlValue): string {
  if (Array.isArray(v)) return '[]';
  if (typeof v === 'object' && v !== null) return '{}';
  return scalar(v);
}

function lines(v: YamlValue, indent: string): string[] {
  if (Array.isArray(v)) {
    return v.flatMap((item) => {
      if (typeof item === 'object' && item !== null && !isEmptyCollection(item)) {
        const [first = '', ...rest] = lines(item, indent + '  ');
        return [`${indent}- ${first.trimStart()}`, ...rest];
      }
      return [`${indent}- ${inline(item)}`];
    });
  }
  if (typeof v === 'object' && v !== null) {
    return Object.entries(v).flatMap(([k, child]) => {
      if (typeof child === 'object' && child !== null && !isEmptyCollection(child)) {
        return [`${indent}${key(k)}:`, ...lines(child, Array.isArray(child) ? indent : indent + '  ')];
      }
      return [`${indent}${key(k)}: ${inline(child)}`];
    });
  }
  return [`${indent}${scalar(v)}`];
}

/** One YAML document per value, separated by `---`. */
export function toYaml(...docs: YamlValue[]): string {
  return docs.map((d) => lines(d, '').join('\n') + '\n').join('---\n');
}
