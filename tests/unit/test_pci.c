/* PCI enumeration (kernel_core/pci.c) over the fake platform's configuration space: which
 * functions are found and in what order, bridges followed, BARs sized, registers put back. */
#include "fake_plat.h"
#include "unit.h"

#include <kernel/pci.h>
#include <string.h>

#define RAM (4u << 20)

/* A function's configuration registers: ids, class (class, subclass, prog-if, revision),
 * header type, the interrupt pin and line, the command register. */
static void header(uint32_t c[64], uint16_t vendor, uint16_t device, uint32_t class_rev,
		   uint8_t type, uint8_t pin, uint8_t line, uint16_t command)
{
	memset(c, 0, 64 * sizeof(c[0]));
	c[0] = (uint32_t)device << 16 | vendor;
	c[1] = 0x02800000u | command; /* a status with bits set: the kernel must not clear them */
	c[2] = class_rev;
	c[3] = (uint32_t)type << 16;
	c[15] = (uint32_t)pin << 8 | line;
}

static void setup(void)
{
	fake_plat_reset(RAM);
	uint32_t c[64];
	/* 00:00.0 the host bridge */
	header(c, 0x8086, 0x1237, 0x06000002, 0, 0, 0, 0x0006);
	fake_pci_add(0, 0, 0, c, NULL);
	/* 00:01.0 and 00:01.1: a multi-function device; the IDE function has a 16-port BAR4 */
	header(c, 0x8086, 0x7000, 0x06010000, 0x80, 0, 0, 0x0007);
	fake_pci_add(0, 1, 0, c, NULL);
	header(c, 0x8086, 0x7010, 0x01018000, 0, 0, 0, 0x0005);
	c[8] = 0xc041;
	fake_pci_add(0, 1, 1, c, (const uint64_t[6]){0, 0, 0, 0, 16, 0});
	/* 00:02.0: 64 I/O ports, 4 KiB of memory, 16 KiB of 64-bit prefetchable memory */
	header(c, 0x1af4, 0x1001, 0x01000000, 0, 1, 11, 0x0007);
	c[4] = 0xc001;
	c[5] = 0xfebf1000;
	c[8] = 0xfe00000c;
	c[9] = 0x00000001; /* the top half: the BAR is at 0x1_fe000000 */
	c[11] = 0x00021af4;
	fake_pci_add(0, 2, 0, c, (const uint64_t[6]){64, 4096, 0, 0, 16384, 0});
	/* 00:03.0: a PCI-to-PCI bridge to bus 1, with a device there and a bridge back to bus 0 */
	header(c, 0x8086, 0x244e, 0x06040000, 1, 0, 0, 0x0007);
	c[6] = 0x00010100; /* primary 0, secondary 1, subordinate 1 */
	fake_pci_add(0, 3, 0, c, NULL);
	header(c, 0x1234, 0x5678, 0xff000000, 0, 0, 0, 0);
	fake_pci_add(1, 0, 0, c, NULL);
	header(c, 0x8086, 0x244e, 0x06040000, 1, 0, 0, 0);
	c[6] = 0x00000001; /* secondary 0: a loop */
	fake_pci_add(1, 1, 0, c, NULL);
	/* 00:04.0 is single-function: a function 1 answering there is not its */
	header(c, 0x10ec, 0x8139, 0x02000020, 0, 1, 10, 0x0003);
	fake_pci_add(0, 4, 0, c, NULL);
	header(c, 0x10ec, 0x8139, 0x02000020, 0, 1, 10, 0x0003);
	fake_pci_add(0, 4, 1, c, NULL);
	/* 00:05.1 without a function 0: no device at 00:05 */
	header(c, 0xdead, 0xbeef, 0xff000000, 0, 0, 0, 0);
	fake_pci_add(0, 5, 1, c, NULL);
	/* bus 2 exists but no bridge leads there */
	fake_pci_add(2, 0, 0, c, NULL);
}

static void teardown(void)
{
	pci_reset();
	fake_plat_release();
}

static const struct pci_info *at(unsigned bus, unsigned dev, unsigned fn)
{
	for (size_t i = 0; i < pci_count(); i++) {
		const struct pci_info *f = pci_get(i);
		if (f->bus == bus && f->dev == dev && f->fn == fn)
			return f;
	}
	return NULL;
}

START_TEST(functions_in_address_order)
{
	ck_assert_int_eq(pci_scan(), 0);
	static const unsigned want[][3] = {{0, 0, 0}, {0, 1, 0}, {0, 1, 1}, {0, 2, 0},
					   {0, 3, 0}, {0, 4, 0}, {1, 0, 0}, {1, 1, 0}};
	ck_assert_uint_eq(pci_count(), sizeof(want) / sizeof(want[0]));
	for (size_t i = 0; i < pci_count(); i++) {
		const struct pci_info *f = pci_get(i);
		ck_assert_msg(f->bus == want[i][0] && f->dev == want[i][1] && f->fn == want[i][2],
			      "function %zu is %02x:%02x.%x", i, f->bus, f->dev, f->fn);
	}
	ck_assert_ptr_null(pci_get(pci_count()));
	/* scanning again (a second boot) finds the same, not twice as many */
	ck_assert_int_eq(pci_scan(), 0);
	ck_assert_uint_eq(pci_count(), sizeof(want) / sizeof(want[0]));
}
END_TEST

