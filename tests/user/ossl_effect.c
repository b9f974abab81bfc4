// SPDX-License-Identifier: GPL-2.0-only
/* The openssl corpus's effect server: a long-running process of libcrypto
 * and libssl (run with the 3.0.17 libraries, so `user apply --all`
 * patches it as it patches the TLS servers) that answers, per request, how
 * the library it maps behaves on an input one fixed CVE is about.
 *
 *   ossl_effect PORT    listen on 127.0.0.1:PORT; per connection read one
 *                       line, answer one line, close
 *
 * Requests (ping answers "pong"; ocb, tail and siv answer a line that starts
 * with "fixed" or "unfixed"):
 *   ocb   CVE-2026-45445, AES-OCB IV ignored on the EVP_Cipher() path
 *         (providers/implementations/ciphers/cipher_aes_ocb.c): one
 *         plaintext encrypted by EVP_Cipher() under two IVs; unfixed, the
 *         two ciphertexts are equal (the IV never reaches the OCB state)
 *   tail  CVE-2025-69418, trailing bytes left unencrypted by the low-level
 *         OCB calls (crypto/modes/ocb128.c): 20 bytes encrypted in place
 *         by CRYPTO_ocb128_encrypt() with a stream function, as the
 *         hardware implementations give; unfixed, the partial last block
 *         is taken from the start of the buffer and the 4 trailing bytes
 *         stay plaintext
 *   siv   CVE-2026-45446, AES-SIV tag not checked for an empty message
 *         (providers/implementations/ciphers/cipher_aes_siv.c): a context
 *         that decrypted one genuine message is given a forged tag and an
 *         empty message; unfixed, EVP_DecryptFinal_ex() accepts it (the
 *         previous message's verdict is kept)
 * It links libssl as well (--no-as-needed), so it maps both libraries the
 * corpus patches and takes part in every openssl case like the servers. */
/* AES_encrypt: the block function the low-level OCB calls take */
#define OPENSSL_SUPPRESS_DEPRECATED
#include <netinet/in.h>
#include <openssl/aes.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/modes.h>
#include <openssl/ssl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static const unsigned char key[32] = "livefix effect key 0123456789abc";
static const unsigned char plain[32] = "the same plaintext, 32 bytes ok";

/* ocb_encrypt IV OUT: PLAIN under KEY and IV by EVP_Cipher(), 1 when done */
static int ocb_encrypt(unsigned char iv_byte, unsigned char out[32])
{
	unsigned char iv[12];
	EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
	int ok;

	memset(iv, iv_byte, sizeof(iv));
	ok = ctx && EVP_CipherInit_ex(ctx, EVP_aes_128_ocb(), NULL, key, iv, 1) == 1 &&
	     EVP_Cipher(ctx, out, plain, sizeof(plain)) > 0;
	EVP_CIPHER_CTX_free(ctx);
	return ok;
}

static const char *ocb_check(void)
{
	unsigned char a[32], b[32];

	if (!ocb_encrypt(1, a) || !ocb_encrypt(2, b))
		return "error: EVP_Cipher of AES-128-OCB failed";
	return memcmp(a, b, sizeof(a)) ? "fixed: two IVs, two ciphertexts"
				       : "unfixed: two IVs, one ciphertext";
}

static void aes_block(const unsigned char in[16], unsigned char out[16], const void *key)
{
	AES_encrypt(in, out, key);
}

/* OCB's stream of full blocks (ocb128_f), one AES call each: a stream
 * function given, as libcrypto's hardware implementations give one, is
 * the path the flaw is on. */
static void ocb_stream(const unsigned char *in, unsigned char *out, size_t blocks,
		       const void *key, size_t start, unsigned char offset[16],
		       const unsigned char l[][16], unsigned char checksum[16])
{
	for (size_t b = 0; b < blocks; b++, in += 16, out += 16) {
		unsigned char tmp[16];
		int ntz = __builtin_ctzl((unsigned long)(start + b));

		for (int j = 0; j < 16; j++) {
			offset[j] ^= l[ntz][j];
			checksum[j] ^= in[j];
			tmp[j] = in[j] ^ offset[j];
		}
		AES_encrypt(tmp, tmp, key);
		for (int j = 0; j < 16; j++)
			out[j] = tmp[j] ^ offset[j];
	}
}

