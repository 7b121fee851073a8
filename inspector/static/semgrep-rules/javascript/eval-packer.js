// ruleid: eval-packer
eval(function (p, a, c, k, e, d) { e = function (c) { return c; }; while (c--) { if (k[c]) { p = p.replace(new RegExp("\\b" + e(c) + "\\b", "g"), k[c]); } } return p; }("0(\'1\')", 2, 2, "console|stage2".split("|"), 0, {}));
// ruleid: eval-packer
eval(_0x3f2a(0x1b4));
// ok: eval-packer
eval(helper(0x1b4));
