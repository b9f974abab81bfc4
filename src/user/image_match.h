/* SPDX-License-Identifier: GPL-2.0-only */
/* Whether a rebuilt, unstripped binary loads as the running one does when
 * their Build-IDs differ: GNU ld hashes the whole unstripped file into the
 * Build-ID, debug information and .comment included, so a path recorded in
 * DWARF or a toolchain point release changes it while every byte the
 * process maps stays the same (docs/userspace.md, "Rebuilding"). The two
 * files are compared section by section over every SHF_ALLOC section (name,
 * address, size, flags, type; contents unless NOBITS; the Build-ID note's
 * contents excepted), then their PT_LOAD segments, and the entry point. */
#ifndef LIVEFIX_USER_IMAGE_MATCH_H
#define LIVEFIX_USER_IMAGE_MATCH_H

/* 0: the loaded images are equal. -ENOTSUP: they differ, *why (owned)
 * names the first difference ("section .rodata: contents differ at
 * +0x40"). -EINVAL: a file cannot be read as ELF (logged). */
int user_image_match(const char *running, const char *rebuilt, char **why);

#endif