static const char *ocb_tail_check(void)
{
	unsigned char buf[20], iv[12] = { 0 };
	OCB128_CONTEXT *ctx;
	AES_KEY k;
	int ok;

	memcpy(buf, plain, sizeof(buf));
	AES_set_encrypt_key(key, 128, &k);
	ctx = CRYPTO_ocb128_new(&k, &k, aes_block, aes_block, ocb_stream);
	ok = ctx && CRYPTO_ocb128_setiv(ctx, iv, sizeof(iv), 16) == 1 &&
	     CRYPTO_ocb128_encrypt(ctx, buf, buf, sizeof(buf)) == 1;
	CRYPTO_ocb128_cleanup(ctx);
	OPENSSL_free(ctx);
	if (!ok)
		return "error: CRYPTO_ocb128_encrypt failed";
	return memcmp(buf + 16, plain + 16, 4) ? "fixed: the 4 trailing bytes encrypted"
					       : "unfixed: the 4 trailing bytes left in plaintext";
}

/* siv_seal CIPHER CT TAG: PLAIN sealed under KEY, 1 when done */
static int siv_seal(EVP_CIPHER *siv, unsigned char ct[32], unsigned char tag[16])
{
	EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
	int n, ok;

	ok = ctx && EVP_EncryptInit_ex(ctx, siv, NULL, key, NULL) == 1 &&
	     EVP_EncryptUpdate(ctx, ct, &n, plain, sizeof(plain)) == 1 &&
	     EVP_EncryptFinal_ex(ctx, ct + n, &n) == 1 &&
	     EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_GET_TAG, 16, tag) == 1;
	EVP_CIPHER_CTX_free(ctx);
	return ok;
}

/* siv_forged_accepted: -1 on a setup error, else whether the forged
 * empty message passed */
static int siv_forged_accepted(EVP_CIPHER *siv)
{
	unsigned char ct[32], tag[16], out[32], forged[16] = { 0 };
	EVP_CIPHER_CTX *ctx;
	int n, verdict = -1;

	if (!siv_seal(siv, ct, tag) || !(ctx = EVP_CIPHER_CTX_new()))
		return -1;
	/* the genuine message first: its verdict stays in the context */
	if (EVP_DecryptInit_ex(ctx, siv, NULL, key, NULL) == 1 &&
	    EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_SET_TAG, 16, tag) == 1 &&
	    EVP_DecryptUpdate(ctx, out, &n, ct, sizeof(ct)) == 1 &&
	    EVP_DecryptFinal_ex(ctx, out, &n) == 1 &&
	    /* then an empty message with a forged tag, same key */
	    EVP_DecryptInit_ex(ctx, NULL, NULL, NULL, NULL) == 1 &&
	    EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_SET_TAG, 16, forged) == 1)
		verdict = EVP_DecryptFinal_ex(ctx, out, &n) == 1;
	EVP_CIPHER_CTX_free(ctx);
	return verdict;
}

static const char *siv_check(void)
{
	EVP_CIPHER *siv = EVP_CIPHER_fetch(NULL, "AES-128-SIV", NULL);
	int accepted = siv ? siv_forged_accepted(siv) : -1;

	EVP_CIPHER_free(siv);
	if (accepted < 0)
		return "error: AES-128-SIV of a genuine message failed";
	return accepted ? "unfixed: forged tag of an empty message accepted"
			: "fixed: forged tag of an empty message rejected";
}

static const char *answer(const char *request)
{
	if (!strcmp(request, "ping"))
		return "pong";
	if (!strcmp(request, "ocb"))
		return ocb_check();
	if (!strcmp(request, "tail"))
		return ocb_tail_check();
	if (!strcmp(request, "siv"))
		return siv_check();
	return "error: unknown request (ping, ocb, tail, siv)";
}

static int listen_on(int port)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(port),
				 .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	int one = 1, fd = socket(AF_INET, SOCK_STREAM, 0);

	if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) ||
	    bind(fd, (struct sockaddr *)&a, sizeof(a)) || listen(fd, 8))
		return -1;
	return fd;
}

static void serve(int conn)
{
	char line[64];
	FILE *f = fdopen(conn, "r+");

	if (!f) {
		close(conn);
		return;
	}
	if (fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\r\n")] = '\0';
		fprintf(f, "%s\n", answer(line));
	}
	fclose(f);
}

int main(int argc, char **argv)
{
	int fd, conn;

	if (argc != 2) {
		fprintf(stderr, "usage: ossl_effect PORT\n");
		return 2;
	}
	/* libssl initialised, so that it is mapped and in use like a server's */
	if (!OPENSSL_init_ssl(0, NULL) || (fd = listen_on(atoi(argv[1]))) < 0) {
		perror("ossl_effect");
		return 1;
	}
	for (;;) {
		conn = accept(fd, NULL, NULL);
		if (conn >= 0)
			serve(conn);
	}
}
