/*
 * The framebuffer console's terminal (vt.c): /dev/tty1, whose other end /dev/vt1 the display
 * service reads (the output, replayed from its recent history at each open) and the input
 * service writes (the typing).
 */
#ifndef KERNEL_VT_H
#define KERNEL_VT_H

struct file;
struct tty;

/* Resets the terminal and its history (boot). */
void vt_init(void);
/* /dev/tty1's terminal. */
struct tty *vt_tty(void);
/* Opens /dev/vt1 on f: 0, or -EBUSY when VT_READERS files read it already. */
int vt_open(struct file *f);

#endif
