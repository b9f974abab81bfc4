/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kpatch-syscall.h — KPATCH_SYSCALL_DEFINE1..6 (and LIVEFIX_SYSCALL_DEFINE1..6),
 * for patches that change a system call: SYSCALL_DEFINEn without what a
 * live patch cannot carry — the ftrace syscall metadata (trace events
 * registered at boot) and the error-injection list entries. The entry
 * points keep the kernel's names (__x64_sys_NAME, __ia32_sys_NAME) so that
 * they are patched in place; the body is __livefix_do_sys_NAME, a new
 * function (the kernel's __do_sys_NAME is notrace inline code, which ftrace
 * cannot redirect: the entry points that call the new body are patched
 * instead). x86-64 only.
 */
#ifndef LIVEFIX_KPATCH_SYSCALL_H
#define LIVEFIX_KPATCH_SYSCALL_H

#include <linux/syscalls.h>

#ifndef CONFIG_X86_64
#error "kpatch-syscall.h: livefix supports x86-64 only"
#endif

#define __LIVEFIX_SYS_STUBx(abi, name, ...)				\
	long __##abi##_##name(const struct pt_regs *regs);		\
	long __##abi##_##name(const struct pt_regs *regs)		\
	{								\
		return __se_##name(__VA_ARGS__);			\
	}

#define __LIVEFIX_X64_SYS_STUBx(x, name, ...)				\
	__LIVEFIX_SYS_STUBx(x64, sys##name, SC_X86_64_REGS_TO_ARGS(x, __VA_ARGS__))
#ifdef CONFIG_IA32_EMULATION
#define __LIVEFIX_IA32_SYS_STUBx(x, name, ...)				\
	__LIVEFIX_SYS_STUBx(ia32, sys##name, SC_IA32_REGS_TO_ARGS(x, __VA_ARGS__))
#else
#define __LIVEFIX_IA32_SYS_STUBx(x, name, ...)
#endif

#define __LIVEFIX_SYSCALL_DEFINEx(x, name, ...)				\
	static long __se_sys##name(__MAP(x, __SC_LONG, __VA_ARGS__));	\
	static inline long __livefix_do_sys##name(__MAP(x, __SC_DECL, __VA_ARGS__)); \
	__LIVEFIX_X64_SYS_STUBx(x, name, __VA_ARGS__)			\
	__LIVEFIX_IA32_SYS_STUBx(x, name, __VA_ARGS__)			\
	static long __se_sys##name(__MAP(x, __SC_LONG, __VA_ARGS__))	\
	{								\
		long ret = __livefix_do_sys##name(__MAP(x, __SC_CAST, __VA_ARGS__)); \
		__MAP(x, __SC_TEST, __VA_ARGS__);			\
		__PROTECT(x, ret, __MAP(x, __SC_ARGS, __VA_ARGS__));	\
		return ret;						\
	}								\
	static inline long __livefix_do_sys##name(__MAP(x, __SC_DECL, __VA_ARGS__))

#define LIVEFIX_SYSCALL_DEFINEx(x, sname, ...) __LIVEFIX_SYSCALL_DEFINEx(x, sname, __VA_ARGS__)
#define LIVEFIX_SYSCALL_DEFINE1(name, ...) LIVEFIX_SYSCALL_DEFINEx(1, _##name, __VA_ARGS__)
#define LIVEFIX_SYSCALL_DEFINE2(name, ...) LIVEFIX_SYSCALL_DEFINEx(2, _##name, __VA_ARGS__)
#define LIVEFIX_SYSCALL_DEFINE3(name, ...) LIVEFIX_SYSCALL_DEFINEx(3, _##name, __VA_ARGS__)
#define LIVEFIX_SYSCALL_DEFINE4(name, ...) LIVEFIX_SYSCALL_DEFINEx(4, _##name, __VA_ARGS__)
#define LIVEFIX_SYSCALL_DEFINE5(name, ...) LIVEFIX_SYSCALL_DEFINEx(5, _##name, __VA_ARGS__)
#define LIVEFIX_SYSCALL_DEFINE6(name, ...) LIVEFIX_SYSCALL_DEFINEx(6, _##name, __VA_ARGS__)

#define KPATCH_SYSCALL_DEFINE1 LIVEFIX_SYSCALL_DEFINE1
#define KPATCH_SYSCALL_DEFINE2 LIVEFIX_SYSCALL_DEFINE2
#define KPATCH_SYSCALL_DEFINE3 LIVEFIX_SYSCALL_DEFINE3
#define KPATCH_SYSCALL_DEFINE4 LIVEFIX_SYSCALL_DEFINE4
#define KPATCH_SYSCALL_DEFINE5 LIVEFIX_SYSCALL_DEFINE5
#define KPATCH_SYSCALL_DEFINE6 LIVEFIX_SYSCALL_DEFINE6

#endif
