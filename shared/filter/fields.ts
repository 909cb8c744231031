/**
 * The one field vocabulary: filter field names are the column names of CSV/JSONL exports, the
 * keys of flow rows in the API and the UI's column ids. docs/filter-language.md documents it.
 */

export type FieldType =
  | 'int' // integer counts and ids
  | 'real' // seconds, scores
  | 'time' // epoch seconds; a date string is accepted as a value
  | 'ip' // IPv4/IPv6 address; a CIDR block is accepted with == and in
  | 'port' // 0..65535
  | 'proto' // IP protocol number; names (tcp, udp, icmp...) accepted
  | 'string' // exact text; `contains` for substrings
  | 'class' // a label class name (case-insensitive), "unlabelled" for none
  | 'verdict' // new | confirmed | dismissed | relabelled
  | 'source'; // a source id, or its file name as a string

export interface FieldDef {
  name: string;
  type: FieldType;
  /** Matches either of two columns (ip.addr, port, tcp.port, udp.port). */
  either?: boolean;
  /** From the newest detection run (or the run a command names). */
  detection?: boolean;
  /** A column of exports and of the flow table. */
  column: boolean;
  /** Can sort the flow table (an index serves it). */
  sortable?: boolean;
  description: string;
}

export const fields: readonly FieldDef[] = [
  { name: 'id', type: 'int', column: true, sortable: true, description: 'Flow id in this workspace' },
  { name: 'community_id', type: 'string', column: true, description: 'Community ID v1 of the 5-tuple (empty for records without addresses)' },
  { name: 'source', type: 'source', column: true, description: 'Source the flow came from: its id, or its file name as a string' },
  { name: 'row', type: 'int', column: true, description: 'Row (record) number of the flow in its source, from 1' },
  { name: 'ts', type: 'time', column: true, sortable: true, description: 'Time of the first packet, epoch seconds (UTC); a date string such as "2017-07-07 15:00" (UTC) is accepted' },
  { name: 'end', type: 'time', column: true, description: 'Time of the last packet, epoch seconds' },
  { name: 'duration', type: 'real', column: true, sortable: true, description: 'end - ts, seconds' },
  { name: 'ip.src', type: 'ip', column: true, sortable: true, description: 'Initiator address' },
  { name: 'ip.dst', type: 'ip', column: true, sortable: true, description: 'Responder address' },
  { name: 'ip.addr', type: 'ip', either: true, column: false, description: 'Either address' },
  { name: 'src.port', type: 'port', column: true, description: 'Initiator port' },
  { name: 'dst.port', type: 'port', column: true, sortable: true, description: 'Responder port' },
  { name: 'port', type: 'port', either: true, column: false, description: 'Either port' },
  { name: 'tcp.port', type: 'port', either: true, column: false, description: 'Either port of a TCP flow' },
  { name: 'udp.port', type: 'port', either: true, column: false, description: 'Either port of a UDP flow' },
  { name: 'proto', type: 'proto', column: true, description: 'IP protocol number (names tcp, udp, icmp, icmpv6, sctp, gre, esp, ah accepted)' },
  { name: 'vlan', type: 'int', column: true, description: 'Outer VLAN id' },
  { name: 'app', type: 'string', column: true, description: 'Application hint (service, app_proto)' },
  { name: 'packets', type: 'int', column: true, sortable: true, description: 'Packets, both directions' },
  { name: 'bytes', type: 'int', column: true, sortable: true, description: 'IP-layer bytes, both directions' },
  { name: 'packets.fwd', type: 'int', column: true, description: 'Packets from the initiator' },
  { name: 'packets.bwd', type: 'int', column: true, description: 'Packets from the responder' },
  { name: 'bytes.fwd', type: 'int', column: true, description: 'IP-layer bytes from the initiator' },
  { name: 'bytes.bwd', type: 'int', column: true, description: 'IP-layer bytes from the responder' },
  { name: 'label', type: 'class', column: true, sortable: true, description: 'Current label class (newest in the label history); "unlabelled" when none' },
  { name: 'truth', type: 'string', column: true, sortable: true, description: 'The label the source file carried, as written there' },
  { name: 'prediction', type: 'string', detection: true, column: true, description: 'Predicted class (newest detection run, or the run given)' },
  { name: 'score', type: 'real', detection: true, column: true, description: 'Confidence of the prediction, 0..1' },
  { name: 'novelty', type: 'real', detection: true, column: true, description: 'Distance to the nearest prototype' },
  { name: 'verdict', type: 'verdict', detection: true, column: true, description: 'Analyst verdict on the detection: new, confirmed, dismissed, relabelled' },
];

export const fieldByName: ReadonlyMap<string, FieldDef> = new Map(fields.map((f) => [f.name, f]));

/** Export and table columns, in order. */
export const columnNames: readonly string[] = fields.filter((f) => f.column).map((f) => f.name);

export const sortableFields: readonly string[] = fields.filter((f) => f.sortable).map((f) => f.name);

export const protoNames: Readonly<Record<string, number>> = {
  icmp: 1,
  igmp: 2,
  tcp: 6,
  udp: 17,
  gre: 47,
  esp: 50,
  ah: 51,
  icmpv6: 58,
  'ipv6-icmp': 58,
  sctp: 132,
};

export const verdicts = ['new', 'confirmed', 'dismissed', 'relabelled'] as const;
