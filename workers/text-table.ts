// A plain-text table for a terminal: columns padded to their widest cell (the last one is
// not padded, so long details do not trail spaces), two spaces between columns.
export function textTable(head: string[], rows: string[][], o: { rule?: boolean } = {}): string {
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]))).join('  ');
  return [line(head), ...(o.rule ? [line(widths.map((w) => '-'.repeat(w)))] : []), ...rows.map(line)].join('\n');
}
