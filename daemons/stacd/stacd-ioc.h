/* SPDX-License-Identifier: Apache-2.0 */
/*
 * One I/O controller stacd keeps alive, whatever backend holds it: connect
 * (within a cap on connects in flight), reconnect with jittered
 * exponential backoff from reconnect-delay until ctrl-loss-tmo runs out
 * (-1: never), give up early on NCC entries after connect-attempts-on-ncc,
 * and remember what the controller said (namespaces, ANA states, errors).
 *
 * States: WAITING (for a connect slot) -> CONNECTING -> LIVE, RETRY_WAIT
 * after a failure, GAVE_UP when the budget is spent, STOPPED.
 */
#ifndef STAS_STACD_IOC_H
#define STAS_STACD_IOC_H

#include <json-c/json.h>
#include <stdbool.h>
#include <stdint.h>

#include "stacd-backend.h"

struct event_base;
struct ioc;
struct ioc_slots;

enum ioc_origin {
	IOC_ORIGIN_CONFIGURED,
	IOC_ORIGIN_DISCOVERED,
};

enum ioc_state {
	IOC_WAITING,
	IOC_CONNECTING,
	IOC_LIVE,
	IOC_RETRY_WAIT,
	IOC_GAVE_UP,
	IOC_STOPPED,
};

const char *ioc_state_name(enum ioc_state s);
const char *ioc_origin_name(enum ioc_origin o);

struct ioc_policy {
	uint32_t reconnect_delay_s; /* first retry; doubles */
	uint32_t reconnect_max_s;   /* cap of the doubling */
	int32_t ctrl_loss_tmo_s;    /* give up after this long without a connection; -1 never */
	uint32_t ncc_attempts;	    /* 0: NCC does not matter; else attempts before giving up */
};

struct ioc_ops {
	void (*connected)(void *arg, struct ioc *ioc);
	/* a live connection was lost, or stacd gave up connecting */
	void (*lost)(void *arg, struct ioc *ioc, const char *reason);
	void (*changed)(void *arg, struct ioc *ioc); /* namespaces / ANA */
};

/* A cap on connects in flight, shared by all controllers of a daemon. */
int ioc_slots_new(struct event_base *base, unsigned max, struct ioc_slots **ret);
void ioc_slots_free(struct ioc_slots *s);
unsigned ioc_slots_in_use(const struct ioc_slots *s);

int ioc_new(struct event_base *base, const struct ioc_backend *be, struct ioc_slots *slots,
	    const struct ioc_conn_params *p, const struct ioc_policy *pol, enum ioc_origin origin,
	    const struct ioc_ops *ops, void *arg, struct ioc **ret);

/** ioc_free() - drop now; @orderly shuts the controller down first (in the background). */
void ioc_free(struct ioc *ioc, bool orderly);

/** ioc_set_ncc() - the DLPE's NCC flag; clearing it revives a controller that gave up. */
void ioc_set_ncc(struct ioc *ioc, bool ncc, uint16_t eflags);

/**
 * ioc_set_policy() - reload: new retry policy (reconnect-delay, ctrl-loss-tmo,
 * ...), used from the next failure on; the connection is not touched.
 */
void ioc_set_policy(struct ioc *ioc, const struct ioc_policy *pol);

/**
 * ioc_set_dlpe() - the log entry @ioc was found in, as text (copied; NULL:
 * none). Return: 0, or -ENOMEM with the old text kept.
 */
int ioc_set_dlpe(struct ioc *ioc, const char *text);

/** ioc_kick() - reload: a controller waiting to retry (or that gave up) tries now. */
void ioc_kick(struct ioc *ioc);

const struct tid *ioc_tid(const struct ioc *ioc);
void ioc_set_origin(struct ioc *ioc, enum ioc_origin o);
enum ioc_state ioc_state(const struct ioc *ioc);
bool ioc_connected(const struct ioc *ioc);
const char *ioc_last_error(const struct ioc *ioc);
uint32_t ioc_reconnects(const struct ioc *ioc);
uint32_t ioc_io_queues(const struct ioc *ioc);
size_t ioc_namespaces(const struct ioc *ioc, const struct ioc_ns_state **ret);
const char *ioc_device(const struct ioc *ioc);
bool ioc_unwanted(const struct ioc *ioc);
bool ioc_ncc(const struct ioc *ioc);
void ioc_set_unwanted(struct ioc *ioc, bool unwanted);

/** ioc_details_json() - the detailed dict (string values, nvme-stas keys plus stas's). */
json_object *ioc_details_json(const struct ioc *ioc);

#endif
