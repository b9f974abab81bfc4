/* SPDX-License-Identifier: GPL-2.0 */
/*
 * livefix-macros.h — what a source patch can tell livefix, for patched units
 * of a Linux kernel built by `livefix build` (the build adds this header's
 * directory to the compiler's search path; nothing to install in the tree).
 *
 * Each macro emits a small descriptor into a dedicated, never-loaded ELF
 * section of the patched object (".livefix.<what>"). livefix reads those
 * sections at build time; they never reach the patch module.
 *
 *   LIVEFIX_PRE_PATCH_CALLBACK(fn)     int  fn(struct klp_object *obj)
 *   LIVEFIX_POST_PATCH_CALLBACK(fn)    void fn(struct klp_object *obj)
 *   LIVEFIX_PRE_UNPATCH_CALLBACK(fn)   void fn(struct klp_object *obj)
 *   LIVEFIX_POST_UNPATCH_CALLBACK(fn)  void fn(struct klp_object *obj)
 *	Livepatch callbacks (Documentation/livepatch/callbacks.rst) of the
 *	klp_object the unit belongs to: vmlinux, or the module the unit is
 *	built into (that object is patched even if no function of it
 *	changed). Several callbacks of one kind for one object all run: the
 *	patch kinds in the order of the units in the build (within a unit, in
 *	the order of the object file), the unpatch kinds in reverse. The first
 *	pre-patch callback that fails stops the others and fails the patching
 *	of that object (the ones before it are not undone).
 *   LIVEFIX_IGNORE_FUNCTION(fn)
 *	fn is not patched even if it changed; references to it from patched
 *	code go to the running kernel's version.
 *   LIVEFIX_IGNORE_SECTION("name")
 *	The functions of section "name" (e.g. ".text.foo") are not patched and
 *	changes of the variables in it are not refused.
 *   LIVEFIX_IGNORE_STATIC("name")
 *	The static local variable "name" (the C name: "count" for GCC's
 *	"count.12") is never matched to the original's: the patched code gets
 *	its own, freshly initialised copy.
 *   LIVEFIX_FORCE_UNSAFE(fn)
 *	fn changed in a way livefix refuses (init code, no __fentry__ call):
 *	build anyway, without patching fn, with a warning. Only for changes
 *	known not to matter to the running kernel (init code that has run).
 *   LIVEFIX_PRINTK(fmt, ...)
 *	printk() into the kernel log, kept out of the compiler's "unlikely"
 *	path analysis (printk is __cold: code around a bare printk may be
 *	moved into .cold parts and change more functions than the patch).
 */
#ifndef LIVEFIX_MACROS_H
#define LIVEFIX_MACROS_H

#ifdef __KERNEL__
#include <linux/compiler.h>
#include <linux/printk.h>
#include <linux/jiffies.h>
#include <linux/livepatch.h>
#else
/* Outside a kernel build (livefix's own tests): just the descriptors. */
struct klp_object;
#ifndef __UNIQUE_ID
#define __LIVEFIX_PASTE2(a, b) a##b
#define __LIVEFIX_PASTE(a, b) __LIVEFIX_PASTE2(a, b)
#define __UNIQUE_ID(prefix) __LIVEFIX_PASTE(__LIVEFIX_PASTE(__UNIQUE_ID_, prefix), __COUNTER__)
#endif
#endif

/* One callback descriptor, 16 bytes. objname: NULL, the unit's object.
 * Descriptors are named after the function, not with __UNIQUE_ID: taking a
 * __COUNTER__ value would renumber every later __UNIQUE_ID of the unit. */
struct livefix_pre_patch_callback {
	int (*fn)(struct klp_object *obj);
	const char *objname;
};
struct livefix_patch_callback {
	void (*fn)(struct klp_object *obj);
	const char *objname;
};

#define __LIVEFIX_SECTION(name) __attribute__((__section__(name), __used__, __aligned__(8)))

#define LIVEFIX_PRE_PATCH_CALLBACK(_fn)						\
	static const struct livefix_pre_patch_callback				\
	__livefix_pre_patch_##_fn __LIVEFIX_SECTION(".livefix.callbacks.pre_patch") = \
		{ .fn = _fn, .objname = (const char *)0 }
#define LIVEFIX_POST_PATCH_CALLBACK(_fn)					\
	static const struct livefix_patch_callback				\
	__livefix_post_patch_##_fn __LIVEFIX_SECTION(".livefix.callbacks.post_patch") = \
		{ .fn = _fn, .objname = (const char *)0 }
#define LIVEFIX_PRE_UNPATCH_CALLBACK(_fn)					\
	static const struct livefix_patch_callback				\
	__livefix_pre_unpatch_##_fn __LIVEFIX_SECTION(".livefix.callbacks.pre_unpatch") = \
		{ .fn = _fn, .objname = (const char *)0 }
#define LIVEFIX_POST_UNPATCH_CALLBACK(_fn)					\
	static const struct livefix_patch_callback				\
	__livefix_post_unpatch_##_fn __LIVEFIX_SECTION(".livefix.callbacks.post_unpatch") = \
		{ .fn = _fn, .objname = (const char *)0 }

#define LIVEFIX_IGNORE_FUNCTION(_fn)						\
	static void *const __livefix_ignore_function_##_fn		\
	__LIVEFIX_SECTION(".livefix.ignore.functions") = (void *)(_fn)
#define LIVEFIX_FORCE_UNSAFE(_fn)						\
	static void *const __livefix_force_unsafe_##_fn			\
	__LIVEFIX_SECTION(".livefix.force_unsafe") = (void *)(_fn)
#define LIVEFIX_IGNORE_SECTION(_name)						\
	static const char *const __UNIQUE_ID(livefix_ignore_section_)		\
	__LIVEFIX_SECTION(".livefix.ignore.sections") = (_name)
#define LIVEFIX_IGNORE_STATIC(_name)						\
	static const char *const __UNIQUE_ID(livefix_ignore_static_)		\
	__LIVEFIX_SECTION(".livefix.ignore.statics") = (_name)

#ifdef __KERNEL__
/* jiffies is never 0 once the kernel runs: the condition is opaque to the
 * compiler, so the printk stays where it is written. */
#define LIVEFIX_PRINTK(_fmt, ...)						\
	({ if (READ_ONCE(jiffies)) printk(_fmt, ##__VA_ARGS__); })
#endif

#endif
