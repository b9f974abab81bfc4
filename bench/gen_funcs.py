#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
"""gen_funcs.py N OUT.c [PATCHED]: a C unit with N small functions, each
calling the previous one and touching a global, like kernel code (static
helpers, exported-style globals, a string). PATCHED changes one function in
the middle, so the differ must compare all N and emit one."""
import sys

n, out = int(sys.argv[1]), sys.argv[2]
patched = len(sys.argv) > 3 and sys.argv[3] == "patched"
mid = n // 2
with open(out, "w") as f:
    f.write("extern int printk(const char *fmt, ...);\n")
    f.write("int counter_%d;\n" % 0)
    f.write("static int table[64];\n")
    for i in range(n):
        static = "static " if i % 2 else ""
        attr = "__attribute__((noinline)) " if i % 2 else ""
        f.write("%s%sint f%d(int x);\n" % (static, attr, i))
    for i in range(n):
        static = "static " if i % 2 else ""
        attr = "__attribute__((noinline)) " if i % 2 else ""
        prev = "f%d(x - 1)" % (i - 1) if i else "x"
        extra = 3 if (patched and i == mid) else 1
        f.write("%s%sint f%d(int x)\n{\n" % (static, attr, i))
        f.write("\tif (x < 0)\n\t\treturn 0;\n")
        f.write("\ttable[(x + %d) & 63] += %d;\n" % (i, extra))
        f.write("\tif (x == %d)\n\t\tprintk(\"f%d %%d\\n\", x);\n" % (i, i))
        f.write("\treturn %s + table[x & 63] + counter_0;\n}\n" % prev)
    # keep every static function referenced
    f.write("int (*const fn_table[])(int) = {\n")
    for i in range(n):
        f.write("\tf%d,\n" % i)
    f.write("};\n")
