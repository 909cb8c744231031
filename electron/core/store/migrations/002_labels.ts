// Schema version 2 (issue 4): label batches (one row per labelling action: who, when, what,
// how many; undo appends a batch that points at the one it undoes) and the index that lets
// the flow table sort by duration.
export const sql = /* sql */ `
CREATE TABLE label_batches (
  id INTEGER PRIMARY KEY,
  origin TEXT NOT NULL CHECK (origin IN ('analyst','dataset','model-accepted')),
  author TEXT NOT NULL DEFAULT '',
  created_at TEXT NOT NULL,
  note TEXT NOT NULL DEFAULT '',
  class_id INTEGER REFERENCES label_classes(id) ON DELETE SET NULL,
  filter TEXT,
  source_id INTEGER REFERENCES sources(id) ON DELETE SET NULL,
  count INTEGER NOT NULL DEFAULT 0,
  undo_of INTEGER REFERENCES label_batches(id),
  undone_by INTEGER REFERENCES label_batches(id)
);
CREATE INDEX flows_duration ON flows(duration, id);
`;
