/* SPDX-License-Identifier: GPL-2.0-only */
/* A userspace patch: the code of the changed and new functions (an ELF
 * relocatable object whose outside references are addresses in the
 * target binary) and, per replaced function, where it is and what its
 * running code must be (run-pre). The file format is in
 * docs/userspace.md; patchfile.c writes and reads it. */
#ifndef LIVEFIX_USER_PATCH_H
#define LIVEFIX_USER_PATCH_H

#include <stddef.h>
#include <stdint.h>

struct elf;

/* The jump written at a replaced function's entry: jmp rel32. */
#define USER_JUMP_SIZE 5
/* The prefix of .livefix.got.<name>: the binary's GOT slot of an import. */
#define USER_GOT_PREFIX ".livefix.got."

struct user_func {
	char *name;          /* in the binary (owned) */
	char *new_symbol;    /* the replacement's symbol in the patch object (owned) */
	uint64_t vaddr;      /* link-time address of the function in the binary */
	uint64_t size;       /* its size there */
	unsigned entry;      /* where the jump goes: 4 after an endbr64, else 0 */
	uint64_t expect_size;  /* the original object's size of it: the jumps the running
				* binary has shorter make size smaller */
	unsigned char *expect; /* expect_size bytes: the code run-pre expects (owned) */
	unsigned char *mask;   /* expect_size bytes: enum verify_mask (owned) */
};

struct user_patch {
	char *name;          /* owned */
	char *build_id;      /* the target binary's, hex (owned) */
	char *binary;        /* the binary's path at build time (owned) */
	char *cves;          /* the CVEs it fixes, space-separated, or NULL (owned) */
	struct user_func *funcs;
	size_t nr_funcs;
	struct elf *elf;     /* code, data, relocations (owned) */
};

/* Writes p (its elf gains the .livefix.user sections) to path, atomically,
 * with the checksum trailer. 0 or -errno (logged). */
int user_patch_write(struct user_patch *p, const char *path);
/* Reads and checks a patch file: trailer, format, consistency. 0, or
 * -EBADMSG ("truncated or modified") / -EINVAL / -errno, logged. */
int user_patch_read(const char *path, struct user_patch *p);
void user_patch_release(struct user_patch *p);

#endif
