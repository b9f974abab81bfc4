#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# tests/corpus/selftest/test_needed_headers.sh — needed-headers.py on a small
# fake corpus: which header patches a .c patch that failed to compile needs.
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
NH=$HERE/../needed-headers.py
# shellcheck source=tests/corpus/selftest/expect.sh
. "$HERE/expect.sh"
mkdir -p "$W/c/patches"
printf 'id\tfile\tclass\ttarget\tlines_changed\tnotes\n' >"$W/c/index.tsv"
add() { # ID FILE CLASS ADDED-LINE
	printf '%s\t%s\t%s\tvmlinux\t1\t\n' "$1" "$2" "$3" >>"$W/c/index.tsv"
	printf -- '--- a/%s\n+++ b/%s\n@@ -1,1 +1,2 @@\n ctx\n+%s\n' "$2" "$2" "$4" \
		>"$W/c/patches/$1-$(tr / - <<<"$2").patch"
}
add 0001 include/linux/flags.h b '#define NEW_FLAG 4'
add 0002 include/linux/other.h b 'static inline int other_helper(void) { return 0; }'
add 0003 include/linux/unrelated.h b '#define NEW_FLAG_TOO 5 /* not NEW_FLAGX */'
add 0004 drivers/foo/foo.c a 'return NEW_FLAG + other_helper();'
add 0005 tools/include/linux/flags.h b '#define NEW_FLAG 4'
cat >"$W/err.log" <<'LOG'
livefix: error: failed [compile-failed]: compiling drivers/foo/foo.c (patched) failed: exit 1; log: x
  drivers/foo/foo.c:3:9: error: ‘NEW_FLAG’ undeclared (first use in this function)
  drivers/foo/foo.c:3:20: error: implicit declaration of function ‘other_helper’ [-Werror=implicit-function-declaration]
LOG
printf '# livefix include-graph 1\ndrivers/foo/foo.c\tinclude/linux/wrap.h\ninclude/linux/wrap.h\tinclude/linux/flags.h include/linux/other.h\n' >"$W/graph"
names() { xargs -rn1 basename | cut -d- -f1 | paste -sd, -; }
failed_json() { # FILE OBJECT: the build --json document of OBJECT's failed compile
	printf '%s\n' '{"schema_version":1,"outcome":"failed","exit_status":1,"code":"compile-failed","refusals":[],' \
		" \"errors\":[{\"code\":\"compile-failed\",\"object\":\"$2\",\"function\":null,\"symbol\":null," \
		" \"message\":\"compiling $2 (patched) failed: exit 1; log: x\"}]}" >"$1"
}

expect "with the include graph: only headers the unit includes" "0001,0002" \
	"$("$NH" "$W/c" 0004 "$W/err.log" "$W/graph" | names)"
expect "without a graph: every header adding the names (whole words only)" "0001,0002,0005" \
	"$("$NH" "$W/c" 0004 "$W/err.log" "$W/none" | names)"
add 0006 include/rdma/iter.h b 'struct ib_block_iter;'
add 0007 include/linux/proto.h b 'int changed_proto(long x);'
cat >"$W/err2.log" <<'LOG'
livefix: error:   drivers/foo/foo.c:50:10: fatal error: rdma/iter.h: No such file or directory
livefix: error:   drivers/foo/foo.c:9:5: error: conflicting types for ‘changed_proto’; have ‘int(long int)’
LOG
printf 'drivers/foo/foo.c\tinclude/linux/proto.h\n' >"$W/graph2"
expect "a header the corpus adds, and a changed prototype" "0006,0007" \
	"$("$NH" "$W/c" 0004 "$W/err2.log" "$W/graph2" | names)"
# a definition that moved to the new header: the header patch that removes
# it is needed; a prototype whose changed parameter is on its second line
printf '0008\tinclude/rdma/ib_verbs.h\tb\tvmlinux\t2\t\n0009\tinclude/linux/split.h\tb\tvmlinux\t1\t\n' >>"$W/c/index.tsv"
printf -- '--- a/include/rdma/ib_verbs.h\n+++ b/include/rdma/ib_verbs.h\n@@ -1,4 +1,2 @@\n #include <x.h>\n-struct ib_block_iter {\n-\tint i;\n-};\n' \
	>"$W/c/patches/0008-include-rdma-ib_verbs.h.patch"
printf -- '--- a/include/linux/split.h\n+++ b/include/linux/split.h\n@@ -1,3 +1,3 @@\n int split_proto(int a,\n-\t\tint b);\n+\t\tlong b);\n' \
	>"$W/c/patches/0009-include-linux-split.h.patch"
cat >"$W/err3.log" <<'LOG'
livefix: error:   ./include/rdma/iter.h:16:8: error: redefinition of ‘struct ib_block_iter’
livefix: error:   drivers/foo/foo.c:7:2: error: too many arguments to function ‘split_proto’
LOG
printf 'drivers/foo/foo.c\tinclude/rdma/ib_verbs.h include/linux/split.h\n' >"$W/graph3"
expect "a definition moved out of a header; a prototype split over lines" "0008,0009" \
	"$("$NH" "$W/c" 0004 "$W/err3.log" "$W/graph3" | names)"
