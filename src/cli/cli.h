/* SPDX-License-Identifier: MIT */
/* cli.h - the command-line front end: `lakehouse [global options] COMMAND [args]`. */
#ifndef LH_CLI_H
#define LH_CLI_H

#include "lh_common.h"

/* Parses argv, runs the command and returns the process exit status. */
int lh_cli_main(int argc, char **argv);

#endif
