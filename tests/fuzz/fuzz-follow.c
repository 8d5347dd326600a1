// SPDX-License-Identifier: Apache-2.0
/*
 * stacd reads stafd's get_all_log_pages answer, JSON from another process:
 * whatever it says, follow_parse() must not crash or leak, must keep only
 * entries whose every field fits a controller identity, and must account
 * for the rest.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "stacd-follow.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct follow_ioc *v = NULL;
	size_t n = 99, bad = 99;
	char *json = malloc(size + 1);
	int r;

	if (!json)
		return 0;
	memcpy(json, data, size);
	json[size] = '\0';
	r = follow_parse(json, &v, &n, &bad);
	FUZZ_ASSERT(r == 0 || r == -EBADMSG || r == -ENOMEM);
	if (r == 0) {
		FUZZ_ASSERT(n == 0 || v);
		for (size_t i = 0; i < n; i++) {
			FUZZ_ASSERT(v[i].tid.transport[0] && v[i].tid.traddr[0] &&
				    v[i].tid.trsvcid[0] && v[i].tid.subsysnqn[0]);
			FUZZ_ASSERT(strlen(v[i].tid.subsysnqn) < sizeof(v[i].tid.subsysnqn));
		}
	}
	follow_iocs_free(v, r == 0 ? n : 0);
	free(json);
	return 0;
}

static const char *const seeds[] = {
	"[]",
	("[{\"discovery-controller\": {\"transport\": \"tcp\", \"traddr\": \"198.51.100.2\", "
	 "\"trsvcid\": \"8009\", \"host-traddr\": \"\", \"host-iface\": \"\", \"host-nqn\": "
	 "\"nqn.2014-08.org.nvmexpress:uuid:5a5a0000-0000-4000-8000-0000000a11ce\", "
	 "\"subsysnqn\": \"nqn.2014-08.org.nvmexpress.discovery\"}, \"log-pages\": ["
	 "{\"trtype\": \"tcp\", \"adrfam\": \"ipv4\", \"subtype\": \"nvme\", \"treq\": \"none\", "
	 "\"portid\": \"2\", \"trsvcid\": \"4420\", \"subnqn\": \"nqn.2014-08.org.example:tgt1\", "
	 "\"traddr\": \"198.51.100.2\", \"eflags\": \"0\", \"cntlid\": \"65535\", "
	 "\"asqsz\": \"32\"},"
	 "{\"trtype\": \"tcp\", \"adrfam\": \"ipv6\", \"subtype\": \"nvme\", \"trsvcid\": "
	 "\"4420\", \"subnqn\": \"nqn.2014-08.org.example:tgt2\", \"traddr\": \"2001:db8::2\", "
	 "\"eflags\": \"4\"},"
	 "{\"trtype\": \"tcp\", \"subtype\": \"referral\", \"trsvcid\": \"8010\", \"subnqn\": "
	 "\"nqn.2014-08.org.nvmexpress.discovery\", \"traddr\": \"198.51.100.2\"}]}]"),
	"[{\"discovery-controller\": {}, \"log-pages\": [{\"subtype\": \"nvme\"}]}, 7, null]",
	/* found by libFuzzer: an entry with an empty trtype was kept */
	("[{\"discovery-controller\": {\"host-traddr\": \"\", \"host-iface\": \"\", "
	 "\"host-nqn\": \"nqn.x\"}, \"log-pages\": [{\"trtype\": \"\", \"subtype\": \"nvme\", "
	 "\"trsvcid\": \"4420\", \"subnqn\": \"nqn.y\", \"traddr\": \"198.51.100.2\"}]}]"),
	"{\"not\": \"a list\"}",
};

void fuzz_seeds(fuzz_emit_fn emit, void *arg)
{
	for (size_t i = 0; i < sizeof(seeds) / sizeof(seeds[0]); i++)
		emit((const uint8_t *)seeds[i], strlen(seeds[i]), arg);
}
