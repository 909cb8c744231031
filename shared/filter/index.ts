/** The filter language: parse, check, and the field vocabulary. See docs/filter-language.md. */
export { parseFilter, checkFilter, FilterError, parseIpValue, parseTimeValue, parseNumber, canonicalIPv6, isIPv4 } from './parse';
export type { FilterNode, TypedValue, CmpOp, FilterCheck } from './parse';
export { fields, fieldByName, columnNames, sortableFields, protoNames, verdicts } from './fields';
export type { FieldDef, FieldType } from './fields';
