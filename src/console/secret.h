/* SPDX-License-Identifier: GPL-2.0-only */
/* The console's secrets: administrator passwords (yescrypt through
 * libcrypt, a memory-hard KDF), and the random ids of sessions, CSRF
 * tokens and host tokens (getrandom). Session ids and host tokens are
 * stored only as SHA-256 digests: they are 256-bit random, so a fast hash
 * is enough to make a stolen database useless for logging in or
 * reporting. */
#ifndef LIVEFIX_CONSOLE_SECRET_H
#define LIVEFIX_CONSOLE_SECRET_H

#include <stdbool.h>
#include <stddef.h>

/* 32 random bytes as 64 lowercase hex digits plus NUL. */
#define SECRET_HEX_LEN 64
#define SECRET_HEX_SIZE (SECRET_HEX_LEN + 1)

/* Fills out with a new random token; 0 or -errno. */
int secret_random_hex(char out[SECRET_HEX_SIZE]);
/* SHA-256 of s as hex; 0 or -EIO. */
int secret_digest(const char *s, char out[SECRET_HEX_SIZE]);
/* True when s is exactly SECRET_HEX_LEN lowercase hex digits. */
bool secret_is_hex(const char *s);

/* A yescrypt hash of password (malloc'ed), or NULL with errno set. */
char *secret_password_hash(const char *password);
/* True when password matches the stored hash (constant-time compare). */
bool secret_password_verify(const char *password, const char *hash);

/* Constant-time equality of two NUL-terminated strings. */
bool secret_equal(const char *a, const char *b);

#endif