# an error that names nothing (a function pointer member retyped): the
# header patches that change what the .c patch changes
printf '0010\tdrivers/foo/ops.c\ta\tvmlinux\t2\t\n0011\tinclude/linux/ops.h\tb\tvmlinux\t1\t\n' >>"$W/c/index.tsv"
printf -- '--- a/drivers/foo/ops.c\n+++ b/drivers/foo/ops.c\n@@ -1,2 +1,2 @@\n static const struct foo_ops ops = {\n-\t.get_peer_id = get_peer_id_v1,\n+\t.get_peer_id = get_peer_id_v2,\n' \
	>"$W/c/patches/0010-drivers-foo-ops.c.patch"
printf -- '--- a/include/linux/ops.h\n+++ b/include/linux/ops.h\n@@ -1,3 +1,3 @@\n struct foo_ops {\n-\tu16 (*get_peer_id)(u8 *data);\n+\tu16 (*get_peer_id)(struct foo_info *info);\n' \
	>"$W/c/patches/0011-include-linux-ops.h.patch"
cat >"$W/err4.log" <<'LOG'
livefix: error:   drivers/foo/ops.c:2:17: error: initialization of ‘u16 (*)(u8 *)’ from incompatible pointer type ‘u16 (*)(struct foo_info *)’ [-Werror=incompatible-pointer-types]
LOG
printf 'drivers/foo/ops.c\tinclude/linux/ops.h include/linux/split.h\n' >"$W/graph4"
expect "an error naming nothing: headers changing what the .c patch changes" "0011" \
	"$("$NH" "$W/c" 0010 "$W/err4.log" "$W/graph4" | names)"
# a name made by token pasting: only its tail is in the header patch
add 0012 include/linux/flagsacc.h b '__create_dev_flag_accessors(ready_to_probe, DEV_FLAG_READY_TO_PROBE);'
printf 'livefix: error:   drivers/foo/foo.c:9:7: error: implicit declaration of function ‘dev_ready_to_probe’\n' >"$W/err5.log"
printf 'drivers/foo/foo.c\tinclude/linux/flagsacc.h\n' >"$W/graph5"
expect "a token-pasted name found by its tail" "0012" "$("$NH" "$W/c" 0004 "$W/err5.log" "$W/graph5" | names)"
# a header patch whose includer failed: the includer's headers count, not
# only those the header patch's own file includes; which unit failed is
# the build --json document's word (its compile-failed reason's object)
add 0013 drivers/foo/foo.h b 'int foo_new_field;'
add 0014 include/linux/cdrom.h b 'extern void cdrom_new_probe(void);'
cat >"$W/err6.log" <<'LOG'
livefix: error:   drivers/foo/foo.c:9:7: error: implicit declaration of function ‘cdrom_new_probe’
LOG
failed_json "$W/err6.json" drivers/foo/foo.c
printf 'drivers/foo/foo.c	include/linux/cdrom.h drivers/foo/foo.h
' >"$W/graph6"
expect "a header patch: what its failed includer includes" "0014" \
	"$("$NH" "$W/c" 0013 "$W/err6.log" "$W/graph6" "$W/err6.json" | names)"
expect "without the build's JSON the failed includer is unknown" "" \
	"$("$NH" "$W/c" 0013 "$W/err6.log" "$W/graph6" | names)"
# a .c patch that adds the #include itself: the header is not in the
# original tree's closure of the unit
printf '0015\tdrivers/foo/bar.c\ta\tvmlinux\t2\t\n' >>"$W/c/index.tsv"
printf -- '--- a/drivers/foo/bar.c\n+++ b/drivers/foo/bar.c\n@@ -1,1 +1,3 @@\n #include <linux/kernel.h>\n+#include <linux/kstack.h>\n+int x(void) { return kstack_init(); }\n' \
	>"$W/c/patches/0015-drivers-foo-bar.c.patch"
add 0016 include/linux/kstack.h b 'static inline int kstack_init(void) { return 0; }'
cat >"$W/err7.log" <<'LOG'
livefix: error: failed [compile-failed]: compiling drivers/foo/bar.c (patched) failed: exit 1; log: x
livefix: error:   drivers/foo/bar.c:3:9: error: implicit declaration of function ‘kstack_init’
LOG
printf 'drivers/foo/bar.c\tinclude/linux/kernel.h\ninclude/linux/kstack.h\t\n' >"$W/graph7"
expect "a header the .c patch starts to include" "0016" "$("$NH" "$W/c" 0015 "$W/err7.log" "$W/graph7" | names)"
# a call through a function pointer member the commit retypes (stable
# corpus 1180: sof's ops.h calls ops->ipc_msg_data, sof-priv.h retypes it)
printf '0017\tinclude/linux/fooops.h\tb\tvmlinux\t2\t\n' >>"$W/c/index.tsv"
printf -- '--- a/include/linux/fooops.h\n+++ b/include/linux/fooops.h\n@@ -1,4 +1,4 @@\n struct foo_dsp_ops {\n \tint (*msg_data)(struct foo_dev *dev,\n-\t\t\tstruct old_stream *s);\n+\t\t\tstruct new_stream *s);\n' \
	>"$W/c/patches/0017-include-linux-fooops.h.patch"
