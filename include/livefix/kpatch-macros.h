/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kpatch-macros.h — source compatibility with patches written for kpatch:
 * the same file name and macro names, implemented by livefix-macros.h
 * (which documents what each does). Include it as "kpatch-macros.h" or
 * <kpatch-macros.h>; `livefix build` puts it on the compiler's path.
 */
#ifndef LIVEFIX_KPATCH_MACROS_H
#define LIVEFIX_KPATCH_MACROS_H

#include "livefix-macros.h"
#ifdef __KERNEL__
#include "kpatch-syscall.h"
#endif

/* kpatch's name for the object a callback receives. */
typedef struct klp_object patch_object;

typedef int (*kpatch_pre_patch_call_t)(patch_object *obj);
typedef void (*kpatch_post_patch_call_t)(patch_object *obj);
typedef void (*kpatch_pre_unpatch_call_t)(patch_object *obj);
typedef void (*kpatch_post_unpatch_call_t)(patch_object *obj);

#define KPATCH_PRE_PATCH_CALLBACK(_fn)		LIVEFIX_PRE_PATCH_CALLBACK(_fn)
#define KPATCH_POST_PATCH_CALLBACK(_fn)		LIVEFIX_POST_PATCH_CALLBACK(_fn)
#define KPATCH_PRE_UNPATCH_CALLBACK(_fn)	LIVEFIX_PRE_UNPATCH_CALLBACK(_fn)
#define KPATCH_POST_UNPATCH_CALLBACK(_fn)	LIVEFIX_POST_UNPATCH_CALLBACK(_fn)
#define KPATCH_IGNORE_FUNCTION(_fn)		LIVEFIX_IGNORE_FUNCTION(_fn)
#define KPATCH_IGNORE_SECTION(_name)		LIVEFIX_IGNORE_SECTION(_name)
#define KPATCH_IGNORE_STATIC(_name)		LIVEFIX_IGNORE_STATIC(_name)
#define KPATCH_FORCE_UNSAFE(_fn)		LIVEFIX_FORCE_UNSAFE(_fn)
#define KPATCH_PRINTK(_fmt, ...)		LIVEFIX_PRINTK(_fmt, ##__VA_ARGS__)

#endif
