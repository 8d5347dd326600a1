// SPDX-License-Identifier: Apache-2.0
/*
 * The discovery logs in stafd's state file, read back at start from
 * whatever is in /run: no crash, no leak, every entry kept has text the
 * discovery log decoder would have let through (it goes into D-Bus
 * replies), and what stafd would write for a log it accepted reads back
 * into exactly the same entries.
 */
#include <json-c/json.h>
#include <stdlib.h>
#include <string.h>

#include "common/log.h"
#include "fuzz.h"
#include "stafd-log-json.h"

static bool text_ok(const char *s, size_t size)
{
	return nvme_text_check(s, strnlen(s, size), size, "text", NULL) == 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = malloc(size + 1);
	json_object *in, *out;
	struct nvmf_disc_log *log = NULL, *again = NULL;

	if (!text)
		return 0;
	log_set_level(LOG_ERR); /* a skipped entry is a warning: expected here, and many */
	memcpy(text, data, size);
	text[size] = '\0';
	in = json_tokener_parse(text);
	free(text);
	if (log_from_state_json(in, "fuzz", &log, NULL) < 0) {
		json_object_put(in);
		return 0;
	}
	json_object_put(in);
	FUZZ_ASSERT(log->nr <= NVMF_DISC_LOG_MAX_RECORDS);
	for (size_t i = 0; i < log->nr; i++) {
		const struct nvmf_disc_entry *e = &log->entries[i];

		FUZZ_ASSERT(text_ok(e->trsvcid, sizeof(e->trsvcid)));
		FUZZ_ASSERT(text_ok(e->traddr, sizeof(e->traddr)));
		FUZZ_ASSERT(text_ok(e->subnqn, sizeof(e->subnqn)));
	}
	out = log_state_json(log);
	FUZZ_ASSERT(log_from_state_json(out, "fuzz", &again, NULL) == 0);
	FUZZ_ASSERT(again->nr == log->nr);
	FUZZ_ASSERT(!memcmp(again->entries, log->entries, log->nr * sizeof(log->entries[0])));
	json_object_put(out);
	free(again);
	free(log);
	return 0;
}

static const char *const seeds[] = {
	"[]",
	("[{\"trtype\": 3, \"adrfam\": 1, \"subtype\": 2, \"treq\": 0, \"portid\": 2, "
	 "\"cntlid\": 65535, \"asqsz\": 32, \"eflags\": 0, \"sectype\": 0, \"trsvcid\": \"4420\", "
	 "\"traddr\": \"198.51.100.2\", \"subnqn\": \"nqn.2014-08.org.example:tgt1\"},"
	 "{\"trtype\": 3, \"adrfam\": 2, \"subtype\": 1, \"treq\": 4, \"portid\": 4, "
	 "\"cntlid\": 65535, \"asqsz\": 32, \"eflags\": 4, \"sectype\": 0, \"trsvcid\": \"8009\", "
	 "\"traddr\": \"2001:db8::2\", \"subnqn\": \"nqn.2014-08.org.nvmexpress.discovery\"}]"),
	"[{\"trtype\": 300}]",
	/* hostile text next to a good entry: invalid UTF-8, a control character, a NUL */
	("[{\"trtype\": 3, \"adrfam\": 1, \"subtype\": 2, \"treq\": 0, \"portid\": 2, "
	 "\"cntlid\": 1, \"asqsz\": 32, \"eflags\": 0, \"sectype\": 0, \"trsvcid\": \"4420\", "
	 "\"traddr\": \"198.51.100.2\", \"subnqn\": \"nqn.x:\xff\"},"
	 "{\"trtype\": 3, \"adrfam\": 1, \"subtype\": 2, \"treq\": 0, \"portid\": 2, "
	 "\"cntlid\": 1, \"asqsz\": 32, \"eflags\": 0, \"sectype\": 0, \"trsvcid\": \"4420\", "
	 "\"traddr\": \"198.51.100.\\u0007\", \"subnqn\": \"nqn.x:a\\u0000b\"},"
	 "{\"trtype\": 3, \"adrfam\": 1, \"subtype\": 2, \"treq\": 0, \"portid\": 2, "
	 "\"cntlid\": 1, \"asqsz\": 32, \"eflags\": 0, \"sectype\": 0, \"trsvcid\": \"4420\", "
	 "\"traddr\": \"198.51.100.3\", \"subnqn\": \"nqn.2014-08.org.example:ok\"}]"),
	"{}",
};

void fuzz_seeds(fuzz_emit_fn emit, void *arg)
{
	for (size_t i = 0; i < sizeof(seeds) / sizeof(seeds[0]); i++)
		emit((const uint8_t *)seeds[i], strlen(seeds[i]), arg);
}
