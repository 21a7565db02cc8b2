// The Node peers of the benchmark: copy SRC to DST the way Node users do.
//
// usage: node peer_node.js KIND SRC DST
//   copyFile          fs.copyFileSync(src, dst)
//   copyFile-ficlone  fs.copyFileSync(src, dst, COPYFILE_FICLONE)
//   cpSync-ficlone    fs.cpSync(src, dst, {recursive, mode: COPYFILE_FICLONE,
//                     verbatimSymlinks, preserveTimestamps})
//
// verbatimSymlinks and preserveTimestamps make the tree faithful like
// `reflink -a` (without them Node rewrites relative links as absolute).
// Prints "elapsed SECONDS" for the copy call alone, so the harness can leave
// the interpreter's start-up out of the peer's time (in the peer's favour).
'use strict';
const fs = require('fs');

const { COPYFILE_FICLONE } = fs.constants;
const KINDS = {
  'copyFile': (s, d) => fs.copyFileSync(s, d),
  'copyFile-ficlone': (s, d) => fs.copyFileSync(s, d, COPYFILE_FICLONE),
  'cpSync-ficlone': (s, d) => fs.cpSync(s, d, {
    recursive: true, mode: COPYFILE_FICLONE,
    verbatimSymlinks: true, preserveTimestamps: true,
  }),
};

const [kind, src, dst] = process.argv.slice(2);
if (!KINDS[kind] || !dst) {
  process.stderr.write('usage: node peer_node.js ' +
    Object.keys(KINDS).join('|') + ' SRC DST\n');
  process.exit(2);
}
const t0 = process.hrtime.bigint();
KINDS[kind](src, dst);
const ns = process.hrtime.bigint() - t0;
console.log('elapsed ' + (Number(ns) / 1e9).toFixed(6));
