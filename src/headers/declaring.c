// SPDX-License-Identifier: GPL-2.0-only
/* The kernel's macros whose invocation at the top level of a header
 * declares names built from its arguments, or named by one of them
 * (parse.h). Their names cannot
 * be read from the invocation's words: DEFINE_LOCK_GUARD_0(console_lock,
 * ...) declares class_console_lock_t and its functions by pastes in
 * include/linux/cleanup.h (Linux 6.5 and later), and code reaches them
 * through other pastes, guard(console_lock). So each entry says which
 * arguments make the word users write (the "class": console_lock, or
 * mutex ## _intr for DEFINE_GUARD_COND(mutex, _intr, ...)) and which
 * names the invocation declares from it: the union over the releases
 * that have the macro (a name too many only makes a change reach more).
 * Every one of them expands to declarations, typedefs and static inline
 * functions, nothing an includer emits unless it uses them, and ends
 * where its ')' does (a ';' after it is an empty declaration). */
#include "headers/parse.h"

#include <stdbool.h>
#include <string.h>

#define GUARD_NAMES                                                                        \
	{ "class_%s_t", "class_%s_destructor", "class_%s_constructor", "class_%s_lock_ptr", \
	  "class_%s_is_conditional" }

static const struct declaring_macro declaring_macros[] = {
	/* include/linux/cleanup.h */
	{ "DEFINE_FREE", 1, 3, { "__free_%s" }, 0 },
	{ "DEFINE_CLASS", 1, 4, { "class_%s_t", "class_%s_destructor", "class_%s_constructor" }, 0 },
	{ "EXTEND_CLASS", 2, 3, { "class_%s_t", "class_%s_destructor", "class_%s_constructor" }, 0 },
	{ "DEFINE_GUARD", 1, 4, GUARD_NAMES, 0 },
	{ "DEFINE_GUARD_COND", 2, 3, GUARD_NAMES, 0 },
	{ "DEFINE_LOCK_GUARD_0", 1, 3, GUARD_NAMES, 0 },
	{ "DEFINE_LOCK_GUARD_1", 1, 4, GUARD_NAMES, 0 },
	{ "DEFINE_LOCK_GUARD_1_COND", 2, 3, GUARD_NAMES, 0 },
	{ "DEFINE_CLASS_IS_GUARD", 1, 1, { "class_%s_lock_ptr", "class_%s_is_conditional" }, 0 },
	{ "DEFINE_CLASS_IS_COND_GUARD", 1, 1,
	  { "class_%s_lock_ptr", "class_%s_is_conditional" }, 0 },
	/* include/linux/percpu-defs.h: (type, name) declares name, which
	 * code names as it is (this_cpu_read(name), per_cpu(name, cpu)) */
	{ "DECLARE_PER_CPU", 1, 2, { "%s" }, 1 },
	{ "DECLARE_PER_CPU_ALIGNED", 1, 2, { "%s" }, 1 },
	{ "DECLARE_PER_CPU_SHARED_ALIGNED", 1, 2, { "%s" }, 1 },
	{ "DECLARE_PER_CPU_PAGE_ALIGNED", 1, 2, { "%s" }, 1 },
	{ "DECLARE_PER_CPU_READ_MOSTLY", 1, 2, { "%s" }, 1 },
	{ "DECLARE_PER_CPU_DECRYPTED", 1, 2, { "%s" }, 1 },
	{ "DECLARE_PER_CPU_CACHE_HOT", 1, 2, { "%s" }, 1 },
	/* include/linux/jump_label.h: (name) declares the key name */
	{ "DECLARE_STATIC_KEY_FALSE", 1, 1, { "%s" }, 0 },
	{ "DECLARE_STATIC_KEY_TRUE", 1, 1, { "%s" }, 0 },
};

const struct declaring_macro *hdr_declaring_macro(const char *word, size_t len)
{
	for (size_t i = 0; i < sizeof(declaring_macros) / sizeof(*declaring_macros); i++)
		if (hdr_word_is(word, len, declaring_macros[i].name))
			return &declaring_macros[i];
	return NULL;
}