cat >"$W/err8.log" <<'LOG'
livefix: error: failed [compile-failed]: compiling drivers/foo/foo.c (patched) failed: exit 1; log: x
livefix: error:   drivers/foo/ops.h:455:50: error: passing argument 2 of ‘((struct foo_dsp_ops *)dev->ops)->msg_data’ from incompatible pointer type [-Werror=incompatible-pointer-types]
LOG
printf 'drivers/foo/foo.c\tinclude/linux/fooops.h\n' >"$W/graph8"
expect "a call through a retyped function pointer member" "0017" "$("$NH" "$W/c" 0004 "$W/err8.log" "$W/graph8" | names)"
# the same member given another parameter (stable corpus 6.12 2627/2631:
# syncookies.c calls icsk_af_ops->syn_recv_sock, inet_connection_sock.h
# adds a parameter), also behind an expression gcc prints as it sees it
cat >"$W/err8b.log" <<'LOG'
livefix: error: failed [compile-failed]: compiling drivers/foo/foo.c (patched) failed: exit 1; log: x
livefix: error:   drivers/foo/foo.c:204:17: error: too many arguments to function ‘icsk->icsk_af_ops->msg_data’
livefix: error:   include/linux/container_of.h:35:27: error: too many arguments to function ‘__builtin_memcpy(&<Ue3f0>, &({...}))->ops->msg_data’
LOG
expect "a call with another number of arguments through a member" "0017" \
	"$("$NH" "$W/c" 0004 "$W/err8b.log" "$W/graph8" | names)"
# ... where the member's name is above the hunk's context: the header's
# whole declaration in the tree names it (6.12 2313 inet_connection_sock.h)
printf '0080\tinclude/linux/afops.h\tb\tvmlinux\t2\t\n' >>"$W/c/index.tsv"
printf -- '--- a/include/linux/afops.h\n+++ b/include/linux/afops.h\n@@ -4,4 +4,5 @@\n \t\t\t\t struct dst_entry *dst,\n \t\t\t\t struct request_sock *req_unhash,\n-\t\t\t\t bool *own_req);\n+\t\t\t\t bool *own_req,\n+\t\t\t\t void *child_init);\n \tu16 net_header_len;\n' \
	>"$W/c/patches/0080-include-linux-afops.h.patch"
mkdir -p "$W/g8c/src/include/linux"
printf 'struct af_ops {\n\tstruct sock *(*recv_child_sock)(const struct sock *sk,\n\t\t\t\t struct sk_buff *skb,\n\t\t\t\t struct dst_entry *dst,\n\t\t\t\t struct request_sock *req_unhash,\n\t\t\t\t bool *own_req);\n\tu16 net_header_len;\n};\n' \
	>"$W/g8c/src/include/linux/afops.h"
printf 'drivers/foo/foo.c\tinclude/linux/afops.h\n' >"$W/g8c/include-graph"
cat >"$W/err8c.log" <<'LOG'
livefix: error: failed [compile-failed]: compiling drivers/foo/foo.c (patched) failed: exit 1; log: x
livefix: error:   drivers/foo/foo.c:204:17: error: too many arguments to function ‘icsk->af_ops->recv_child_sock’
LOG
expect "a member whose changed declaration starts above the hunk" "0080" \
	"$("$NH" "$W/c" 0004 "$W/err8c.log" "$W/g8c/include-graph" | names)"
# a compile-time assertion on a member sized by a macro another header
# patch of the commit changes (stable corpus 6.12 0267: cxl's
# BUILD_BUG_ON on sizeof(cxl_nvd->dev_id), CXL_DEV_ID_LEN in cxl.h); a
# header naming the tested name only as a parameter is not needed
add 0018 include/linux/sized.h b '#define DEV_ID_LEN 21'
add 0019 include/linux/param.h b 'struct pci_devx_info;'
mkdir -p "$W/g9/src/include/linux"
printf '#define DEV_ID_LEN 19\nstruct nvd { u8 dev_id[DEV_ID_LEN]; };\n' >"$W/g9/src/include/linux/sized.h"
printf 'void free_irq_of(struct pci_devx_info *p, void *dev_id);\n' >"$W/g9/src/include/linux/param.h"
printf 'drivers/foo/foo.c\tinclude/linux/sized.h include/linux/param.h\n' >"$W/g9/include-graph"
cat >"$W/err9.log" <<'LOG'
livefix: error: failed [compile-failed]: compiling drivers/foo/foo.c (patched) failed: exit 1; log: x
livefix: error:   include/linux/compiler_types.h:557:45: error: call to ‘__compiletime_assert_599’ declared with attribute error: BUILD_BUG_ON failed: sizeof(nvd->dev_id) < 21 || sizeof(nvd->dev_id) > KEY_DESC_LEN
LOG
expect "a failed assertion: the header declaring the tested member with a changed macro" "0018" \
	"$("$NH" "$W/c" 0004 "$W/err9.log" "$W/g9/include-graph" | names)"
