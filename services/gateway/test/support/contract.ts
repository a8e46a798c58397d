import { Ajv2020 } from 'ajv/dist/2020.js';
import { openApiDocument } from '../../src/index.js';

type Operation = { responses: Record<string, { content?: Record<string, { schema: unknown }> }> };
type Paths = Record<string, Record<string, Operation>>;

/**
 * Validates real responses against the OpenAPI 3.1 document with Ajv's JSON Schema 2020-12
 * dialect (OpenAPI 3.1 schemas are 2020-12). The whole document is registered under one id, so
 * `#/components/schemas/...` references resolve exactly as an OpenAPI tool would resolve them.
 * `strict: false` because the document has OpenAPI keywords (openapi, paths, ...) around its
 * schemas; every schema keyword is still checked.
 */
const ajv = new Ajv2020({ strict: false, allErrors: true, validateFormats: true });
const FORMATS: Record<string, RegExp> = {
  uri: /^[a-z][a-z0-9+.-]*:[^\s]*$/i,
  email: /^[^\s@]+@[^\s@]+\.[^\s@]+$/,
  'date-time': /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/,
};
for (const [name, pattern] of Object.entries(FORMATS)) ajv.addFormat(name, pattern);
ajv.addSchema(openApiDocument, 'openapi');

const pointer = (...parts: string[]): string =>
  parts.map((p) => p.replace(/~/g, '~0').replace(/\//g, '~1')).join('/');

/** The documented path template that matches a concrete path, e.g. /api/images/{id} for /api/images/7. */
export function templateOf(path: string): string | undefined {
  const paths = Object.keys(openApiDocument.paths);
  if (paths.includes(path)) return path;
  return paths.find((t) => new RegExp(`^${t.replace(/\{[^}]+\}/g, '[^/]+')}$`).test(path));
}

/** Problems with a response (empty when it conforms). An undocumented status is a problem. */
export function contractProblems(
  method: string,
  path: string,
  status: number,
  contentType: string | null,
  body: unknown,
): string[] {
  const template = templateOf(path.split('?')[0]!);
  if (!template) return [`${path} is not documented`];
  const operation = (openApiDocument.paths as unknown as Paths)[template]?.[method.toLowerCase()];
  if (!operation) return [`${method} ${template} is not documented`];
  const response = operation.responses[String(status)];
  if (!response) return [`${method} ${template} does not document status ${status}`];
  if (!response.content) return [];
  if (!contentType?.startsWith('application/json')) return [`expected application/json, got ${contentType}`];
  const ref = `openapi#/${pointer('paths', template, method.toLowerCase(), 'responses', String(status), 'content', 'application/json', 'schema')}`;
  const validate = ajv.getSchema(ref) ?? ajv.compile({ $ref: ref });
  if (validate(body)) return [];
  return (validate.errors ?? []).map((e) => `${e.instancePath || '(body)'} ${e.message ?? ''}`);
}
