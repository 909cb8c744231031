import { featureSchemas } from '../importers/schemas';
import { pcapFeatures, pcapSequenceShape } from '../capture/features';
import { WorkbenchError } from '../errors';
import type { ColumnRole } from './pipeline';

/** What the model needs to know about a feature schema: column names, roles, sequence shape. */
export interface SchemaColumns {
  schema: string;
  names: string[];
  roles: ColumnRole[];
  seq: { len: number; channels: number } | null;
}

export function schemaColumns(schema: string): SchemaColumns {
  if (schema === 'pcap') {
    return {
      schema,
      names: pcapFeatures.map((d) => d.name),
      roles: pcapFeatures.map((d) => (d.scale === 'categorical' ? 'categorical' : /spectrum/i.test(d.name) ? 'spectral' : 'numeric')),
      seq: { len: pcapSequenceShape[0], channels: pcapSequenceShape[1] },
    };
  }
  const s = featureSchemas[schema];
  if (!s) throw new WorkbenchError('E_INVALID', `Unknown feature schema "${schema}". Known: pcap, ${Object.keys(featureSchemas).join(', ')}.`);
  return { schema, names: s.features.map((d) => d.name), roles: s.features.map((d) => (d.kind === 'categorical' ? 'categorical' : 'numeric')), seq: null };
}