# a call whose function the commit makes return a value ("void value not
# ignored": no name; stable corpus 6.12 0365, psp_v11_0.c and amdgpu_psp.h):
# the header patch that changes what the .c patch changes
printf '0020\tdrivers/foo/wait.c\ta\tvmlinux\t2\t\n0021\tinclude/linux/foowait.h\tb\tvmlinux\t2\t\n' >>"$W/c/index.tsv"
printf -- '--- a/drivers/foo/wait.c\n+++ b/drivers/foo/wait.c\n@@ -1,2 +1,2 @@\n int f(struct foo_dev *d) {\n-\tfoo_wait_for(d, 1); return 0;\n+\treturn foo_wait_for(d, 1);\n' \
	>"$W/c/patches/0020-drivers-foo-wait.c.patch"
printf -- '--- a/include/linux/foowait.h\n+++ b/include/linux/foowait.h\n@@ -1,1 +1,1 @@\n-void foo_wait_for(struct foo_dev *d, int x);\n+int foo_wait_for(struct foo_dev *d, int x);\n' \
	>"$W/c/patches/0021-include-linux-foowait.h.patch"
cat >"$W/err10.log" <<'LOG'
livefix: error: failed [compile-failed]: compiling drivers/foo/wait.c (patched) failed: exit 1; log: x
livefix: error:   drivers/foo/wait.c:2:9: error: void value not ignored as it ought to be
LOG
printf 'drivers/foo/wait.c\tinclude/linux/foowait.h\n' >"$W/graph10"
expect "a void value used: the header patch retyping what the .c patch changes" "0021" \
	"$("$NH" "$W/c" 0020 "$W/err10.log" "$W/graph10" | names)"
# a struct the commit moves to another header (stable corpus 6.12 0312:
# cper_cxl.h drops struct cper_sec_prot_err, cxl/event.h adds struct
# cxl_cper_sec_prot_err, which the includers' .c patches start to include):
# gcc names the type only as incomplete; the header is found through the
# #include the failed unit's own corpus patch adds
printf '0022\tdrivers/foo/err.h\tb\tvmlinux\t2\t\n0023\tdrivers/foo/err.c\ta\tvmlinux\t2\t\n0024\tinclude/linux/ev.h\tb\tvmlinux\t3\t\n' >>"$W/c/index.tsv"
printf -- '--- a/drivers/foo/err.h\n+++ b/drivers/foo/err.h\n@@ -1,3 +1,1 @@\n-struct old_prot_err {\n-\tu64 bits;\n-};\n+void new_print_err(const struct new_prot_err *e);\n' \
	>"$W/c/patches/0022-drivers-foo-err.h.patch"
printf -- '--- a/drivers/foo/err.c\n+++ b/drivers/foo/err.c\n@@ -1,2 +1,3 @@\n #include "err.h"\n+#include <linux/ev.h>\n-\tstruct old_prot_err *e = p;\n+\tstruct new_prot_err *e = p;\n' \
	>"$W/c/patches/0023-drivers-foo-err.c.patch"
printf -- '--- a/include/linux/ev.h\n+++ b/include/linux/ev.h\n@@ -1,1 +1,4 @@\n #include <linux/types.h>\n+struct new_prot_err {\n+\tu64 bits;\n+};\n' \
	>"$W/c/patches/0024-include-linux-ev.h.patch"
cat >"$W/err11.log" <<'LOG'
livefix: error: failed [compile-failed]: compiling drivers/foo/err.c (patched) failed: exit 1; log: x
livefix: error:   drivers/foo/err.c:697:55: error: invalid application of ‘sizeof’ to incomplete type ‘struct new_prot_err’
livefix: error:   drivers/foo/err.c:699:21: error: invalid use of undefined type ‘const struct new_prot_err’
LOG
failed_json "$W/err11.json" drivers/foo/err.c
printf 'drivers/foo/err.c\tdrivers/foo/err.h\ninclude/linux/ev.h\tinclude/linux/types.h\n' >"$W/graph11"
expect "a struct moved to a header the failed unit's patch includes (sizeof of an incomplete type)" "0022,0024" \
	"$("$NH" "$W/c" 0022 "$W/err11.log" "$W/graph11" "$W/err11.json" | names)"
expect "without the failed unit (no JSON) the new header is out of reach" "" \
	"$("$NH" "$W/c" 0022 "$W/err11.log" "$W/graph11" | names)"
# the other forms: a field, a variable or a parameter of an incomplete
# type name the variable; its type is its declaration's (the tree's file
# or the lines the file's corpus patch adds)
add 0025 include/linux/moved.h b 'struct moved_thing { int a; };'
add 0026 include/linux/moved2.h b 'typedef struct { int b; } moved_state_t;'
add 0027 include/linux/moved3.h b 'union moved_regs { int c; };'
printf '0028\tdrivers/foo/use.c\ta\tvmlinux\t1\t\n' >>"$W/c/index.tsv"
printf -- '--- a/drivers/foo/use.c\n+++ b/drivers/foo/use.c\n@@ -1,1 +1,2 @@\n ctx\n+\tunion moved_regs regs;\n' \
	>"$W/c/patches/0028-drivers-foo-use.c.patch"
