// YAML for the manifests this package publishes (the CRD, RBAC), written by the maintained
// `yaml` library. Strings are single-quoted (YAML 1.1 parsers cannot misread 'on' or '1.0' then,
// and it is what prettier writes, which the repo's lint checks on these files).
import { stringify } from 'yaml';

export type YamlValue = string | number | boolean | null | YamlValue[] | { [key: string]: YamlValue };

/** One YAML document per value, separated by `---`. */
export function toYaml(...docs: YamlValue[]): string {
  return docs
    .map((d) => stringify(d, { defaultStringType: 'QUOTE_SINGLE', defaultKeyType: 'PLAIN', lineWidth: 0 }))
    .join('---\n');
}
