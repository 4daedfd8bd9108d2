/* --keys=FILE (keys.c): scripted keyboard and mouse input on the virtual clock. */
#ifndef SIM_KEYS_H
#define SIM_KEYS_H

#include <stddef.h>

/* Reads the script: 0, or -errno with why (the file's error, or the line and what is wrong
 * in it) set. */
int sim_keys_load(const char *path, char *why, size_t whylen);
/* Schedules the script's actions once the machine is up: 0 or -ENOMEM. */
int sim_keys_start(void);
void sim_keys_fini(void);

#endif