mkdir -p "$W/g12/src/drivers/foo"
printf 'struct holder {\n\tstruct moved_thing thing;\n};\nstatic int f(void) { moved_state_t st = {}; return 0; }\n' >"$W/g12/src/drivers/foo/use.c"
printf 'drivers/foo/use.c\tinclude/linux/moved.h include/linux/moved2.h include/linux/moved3.h\n' >"$W/g12/include-graph"
cat >"$W/err12.log" <<'LOG'
livefix: error:   drivers/foo/use.c:2:28: error: field ‘thing’ has incomplete type
livefix: error:   drivers/foo/use.c:4:36: error: storage size of ‘st’ isn’t known
livefix: error:   ./drivers/foo/use.c:6:26: error: storage size of ‘regs’ isn’t known
LOG
expect "a field, a variable of a typedef, a variable the patch adds: their declared types" "0025,0026,0027" \
	"$("$NH" "$W/c" 0028 "$W/err12.log" "$W/g12/include-graph" | names)"
printf 'livefix: error:   drivers/foo/use.c:9:9: error: dereferencing pointer to incomplete type ‘struct moved_thing’\n' >"$W/err13.log"
expect "dereferencing a pointer to an incomplete type (older gcc)" "0025" \
	"$("$NH" "$W/c" 0028 "$W/err13.log" "$W/g12/include-graph" | names)"
# --unprovided: what no corpus patch can cure. The commit's header that
# adds the struct is not in this corpus (a copy without 0024): gcc's names
# that the built patches change are printed; with 0024 in the corpus, or
# for an error naming nothing the patches change, nothing is
mkdir -p "$W/c2/patches"
cp "$W/c/patches/0022-"* "$W/c/patches/0023-"* "$W/c2/patches/"
grep -P '^(id|0022|0023)\t' "$W/c/index.tsv" >"$W/c2/index.tsv"
expect "--unprovided: a struct the commit's missing header adds" "new_prot_err" \
	"$("$NH" --unprovided "$W/c2" "$W/err11.log" "$W/c2/patches/0022-"* "$W/c2/patches/0023-"* | paste -sd, -)"
expect "--unprovided: another corpus patch adds it (the search missed it)" "" \
	"$("$NH" --unprovided "$W/c" "$W/err11.log" "$W/c/patches/0022-"* "$W/c/patches/0023-"*)"
expect "--unprovided: the errors name nothing the patches change" "" \
	"$("$NH" --unprovided "$W/c2" "$W/err.log" "$W/c2/patches/0022-"* "$W/c2/patches/0023-"*)"
# the other forms naming what a header of the commit adds or retypes: a
# typedef gcc does not know in a declaration, a member, a macro given
# other parameters; and a definition moved out of a header named as a
# symbol of another kind, a static one, or a redefined macro
add 0029 include/linux/evt.h b 'typedef struct { int a; } cxl_evt_t;'
add 0030 include/linux/mbr.h b 'struct mbr_holder { int mbr_new_count; };'
add 0031 include/linux/mac.h b '#define MAC_CHECK(a, b, c) ((a) + (b) + (c))'
add 0032 include/linux/evt2.h b 'typedef int u64x;'
printf '0033\tinclude/linux/old.h\tb\tvmlinux\t3\t\n' >>"$W/c/index.tsv"
printf -- '--- a/include/linux/old.h\n+++ b/include/linux/old.h\n@@ -1,4 +1,1 @@\n #include <x.h>\n-static inline int old_helper_fn(void) { return 0; }\n-#define OLD_LIMIT_MAX 4\n-enum { old_state_x };\n' \
	>"$W/c/patches/0033-include-linux-old.h.patch"
cat >"$W/err14.log" <<'LOG'
livefix: error:   drivers/foo/foo.c:4:20: error: expected declaration specifiers or ‘...’ before ‘cxl_evt_t’
livefix: error:   drivers/foo/foo.c:5:20: error: expected ‘)’ before ‘u64x’
livefix: error:   drivers/foo/foo.c:6:9: error: request for member ‘mbr_new_count’ in something not a structure or union
livefix: error:   drivers/foo/foo.c:7:9: error: macro "MAC_CHECK" requires 3 arguments, but only 2 given
LOG
printf 'drivers/foo/foo.c\tinclude/linux/evt.h include/linux/evt2.h include/linux/mbr.h include/linux/mac.h include/linux/old.h\n' >"$W/graph14"
expect "a typedef before which a declaration fails (not a short name), a member, a macro's arguments" "0029,0030,0031" \
	"$("$NH" "$W/c" 0004 "$W/err14.log" "$W/graph14" | names)"
cat >"$W/err15.log" <<'LOG'
livefix: error:   drivers/foo/foo.c:4:12: error: static declaration of ‘old_helper_fn’ follows non-static declaration
livefix: error:   drivers/foo/foo.c:5:1: error: "OLD_LIMIT_MAX" redefined [-Werror]
livefix: error:   drivers/foo/foo.c:6:8: error: ‘old_state_x’ redeclared as different kind of symbol
LOG
expect "a function, macro, enumerator moved out of a header" "0033" \
	"$("$NH" "$W/c" 0004 "$W/err15.log" "$W/graph14" | names)"
