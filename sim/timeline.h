/* --timeline=FILE (timeline.c): the run as a trace for Perfetto and chrome://tracing. */
#ifndef SIM_TIMELINE_H
#define SIM_TIMELINE_H

struct core_event;

/* Creates FILE and starts the trace in it: 0, or -errno. The trace is finished at exit. */
int sim_timeline_open(const char *path);
/* The kernel's event observer (kernel_config.on_event): writes what e says. */
void sim_timeline_event(const struct core_event *e);

#endif
