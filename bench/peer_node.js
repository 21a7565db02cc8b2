// The Node peers of the benchmark: copy SRC to DST the way Node users do.
//
// usage: node peer_node.js KIND SRC DST
//   copyFile          fs.copyFileSync(src, dst)
//   copyFile-ficlone  fs.copyFileSync(src, dst, COPYFILE_FICLONE)
//   cpSync-ficlone    fs.cpSync(src, dst, {recursive, mode: COPYFILE_FICLONE,
//                     verbatimSymlinks, preserveTimestamps})
//   reflinkFileSync   @reflink/reflink's reflinkFileSync(src, dst): the npm
//                     package pnpm clones with
//   reflink-tree      a tree as pnpm imports a package with it: directories
//                     made, each file reflinkFileSync'd, symlinks recreated
//                     (no modes, no times: pnpm keeps neither)
//
// verbatimSymlinks and preserveTimestamps make the tree faithful like
// `reflink -a` (without them Node rewrites relative links as absolute).
// @reflink/reflink is found through NODE_PATH (bench/run.sh installs
// bench/peers/ into bench/cache/ and the harness points NODE_PATH there).
// Prints "elapsed SECONDS" for the copy call alone, so the harness can leave
// the interpreter's start-up out of the peer's time (in the peer's favour).
'use strict';
const fs = require('fs');

const { COPYFILE_FICLONE } = fs.constants;
const path = require('path');

function reflinkFileSync() {
  return require('@reflink/reflink').reflinkFileSync;
}

// pnpm's importer makes the directories, then clones file by file.
function reflinkTree(src, dst, clone) {
  fs.mkdirSync(dst);
  for (const e of fs.readdirSync(src, { withFileTypes: true })) {
    const s = path.join(src, e.name), d = path.join(dst, e.name);
    if (e.isDirectory()) reflinkTree(s, d, clone);
    else if (e.isSymbolicLink()) fs.symlinkSync(fs.readlinkSync(s), d);
    else if (e.isFile()) clone(s, d);
    else throw new Error('reflink-tree: not a file, directory or symlink: ' + s);
  }
}

const KINDS = {
  'copyFile': (s, d) => fs.copyFileSync(s, d),
  'copyFile-ficlone': (s, d) => fs.copyFileSync(s, d, COPYFILE_FICLONE),
  'cpSync-ficlone': (s, d) => fs.cpSync(s, d, {
    recursive: true, mode: COPYFILE_FICLONE,
    verbatimSymlinks: true, preserveTimestamps: true,
  }),
  'reflinkFileSync': (s, d) => reflinkFileSync()(s, d),
  'reflink-tree': (s, d) => reflinkTree(s, d, reflinkFileSync()),
};

const [kind, src, dst] = process.argv.slice(2);
if (!KINDS[kind] || !dst) {
  process.stderr.write('usage: node peer_node.js ' +
    Object.keys(KINDS).join('|') + ' SRC DST\n');
  process.exit(2);
}
// Loaded before the clock starts, as fs is.
if (kind.startsWith('reflink')) reflinkFileSync();
const t0 = process.hrtime.bigint();
KINDS[kind](src, dst);
const ns = process.hrtime.bigint() - t0;
console.log('elapsed ' + (Number(ns) / 1e9).toFixed(6));