# a header change refused beyond --max-units: its layout probe (an
# includer) did not compile with the patched headers, only warned about
# (stable corpus 6.12 2263 perf_event.h: the inline functions call
# security_perf_event_open as include/linux/security.h's patch 2280 changes
# it); the probe's includes count as a failed unit's would (secy.h, which
# it does not include, not; the patch itself is printed, the runner drops it)
add 0090 include/linux/perfx.h b 'static inline int perfx_allow(void) { return secx_open(1); }'
add 0091 include/linux/secx.h b 'int secx_open(int what);'
add 0092 include/linux/secy.h b 'int secx_open(int what);'
cat >"$W/err90.log" <<'LOG'
include/linux/perfx.h: more includers than --max-units; compiling one, drivers/foo/probe.c, only to look for a data layout change
livefix: warning: compiling drivers/foo/probe.c (patched) failed: exit 1; log: x
livefix: warning:   ./include/linux/perfx.h:9:16: error: too many arguments to function ‘secx_open’
livefix: warning: include/linux/perfx.h: drivers/foo/probe.c does not compile with the patched headers: data layouts not checked
livefix: error: refused [header-limit]: include/linux/perfx.h: header change affects more than 40 compiled units
LOG
printf 'drivers/foo/probe.c\tinclude/linux/perfx.h include/linux/secx.h\n' >"$W/graph90"
expect "a layout probe that did not compile: what it includes" "0090,0091" \
	"$("$NH" "$W/c" 0090 "$W/err90.log" "$W/graph90" | names)"
# a guard the header defines with cleanup.h's macros, used by guard(x)()
# in the unit: gcc names the class type (stable corpus 6.12 1694
# vc_screen.c's guard(console_lock)() and console.h's 2218)
add 0093 include/linux/consx.h b 'DEFINE_LOCK_GUARD_0(consx_lock, consx_lock(), consx_unlock());'
cat >"$W/err93.log" <<'LOG'
livefix: error:   ./include/linux/cleanup.h:277:9: error: unknown type name ‘class_consx_lock_t’; did you mean ‘class_local_lock_t’?
livefix: error:   drivers/foo/foo.c:613:9: error: cleanup argument not a function
LOG
printf 'drivers/foo/foo.c\tinclude/linux/consx.h\n' >"$W/graph93"
expect "a cleanup.h guard a header defines: the class type's name" "0093" \
	"$("$NH" "$W/c" 0004 "$W/err93.log" "$W/graph93" | names)"
# an error placed in a header's macro, naming nothing: the header patch
# whose hunk spans that line (6.12 1818 virtio_mmio.c, 2298 virtio.h's
# virtio_device_for_each_vq parenthesising its parameter); not another
# patch of the same header elsewhere, nor one of a header of that name
printf '0094\tinclude/linux/virtx.h\tb\tvmlinux\t2\t\n0095\tinclude/linux/virtx.h\tb\tvmlinux\t1\t\n0096\tdrivers/foo/virtx.h\tb\tvmlinux\t1\t\n' >>"$W/c/index.tsv"
for p in 0094:184 0095:40 0096:184; do
	printf -- '--- a/x\n+++ b/x\n@@ -%s,7 +%s,7 @@\n ctx\n-\tlist_for_each_entry(vq, &vdev->vqs, list)\n+\tlist_for_each_entry(vq, &(vdev)->vqs, list)\n' \
		"${p#*:}" "${p#*:}" >"$W/c/patches/${p%:*}-virtx.h.patch"
done
cat >"$W/err94.log" <<'LOG'
livefix: error:   /var/cache/livefix/k/src/include/linux/virtx.h:187:38: error: invalid type argument of ‘->’ (have ‘struct virtio_device’)
LOG
expect "an error placed in a line a header patch changes" "0094" \
	"$("$NH" "$W/c" 0004 "$W/err94.log" "$W/graph93" | names)"
# the unit's patch stops including a header that gave it a type; a
# header patch includes, beside itself, the file defining it (6.12 1873
# fs.c drops "ctree.h", 1851 accessors.h adds #include "extent_io.h");
# not a header patch adding an include of a file that does not name it
printf '0097\tfs/bx/accessx.h\tb\tvmlinux\t1\t\n0098\tfs/bx/other.h\tb\tvmlinux\t1\t\n' >>"$W/c/index.tsv"
printf -- '--- a/x\n+++ b/x\n@@ -12,1 +12,2 @@\n #include <linux/mm.h>\n+#include "extent_iox.h"\n' >"$W/c/patches/0097-accessx.h.patch"
printf -- '--- a/x\n+++ b/x\n@@ -12,1 +12,2 @@\n #include <linux/mm.h>\n+#include "unrelx.h"\n' >"$W/c/patches/0098-other.h.patch"
mkdir -p "$W/g97/src/fs/bx"
printf '#include <linux/types.h>\nstruct extent_bufferx {\n\tint len;\n};\n' >"$W/g97/src/fs/bx/extent_iox.h"
printf '#include <linux/types.h>\nstruct unrelated_thing;\n' >"$W/g97/src/fs/bx/unrelx.h"
printf 'drivers/foo/foo.c\tfs/bx/accessx.h fs/bx/other.h\nfs/bx/extent_iox.h\tinclude/linux/types.h\nfs/bx/unrelx.h\tinclude/linux/types.h\n' >"$W/g97/graph"
cat >"$W/err97.log" <<'LOG'
livefix: error:   /var/cache/livefix/k/src/fs/bx/accessx.h:134:36: error: invalid use of undefined type ‘const struct extent_bufferx’
LOG
expect "a header patch's added #include of the file defining what is missing" "0097" \
	"$("$NH" "$W/c" 0004 "$W/err97.log" "$W/g97/graph" | names)"