START_TEST(identity_class_and_interrupt)
{
	pci_scan();
	const struct pci_info *f = at(0, 2, 0);
	ck_assert_ptr_nonnull(f);
	ck_assert_uint_eq(f->vendor, 0x1af4);
	ck_assert_uint_eq(f->device, 0x1001);
	ck_assert_uint_eq(f->subsys_vendor, 0x1af4);
	ck_assert_uint_eq(f->subsys_device, 0x0002);
	ck_assert_uint_eq(f->class_code, 0x01);
	ck_assert_uint_eq(f->subclass, 0x00);
	ck_assert_uint_eq(f->irq_pin, 1);
	ck_assert_uint_eq(f->irq_line, 11);
	ck_assert_uint_eq(f->command, 0x0007);
	ck_assert_uint_eq(f->header, 0);
	f = at(0, 1, 1);
	ck_assert_uint_eq(f->prog_if, 0x80);
	ck_assert_uint_eq(at(0, 1, 0)->header, 0); /* the multi-function bit is not the type */
	ck_assert_uint_eq(at(0, 4, 0)->revision, 0x20);
	ck_assert_uint_eq(at(0, 3, 0)->header, 1);
}
END_TEST

START_TEST(bars_sized)
{
	pci_scan();
	const struct pci_info *f = at(0, 2, 0);
	ck_assert_uint_eq(f->bars[0].flags, PCI_BAR_IO);
	ck_assert_uint_eq(f->bars[0].base, 0xc000);
	ck_assert_uint_eq(f->bars[0].size, 64);
	ck_assert_uint_eq(f->bars[1].flags, 0);
	ck_assert_uint_eq(f->bars[1].base, 0xfebf1000);
	ck_assert_uint_eq(f->bars[1].size, 4096);
	ck_assert_uint_eq(f->bars[2].size, 0);
	ck_assert_uint_eq(f->bars[4].flags, PCI_BAR_64 | PCI_BAR_PREFETCH);
	ck_assert_uint_eq(f->bars[4].base, 0x1fe000000ull);
	ck_assert_uint_eq(f->bars[4].size, 16384);
	ck_assert_uint_eq(f->bars[5].size, 0); /* the top half of BAR4 */
	f = at(0, 1, 1);
	ck_assert_uint_eq(f->bars[4].base, 0xc040);
	ck_assert_uint_eq(f->bars[4].size, 16);
	for (unsigned i = 0; i < PCI_BARS; i++)
		ck_assert_uint_eq(at(0, 0, 0)->bars[i].size, 0);
}
END_TEST

START_TEST(registers_put_back)
{
	uint32_t before[64];
	memcpy(before, fake_pci_config(0, 2, 0), sizeof(before));
	pci_scan();
	const uint32_t *after = fake_pci_config(0, 2, 0);
	for (unsigned r = 0; r < 64; r++)
		ck_assert_msg(after[r] == before[r], "register %#x: %#x, was %#x", 4 * r, after[r],
			      before[r]);
}
END_TEST

START_TEST(no_bus_at_all)
{
	fake_plat_reset(RAM); /* no function answers: all ones everywhere */
	ck_assert_int_eq(pci_scan(), 0);
	ck_assert_uint_eq(pci_count(), 0);
}
END_TEST

START_TEST(too_many_functions)
{
	fake_plat_reset(RAM);
	uint32_t c[64];
	header(c, 0x1af4, 0x1000, 0x02000000, 0x80, 0, 0, 0);
	for (unsigned dev = 0; dev < 10; dev++)
		for (unsigned fn = 0; fn < 8; fn++)
			fake_pci_add(0, dev, fn, c, NULL);
	ck_assert_int_eq(pci_scan(), 0);
	ck_assert_uint_eq(pci_count(), PCI_MAX_FUNCTIONS);
	ck_assert_ptr_nonnull(strstr(fake_console_output(2, NULL), "only the first are listed"));
}
END_TEST

Suite *pci_suite(void)
{
	Suite *s = suite_create("pci");
	TCase *tc = unit_tcase(s, "scan", setup, teardown);
	tcase_add_test(tc, functions_in_address_order);
	tcase_add_test(tc, identity_class_and_interrupt);
	tcase_add_test(tc, bars_sized);
	tcase_add_test(tc, registers_put_back);
	tcase_add_test(tc, no_bus_at_all);
	tcase_add_test(tc, too_many_functions);
	return s;
}
