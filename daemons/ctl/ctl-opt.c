// SPDX-License-Identifier: Apache-2.0
#include "ctl-opt.h"

#include <stdio.h>
#include <string.h>

const char *ctl_opt_value(char **argv, int optind, const char *optarg)
{
	const char *word = optind > 0 ? argv[optind - 1] : NULL;

	/* only the attached form of a short option: "-a=x", the value right after the letter */
	if (optarg && word && optarg == word + 2 && word[0] == '-' && word[1] != '-' &&
	    optarg[0] == '=')
		return optarg + 1;
	return optarg;
}

const char *ctl_bad_option(char **argv, int optind, int optopt, char buf[3])
{
	const char *arg = argv[optind - 1];

	if (optopt > 0 && optopt < 256 && strncmp(arg, "--", 2)) {
		snprintf(buf, 3, "-%c", optopt);
		return buf;
	}
	return arg;
}
