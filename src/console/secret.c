// SPDX-License-Identifier: GPL-2.0-only
#include "console/secret.h"

#include <crypt.h>
#include <errno.h>
#include <openssl/evp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

static void to_hex(const unsigned char *bytes, size_t n, char *out)
{
	static const char hex[] = "0123456789abcdef";
	size_t i;

	for (i = 0; i < n; i++) {
		out[2 * i] = hex[bytes[i] >> 4];
		out[2 * i + 1] = hex[bytes[i] & 15];
	}
	out[2 * n] = '\0';
}

int secret_random_hex(char out[SECRET_HEX_SIZE])
{
	unsigned char bytes[SECRET_HEX_LEN / 2];
	size_t got = 0;

	while (got < sizeof(bytes)) {
		ssize_t n = getrandom(bytes + got, sizeof(bytes) - got, 0);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		got += (size_t)n;
	}
	to_hex(bytes, sizeof(bytes), out);
	return 0;
}

int secret_digest(const char *s, char out[SECRET_HEX_SIZE])
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int len = 0;

	if (!EVP_Digest(s, strlen(s), md, &len, EVP_sha256(), NULL) ||
	    len != SECRET_HEX_LEN / 2)
		return -EIO;
	to_hex(md, len, out);
	return 0;
}

bool secret_is_hex(const char *s)
{
	size_t i;

	for (i = 0; i < SECRET_HEX_LEN; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return false;
	return s[i] == '\0';
}

char *secret_password_hash(const char *password)
{
	struct crypt_data data;
	char salt[CRYPT_GENSALT_OUTPUT_SIZE];
	char *hash;

	/* "$y$": yescrypt; count 0 and NULL random bytes: libcrypt's
	 * default cost and salt from the kernel's random source. */
	if (!crypt_gensalt_rn("$y$", 0, NULL, 0, salt, sizeof(salt)))
		return NULL;
	memset(&data, 0, sizeof(data));
	hash = crypt_r(password, salt, &data);
	if (!hash || hash[0] == '*') {
		errno = EINVAL;
		return NULL;
	}
	return strdup(hash);
}

bool secret_password_verify(const char *password, const char *hash)
{
	struct crypt_data *data = calloc(1, sizeof(*data));
	const char *got;
	bool ok;

	if (!data)
		return false;
	got = crypt_r(password, hash, data);
	ok = got && got[0] != '*' && secret_equal(got, hash);
	free(data);
	return ok;
}

bool secret_equal(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b), i;
	unsigned char diff = la != lb;

	for (i = 0; i < la && i < lb; i++)
		diff |= (unsigned char)(a[i] ^ b[i]);
	return diff == 0;
}