# a failed unit's own corpus patch adds a quoted #include of a header
# beside it, new to its includes: that header's patch is a candidate
# (6.12 2030 pnfs_nfs.c adds "netns.h", whose struct nfs_net members
# 2023 adds)
printf '0101\tdrivers/nfx/netx.h\tb\tvmlinux\t1\t\n0102\tdrivers/nfx/pnfx.c\ta\tvmlinux\t1\t\n' >>"$W/c/index.tsv"
printf -- '--- a/x\n+++ b/x\n@@ -3,1 +3,2 @@\n struct nfx_net {\n+\tvoid *data_server_cachex;\n' >"$W/c/patches/0101-drivers-nfx-netx.h.patch"
printf -- '--- a/x\n+++ b/x\n@@ -1,1 +1,2 @@\n #include <linux/flags.h>\n+#include "netx.h"\n' >"$W/c/patches/0102-drivers-nfx-pnfx.c.patch"
printf 'drivers/nfx/pnfx.c\tinclude/linux/flags.h\ndrivers/foo/foo.c\tinclude/linux/flags.h\ndrivers/nfx/netx.h\tinclude/linux/types.h\n' >"$W/graph101"
cat >"$W/err101.log" <<'LOG'
livefix: error:   drivers/nfx/pnfx.c:613:36: error: ‘const struct nfx_net’ has no member named ‘data_server_cachex’
LOG
failed_json "$W/f101.json" drivers/nfx/pnfx.c
expect "a header a failed unit's own patch starts to include, beside it" "0101" \
	"$("$NH" "$W/c" 0004 "$W/err101.log" "$W/graph101" "$W/f101.json" | names)"
# a function declared by a header the commit creates, which another header
# of the unit now includes (6.12 2942: 2279 secure_boot.h, 2945 integrity.h)
printf '0110\tinclude/linux/newdecl.h\tb\tvmlinux\t3\t\n0111\tinclude/linux/wrap2.h\tb\tvmlinux\t1\t\n0112\tdrivers/foo/bar.c\ta\tvmlinux\t1\t\n' >>"$W/c/index.tsv"
printf -- '--- a/include/linux/newdecl.h\n+++ b/include/linux/newdecl.h\n@@ -0,0 +1,3 @@\n+#ifndef NEWDECL_H\n+bool new_decl_fn(void);\n+#endif\n' \
	>"$W/c/patches/0110-include-linux-newdecl.h.patch"
printf -- '--- a/include/linux/wrap2.h\n+++ b/include/linux/wrap2.h\n@@ -1,1 +1,2 @@\n #include <linux/types.h>\n+#include <linux/newdecl.h>\n' \
	>"$W/c/patches/0111-include-linux-wrap2.h.patch"
printf -- '--- a/drivers/foo/bar.c\n+++ b/drivers/foo/bar.c\n@@ -1,1 +1,2 @@\n ctx\n+\treturn new_decl_fn();\n' \
	>"$W/c/patches/0112-drivers-foo-bar.c.patch"
printf 'drivers/foo/bar.c\tinclude/linux/wrap2.h\ninclude/linux/wrap2.h\tinclude/linux/types.h\n' >"$W/graph110"
cat >"$W/err110.log" <<'LOG'
livefix: error:   drivers/foo/bar.c:2:9: error: implicit declaration of function ‘new_decl_fn’ [-Wimplicit-function-declaration]
LOG
expect "a new header's declaration, through the include another header adds" "0111,0110" \
	"$("$NH" "$W/c" 0112 "$W/err110.log" "$W/graph110" | names)"
# a member a header retypes, read where gcc finds a value of another type
# (6.12 2956: rka->pid, 2206 request_key_auth-type.h's struct pid *)
printf '0113\tdrivers/foo/baz.c\ta\tvmlinux\t1\t\n0114\tinclude/linux/thing.h\tb\tvmlinux\t2\t\n0115\tinclude/linux/other2.h\tb\tvmlinux\t2\t\n' >>"$W/c/index.tsv"
printf -- '--- a/drivers/foo/baz.c\n+++ b/drivers/foo/baz.c\n@@ -1,1 +1,2 @@\n ctx\n+\tput_thing(obj->owner);\n' \
	>"$W/c/patches/0113-drivers-foo-baz.c.patch"
printf -- '--- a/include/linux/thing.h\n+++ b/include/linux/thing.h\n@@ -1,3 +1,3 @@\n struct thing_ref {\n-\tint owner;\n+\tstruct thing *owner;\n };\n' \
	>"$W/c/patches/0114-include-linux-thing.h.patch"
printf -- '--- a/include/linux/other2.h\n+++ b/include/linux/other2.h\n@@ -1,2 +1,2 @@\n ctx\n-int owner_count(void);\n+long owner_count(void);\n' \
	>"$W/c/patches/0115-include-linux-other2.h.patch"
