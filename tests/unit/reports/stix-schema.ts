import fs from 'node:fs';
import path from 'node:path';
import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import type { ValidateFunction } from 'ajv';

export const BUNDLE_SCHEMA_ID = 'http://raw.githubusercontent.com/oasis-open/cti-stix2-json-schemas/stix2.1/schemas/common/bundle.json';

/**
 * The OASIS STIX 2.1 JSON schemas (draft 2020-12) loaded into ajv's 2020 build. The schemas'
 * patterns use escapes that are invalid under the `u` flag (`\-`), hence unicodeRegExp: false;
 * `idn-hostname` has no ajv-formats checker and is accepted as any string.
 */
export function stixValidator(schemaDir: string): { ajv: Ajv2020; bundle: ValidateFunction; forType(type: string): ValidateFunction | undefined } {
  const ajv = new Ajv2020({ strict: false, allErrors: true, unicodeRegExp: false });
  addFormats(ajv);
  ajv.addFormat('idn-hostname', true);
  const ids = new Map<string, string>();
  for (const sub of fs.readdirSync(schemaDir)) {
    const d = path.join(schemaDir, sub);
    if (!fs.statSync(d).isDirectory()) continue;
    for (const f of fs.readdirSync(d).filter((x) => x.endsWith('.json'))) {
      const schema = JSON.parse(fs.readFileSync(path.join(d, f), 'utf8')) as { $id: string };
      ajv.addSchema(schema);
      ids.set(f.replace(/\.json$/, ''), schema.$id);
    }
  }
  const bundle = ajv.getSchema(BUNDLE_SCHEMA_ID);
  if (!bundle) throw new Error(`bundle schema not found in ${schemaDir}`);
  return {
    ajv,
    bundle,
    forType: (type) => {
      const id = ids.get(type);
      return id ? ajv.getSchema(id) : undefined;
    },
  };
}
