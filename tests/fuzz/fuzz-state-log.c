// SPDX-License-Identifier: Apache-2.0
/*
 * The discovery logs in stafd's state file, read back at start from
 * whatever is in /run: no crash, no leak, and what stafd would write for a
 * log it accepted reads back into exactly the same entries.
 */
#include <json-c/json.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "stafd-log-json.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = malloc(size + 1);
	json_object *in, *out;
	struct nvmf_disc_log *log, *again;

	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	in = json_tokener_parse(text);
	free(text);
	log = log_from_state_json(in);
	json_object_put(in);
	if (!log)
		return 0;
	FUZZ_ASSERT(log->nr <= NVMF_DISC_LOG_MAX_RECORDS);
	out = log_state_json(log);
	again = log_from_state_json(out);
	FUZZ_ASSERT(again && again->nr == log->nr);
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
	"{}",
};

void fuzz_seeds(fuzz_emit_fn emit, void *arg)
{
	for (size_t i = 0; i < sizeof(seeds) / sizeof(seeds[0]); i++)
		emit((const uint8_t *)seeds[i], strlen(seeds[i]), arg);
}
