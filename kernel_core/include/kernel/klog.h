/*
 * The kernel log: a ring of records, each a level, a sequence number, a time and a line of text.
 * The kernel's own messages go in, and so do the lines programs write to /dev/kmsg; dmesg reads
 * them with syslog(2), and readers of /dev/kmsg one record a read, as Linux gives them.
 */
#ifndef KERNEL_KLOG_H
#define KERNEL_KLOG_H

#include <kernel/proc.h>
#include <kernel/vfs.h>

#define KLOG_RECORDS 1024
#define KLOG_TEXT_MAX 240 /* longer lines are cut */

/* Syslog levels of a record ("<N>" at the start of a /dev/kmsg write sets one). */
#define KLOG_ERR 3
#define KLOG_WARNING 4
#define KLOG_INFO 6
#define KLOG_DEFAULT KLOG_INFO

/* Appends the lines of s (len bytes) at level; an empty last line is dropped. */
void klog_write(int level, const char *s, size_t len);
/* /dev/kmsg: opened by chrdev_open for (1, 11). */
int klog_open(struct file *f);
/* Forgets every record (boot). */
void klog_reset(void);

#endif