mkdir -p "$W/g113/src/drivers/foo"
printf 'ctx\n' >"$W/g113/src/drivers/foo/baz.c"
printf 'drivers/foo/baz.c\tinclude/linux/thing.h include/linux/other2.h\n' >"$W/g113/include-graph"
cat >"$W/err113.log" <<'LOG'
livefix: error:   drivers/foo/baz.c:2:19: error: passing argument 1 of ‘put_thing’ makes pointer from integer without a cast [-Wint-conversion]
LOG
expect "a member a header retypes, read on the line of a conversion error" "0114" \
	"$("$NH" "$W/c" 0113 "$W/err113.log" "$W/g113/include-graph" | names)"
# a member a header makes a pointer, named by gcc (6.12 2974 mls.c, 2976)
printf '0116\tinclude/linux/lev.h\tb\tvmlinux\t2\t\n' >>"$W/c/index.tsv"
printf -- '--- a/include/linux/lev.h\n+++ b/include/linux/lev.h\n@@ -1,3 +1,3 @@\n struct lev_datum {\n-\tstruct mls_lev level;\n+\tstruct mls_lev *level;\n };\n' \
	>"$W/c/patches/0116-include-linux-lev.h.patch"
printf 'drivers/foo/baz.c\tinclude/linux/lev.h include/linux/thing.h\n' >"$W/g113/include-graph"
cat >"$W/err116.log" <<'LOG'
livefix: error:   drivers/foo/baz.c:2:49: error: ‘levdatum->level’ is a pointer; did you mean to use ‘->’?
LOG
expect "a member gcc says is a pointer now" "0116" \
	"$("$NH" "$W/c" 0113 "$W/err116.log" "$W/g113/include-graph" | names)"
# a cleanup whose DEFINE_FREE a header patch adds, the __free() one line
# above gcc's place (6.12 2981 control.c, 2353 sound/core.h)
printf '0117\tdrivers/foo/free.c\ta\tvmlinux\t2\t\n0118\tinclude/linux/cardx.h\tb\tvmlinux\t1\t\n' >>"$W/c/index.tsv"
printf -- '--- a/drivers/foo/free.c\n+++ b/drivers/foo/free.c\n@@ -1,1 +1,3 @@\n ctx\n+\tstruct cardx *card __free(cardx_unref) =\n+\t\tcardx_ref(n);\n' \
	>"$W/c/patches/0117-drivers-foo-free.c.patch"
printf -- '--- a/include/linux/cardx.h\n+++ b/include/linux/cardx.h\n@@ -1,1 +1,2 @@\n ctx\n+DEFINE_FREE(cardx_unref, struct cardx *, if (_T) cardx_unref(_T))\n' \
	>"$W/c/patches/0118-include-linux-cardx.h.patch"
printf 'ctx\n' >"$W/g113/src/drivers/foo/free.c"
printf 'drivers/foo/free.c\tinclude/linux/cardx.h include/linux/lev.h\n' >"$W/g113/include-graph"
cat >"$W/err117.log" <<'LOG'
livefix: error:   drivers/foo/free.c:3:25: error: cleanup argument not a function
LOG
expect "a cleanup's DEFINE_FREE a header patch adds" "0118" \
	"$("$NH" "$W/c" 0117 "$W/err117.log" "$W/g113/include-graph" | names)"
# a function table entry whose prototype a header patch changes (6.12
# 2974: policydb.c's read_f[] and 2970 conditional.h's cond_read_bool)
printf '0119\tdrivers/foo/table.c\ta\tvmlinux\t2\t\n0120\tinclude/linux/readers.h\tb\tvmlinux\t2\t\n' >>"$W/c/index.tsv"
printf -- '--- a/drivers/foo/table.c\n+++ b/drivers/foo/table.c\n@@ -1,1 +1,3 @@\n ctx\n+\tcommon_reader,\n+\tcond_read_thing,\n' \
	>"$W/c/patches/0119-drivers-foo-table.c.patch"
printf -- '--- a/include/linux/readers.h\n+++ b/include/linux/readers.h\n@@ -1,2 +1,2 @@\n ctx\n-int cond_read_thing(struct pdb *p, void *fp);\n+int cond_read_thing(struct pdb *p, struct pfile *fp);\n' \
	>"$W/c/patches/0120-include-linux-readers.h.patch"
printf 'ctx\n' >"$W/g113/src/drivers/foo/table.c"
printf 'drivers/foo/table.c\tinclude/linux/readers.h include/linux/cardx.h\n' >"$W/g113/include-graph"
cat >"$W/err119.log" <<'LOG'
livefix: error:   drivers/foo/table.c:3:9: error: initialization of ‘int (*)(struct pdb *, struct pfile *)’ from incompatible pointer type ‘int (*)(struct pdb *, void *)’ [-Wincompatible-pointer-types]
LOG
expect "a table entry whose prototype a header patch changes" "0120" \
	"$("$NH" "$W/c" 0119 "$W/err119.log" "$W/g113/include-graph" | names)"
printf 'livefix: error: something else\n' >"$W/other.log"
expect "no missing identifiers: no header" "" "$("$NH" "$W/c" 0004 "$W/other.log" "$W/graph" | names)"
"$NH" >/dev/null 2>&1; expect "usage error exits 2" 2 $?
expect_summary
