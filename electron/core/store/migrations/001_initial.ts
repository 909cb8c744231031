// Schema version 1: the tables of DESIGN §3. Later migrations add columns and indexes; this
// file never changes once released.
export const sql = /* sql */ `
CREATE TABLE workspace (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  name TEXT NOT NULL,
  analyst TEXT NOT NULL DEFAULT '',
  created_at TEXT NOT NULL,
  notes TEXT NOT NULL DEFAULT ''
);

CREATE TABLE jobs (
  id INTEGER PRIMARY KEY,
  kind TEXT NOT NULL,
  spec TEXT NOT NULL,
  state TEXT NOT NULL CHECK (state IN ('queued','running','done','failed','cancelled','interrupted')),
  host_pid INTEGER,
  progress_done REAL NOT NULL DEFAULT 0,
  progress_total REAL NOT NULL DEFAULT 0,
  progress_unit TEXT NOT NULL DEFAULT '',
  message TEXT NOT NULL DEFAULT '',
  log_tail TEXT NOT NULL DEFAULT '',
  result TEXT,
  error TEXT,
  error_code TEXT,
  created_at TEXT NOT NULL,
  started_at TEXT,
  finished_at TEXT
);

CREATE TABLE sources (
  id INTEGER PRIMARY KEY,
  path TEXT NOT NULL,
  name TEXT NOT NULL,
  size INTEGER NOT NULL,
  sha256 TEXT,
  format TEXT NOT NULL,
  schema TEXT,
  imported_at TEXT NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('importing','ok','partial','failed','interrupted')),
  job_id INTEGER REFERENCES jobs(id) ON DELETE SET NULL,
  packets INTEGER NOT NULL DEFAULT 0,
  flow_count INTEGER NOT NULL DEFAULT 0,
  time_first REAL,
  time_last REAL,
  errors TEXT NOT NULL DEFAULT '[]',
  stats TEXT NOT NULL DEFAULT '{}'
);

CREATE TABLE label_classes (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL UNIQUE,
  kind TEXT NOT NULL CHECK (kind IN ('benign','attack','unknown')),
  colour TEXT NOT NULL DEFAULT '#888888',
  attack_ids TEXT NOT NULL DEFAULT '[]',
  description TEXT NOT NULL DEFAULT '',
  created_at TEXT NOT NULL
);

CREATE TABLE flows (
  id INTEGER PRIMARY KEY,
  source_id INTEGER NOT NULL REFERENCES sources(id) ON DELETE CASCADE,
  row_no INTEGER NOT NULL,
  ts REAL,
  end_ts REAL,
  proto INTEGER,
  src_ip TEXT,
  dst_ip TEXT,
  src_port INTEGER,
  dst_port INTEGER,
  vlan INTEGER,
  community_id TEXT,
  packets_fwd INTEGER NOT NULL DEFAULT 0,
  packets_bwd INTEGER NOT NULL DEFAULT 0,
  bytes_fwd INTEGER NOT NULL DEFAULT 0,
  bytes_bwd INTEGER NOT NULL DEFAULT 0,
  payload_fwd INTEGER NOT NULL DEFAULT 0,
  payload_bwd INTEGER NOT NULL DEFAULT 0,
  frame_bytes_fwd INTEGER NOT NULL DEFAULT 0,
  frame_bytes_bwd INTEGER NOT NULL DEFAULT 0,
  packets INTEGER GENERATED ALWAYS AS (packets_fwd + packets_bwd) STORED,
  bytes INTEGER GENERATED ALWAYS AS (bytes_fwd + bytes_bwd) STORED,
  duration REAL GENERATED ALWAYS AS (end_ts - ts) STORED,
  tcp_flags INTEGER,
  app TEXT,
  hints TEXT,
  schema TEXT NOT NULL,
  features BLOB,
  sequence BLOB,
  packet_refs BLOB,
  truth TEXT,
  label_id INTEGER REFERENCES label_classes(id)
);
CREATE INDEX flows_source ON flows(source_id, row_no);
CREATE INDEX flows_ts ON flows(ts, id);
CREATE INDEX flows_label ON flows(label_id, id);
CREATE INDEX flows_truth ON flows(truth, id);
CREATE INDEX flows_community ON flows(community_id, ts);
CREATE INDEX flows_src ON flows(src_ip, id);
CREATE INDEX flows_dst ON flows(dst_ip, id);
CREATE INDEX flows_bytes ON flows(bytes, id);
CREATE INDEX flows_packets ON flows(packets, id);
CREATE INDEX flows_dst_port ON flows(dst_port, id);

CREATE TABLE labels (
  id INTEGER PRIMARY KEY,
  flow_id INTEGER NOT NULL REFERENCES flows(id) ON DELETE CASCADE,
  class_id INTEGER REFERENCES label_classes(id),
  origin TEXT NOT NULL CHECK (origin IN ('analyst','dataset','model-accepted')),
  author TEXT NOT NULL DEFAULT '',
  created_at TEXT NOT NULL,
  note TEXT NOT NULL DEFAULT '',
  batch INTEGER
);
CREATE INDEX labels_flow ON labels(flow_id, id);
CREATE INDEX labels_batch ON labels(batch);

CREATE TABLE models (
  id INTEGER PRIMARY KEY,
  parent_id INTEGER REFERENCES models(id) ON DELETE SET NULL,
  name TEXT NOT NULL,
  algorithm TEXT NOT NULL,
  schema TEXT NOT NULL,
  classes TEXT NOT NULL DEFAULT '[]',
  hyper TEXT NOT NULL DEFAULT '{}',
  metrics TEXT NOT NULL DEFAULT '{}',
  pipeline TEXT NOT NULL DEFAULT '{}',
  weights BLOB,
  prototypes BLOB,
  calibration TEXT NOT NULL DEFAULT '{}',
  adaptation TEXT,
  created_at TEXT NOT NULL
);

CREATE TABLE detection_runs (
  id INTEGER PRIMARY KEY,
  model_id INTEGER REFERENCES models(id) ON DELETE SET NULL,
  job_id INTEGER REFERENCES jobs(id) ON DELETE SET NULL,
  filter TEXT NOT NULL DEFAULT '',
  created_at TEXT NOT NULL,
  flow_count INTEGER NOT NULL DEFAULT 0,
  counts TEXT NOT NULL DEFAULT '{}'
);

CREATE TABLE detections (
  id INTEGER PRIMARY KEY,
  run_id INTEGER NOT NULL REFERENCES detection_runs(id) ON DELETE CASCADE,
  flow_id INTEGER NOT NULL REFERENCES flows(id) ON DELETE CASCADE,
  predicted TEXT NOT NULL,
  score REAL NOT NULL,
  novelty REAL NOT NULL,
  attack_score REAL NOT NULL DEFAULT 0,
  verdict TEXT NOT NULL DEFAULT 'new' CHECK (verdict IN ('new','confirmed','dismissed','relabelled')),
  reviewer TEXT,
  note TEXT NOT NULL DEFAULT '',
  reviewed_at TEXT
);
CREATE INDEX detections_run_flow ON detections(run_id, flow_id);
CREATE INDEX detections_run_score ON detections(run_id, score, id);
CREATE INDEX detections_run_novelty ON detections(run_id, novelty, id);
CREATE INDEX detections_flow ON detections(flow_id);

CREATE TABLE reports (
  id INTEGER PRIMARY KEY,
  run_id INTEGER REFERENCES detection_runs(id) ON DELETE SET NULL,
  format TEXT NOT NULL,
  path TEXT NOT NULL,
  sha256 TEXT,
  created_at TEXT NOT NULL
);
`;
