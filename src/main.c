/* SPDX-License-Identifier: MIT */
/* main.c - the lakehouse binary: dispatch to a CLI command. */
#include "lh_common.h"
#include "cli.h"

int main(int argc, char **argv)
{
    return lh_cli_main(argc, argv);
}
