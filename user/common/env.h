/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* env.h - numbers from the environment: SUDO_UID and the tests' and bench's knobs. */
#ifndef RBPROF_ENV_H
#define RBPROF_ENV_H

/* The whole decimal number in variable `name`, if it is one in [0, max]; else -1. */
long env_number(const char *name, long max);

#endif /* RBPROF_ENV_H */
