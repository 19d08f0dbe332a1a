// Shared by the benches: prints a comparison as a human line and as one JSON line.
export function report(bench, unit, h2flow, peer, theirs) {
  const ratio = theirs > 0 ? h2flow / theirs : null;
  const r = (n) => (n >= 100 ? Math.round(n) : Math.round(n * 100) / 100);
  console.log(`${bench}: h2flow ${r(h2flow)} ${unit} vs ${peer} ${r(theirs)} ${unit} → ${ratio === null ? 'n/a' : r(ratio) + '×'}`);
  console.log(JSON.stringify({ bench, unit, h2flow: r(h2flow), peer, theirs: r(theirs), ratio: ratio === null ? null : Math.round(ratio * 100) / 100 }));
}
