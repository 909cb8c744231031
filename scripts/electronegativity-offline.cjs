// Loaded with --require by scripts/electronegativity.mjs: Electronegativity downloads its
// translations with `got`, and a failed download on a machine without internet can crash it
// (an unhandled retry). Answering "offline" at once keeps the scan deterministic and local.
'use strict';
const Module = require('node:module');
const load = Module._load;
const offline = () => Promise.reject(new Error('offline: NSTD runs Electronegativity without network'));
offline.head = offline;
offline.get = offline;
Module._load = function (request, ...rest) {
  return request === 'got' ? offline : load.call(this, request, ...rest);
};
