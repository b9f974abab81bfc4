/* SPDX-License-Identifier: GPL-2.0-only */
/* Module signing with the kernel's own scripts/sign-file. */
#ifndef LIVEFIX_MODULE_SIGN_H
#define LIVEFIX_MODULE_SIGN_H

#include "inputs/inputs.h"

/* Appends a sha256 PKCS#7 signature by key/cert (PEM, or a PKCS#11 URI for
 * the key, as sign-file takes them) to ko. On failure ko is removed: a
 * module that should have been signed is not left unsigned. 0 or -errno. */
int module_sign(const struct kernel_inputs *in, const char *key, const char *cert,
		const char *ko);

#endif
