// SPDX-License-Identifier: Apache-2.0
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>

#include "stas/cleanup.h"
#include "stas/host-id.h"

#define UUID_NQN_PREFIX "nqn.2014-08.org.nvmexpress:uuid:"

int stas_uuid_parse(const char *s, uint8_t out[16])
{
	static const int dash[] = { 8, 13, 18, 23 };
	uint8_t v[16];
	int k = 0;

	if (strlen(s) != 36)
		return -EINVAL;
	for (int i = 0, d = 0; i < 36;) {
		if (d < 4 && i == dash[d]) {
			if (s[i] != '-')
				return -EINVAL;
			i++;
			d++;
			continue;
		}
		if (!isxdigit((unsigned char)s[i]) || !isxdigit((unsigned char)s[i + 1]))
			return -EINVAL;
		sscanf(s + i, "%2hhx", &v[k++]);
		i += 2;
	}
	memcpy(out, v, 16);
	return 0;
}

void stas_uuid_format(const uint8_t u[16], char out[STAS_UUID_STR_LEN])
{
	snprintf(out, STAS_UUID_STR_LEN,
		 "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", u[0], u[1],
		 u[2], u[3], u[4], u[5], u[6], u[7], u[8], u[9], u[10], u[11], u[12], u[13], u[14],
		 u[15]);
}

int stas_nqn_wire_check(const char *nqn, const char *what, struct stas_error *e)
{
	size_t n = strlen(nqn);

	if (!n)
		return stas_error_set(e, -EINVAL, "%s is empty", what);
	if (n > NVMF_NQN_MAX_LEN)
		return stas_error_set(e, -EINVAL, "%s is %zu bytes long, at most %u allowed", what,
				      n, NVMF_NQN_MAX_LEN);
	for (size_t i = 0; i < n; i++)
		if (nqn[i] <= 0x20 || nqn[i] > 0x7e)
			return stas_error_set(e, -EINVAL,
					      "%s has byte 0x%02x at offset %zu (not printable)",
					      what, (unsigned char)nqn[i], i);
	return 0;
}

int stas_nqn_check(const char *nqn, const char *what, struct stas_error *e)
{
	if (strncmp(nqn, "nqn.", 4))
		return stas_error_set(e, -EINVAL, "%s '%s' does not start with 'nqn.'", what, nqn);
	return stas_nqn_wire_check(nqn, what, e);
}

/* First whitespace-delimited token of the file's first line; -ENOENT if absent or empty. */
static int first_token(const char *path, char *buf, size_t size, struct stas_error *e)
{
	_cleanup_fclose_ FILE *f = fopen(path, "re");
	char line[512], *tok, *save = NULL;

	if (!f)
		return errno == ENOENT ? -ENOENT : stas_error_set(e, -errno, "%s: %m", path);
	if (!fgets(line, sizeof(line), f))
		return -ENOENT;
	tok = strtok_r(line, " \t\r\n", &save);
	if (!tok)
		return -ENOENT;
	if (strlen(tok) >= size)
		return stas_error_set(e, -EINVAL, "%s:1: value is %zu bytes long, at most %zu",
				      path, strlen(tok), size - 1);
	memcpy(buf, tok, strlen(tok) + 1);
	return 0;
}

int stas_host_load(struct stas_host *h, const char *nqn_file, const char *id_file,
		   struct stas_error *e)
{
	char idstr[64];
	int rn, ri;

	nqn_file = nqn_file ? nqn_file : STAS_HOSTNQN_FILE;
	id_file = id_file ? id_file : STAS_HOSTID_FILE;
	memset(h, 0, sizeof(*h));
	rn = first_token(nqn_file, h->nqn, sizeof(h->nqn), e);
	if (rn < 0 && rn != -ENOENT)
		return rn;
	if (rn == 0 && stas_nqn_check(h->nqn, nqn_file, e) < 0)
		return -EINVAL;
	ri = first_token(id_file, idstr, sizeof(idstr), e);
	if (ri < 0 && ri != -ENOENT)
		return ri;
	if (ri == 0 && stas_uuid_parse(idstr, h->id) < 0)
		return stas_error_set(e, -EINVAL, "%s:1: '%s' is not a UUID", id_file, idstr);
	if (rn == -ENOENT && ri == -ENOENT)
		return stas_error_set(e, -ENOENT, "neither %s nor %s exists", nqn_file, id_file);
	if (ri == -ENOENT) {
		const char *u = strstr(h->nqn, ":uuid:");

		if (!u || stas_uuid_parse(u + 6, h->id) < 0)
			return stas_error_set(e, -ENOENT, "%s is missing and %s has no uuid",
					      id_file, nqn_file);
	}
	if (rn == -ENOENT) {
		stas_uuid_format(h->id, idstr);
		snprintf(h->nqn, sizeof(h->nqn), UUID_NQN_PREFIX "%s", idstr);
	}
	return 0;
}

int stas_host_generate(struct stas_host *h)
{
	char idstr[STAS_UUID_STR_LEN];

	if (getrandom(h->id, sizeof(h->id), 0) != sizeof(h->id))
		return -errno;
	h->id[6] = (uint8_t)((h->id[6] & 0x0f) | 0x40); /* version 4 */
	h->id[8] = (uint8_t)((h->id[8] & 0x3f) | 0x80); /* RFC 4122 variant */
	stas_uuid_format(h->id, idstr);
	snprintf(h->nqn, sizeof(h->nqn), UUID_NQN_PREFIX "%s", idstr);
	return 0;
}
