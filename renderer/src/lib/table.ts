/** A column of the virtual table. */
export interface Column {
  id: string;
  label: string;
  width: number;
  align?: 'left' | 'right';
  sortable?: boolean;
}
