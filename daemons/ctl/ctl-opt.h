/* SPDX-License-Identifier: Apache-2.0 */
/*
 * What getopt_long() leaves to the caller for the CLIs to read options as
 * Python's argparse does (nvme-stas's CLIs are argparse programs).
 */
#ifndef STAS_CTL_OPT_H
#define STAS_CTL_OPT_H

/**
 * ctl_opt_value() - the value of the option getopt_long() just returned:
 * argparse reads "-a=x" as "x" (getopt gives "=x"); "--addr=x" and "-a x"
 * are getopt's already.
 */
const char *ctl_opt_value(char **argv, int optind, const char *optarg);

/** ctl_bad_option() - how the user wrote the option getopt_long() refused ("-x" in "-dx"). */
const char *ctl_bad_option(char **argv, int optind, int optopt, char buf[3]);

#endif
