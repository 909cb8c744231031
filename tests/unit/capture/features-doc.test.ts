import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { projectRoot } from '../../../electron/core/data-dir';
import { pcapFeatureNames, pcapFeatures, pcapSequenceShape } from '../../../electron/core/capture/features';
import { renderFeatureDoc } from '../../../electron/core/capture/features-doc';

const doc = path.join(projectRoot(), 'docs', 'features-pcap.md');

describe('the pcap feature table', () => {
  it('has unique names, a unit, a scale and a definition for every feature', () => {
    expect(new Set(pcapFeatureNames).size).toBe(pcapFeatureNames.length);
    for (const f of pcapFeatures) {
      expect(f.unit.length).toBeGreaterThan(0);
      expect(['log1p', 'linear', 'categorical']).toContain(f.scale);
      expect(f.definition.length).toBeGreaterThan(10);
    }
    expect(pcapSequenceShape).toEqual([32, 3]);
  });

  it('docs/features-pcap.md is generated from it and current', () => {
    const text = renderFeatureDoc();
    if (process.env.UPDATE_DOCS === '1') fs.writeFileSync(doc, text);
    expect(fs.existsSync(doc), 'docs/features-pcap.md is missing: run UPDATE_DOCS=1 npx vitest run tests/unit/capture/features-doc.test.ts').toBe(true);
    expect(fs.readFileSync(doc, 'utf8'), 'docs/features-pcap.md is stale: run UPDATE_DOCS=1 npx vitest run tests/unit/capture/features-doc.test.ts').toBe(text);
  });
});
