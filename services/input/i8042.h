/*
 * The keyboard controller's driver (i8042.c): the PC's 8042 at ports 0x60 and 0x64 with a PS/2
 * keyboard (interrupt line 1) and mouse (line 12), listed by the kernel after the PCI functions
 * as 41d0:0303 and 41d0:0f13 (<eclipse.h>). The controller is left translating the keyboard's
 * scan codes to set 1, as firmware and Linux leave it.
 */
#ifndef INPUT_I8042_H
#define INPUT_I8042_H

#include <stdbool.h>
#include <stdint.h>

struct i8042 {
	int kbd_index, mouse_index; /* the functions, as pci_device numbers them; -1: none */
	bool mouse;                 /* the mouse answered its reset */
};

/* Finds and claims the controller, resets it, the keyboard and the mouse, and turns their
 * interrupts on: 0, or -1 with errno and why (a message) set. */
int i8042_open(struct i8042 *c, const char **why);
/* Binds the controller's interrupts to the calling thread (dev_irq_wait then returns them). */
int i8042_bind(struct i8042 *c);
/* Bytes waiting in the controller: each goes to on_byte (aux: from the mouse); then the lines
 * are acknowledged. */
void i8042_drain(struct i8042 *c, void (*on_byte)(uint8_t b, bool aux, void *arg), void *arg);

#endif
