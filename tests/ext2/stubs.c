#include "ext2_test.h"

void suite_enospc(void) {}
void suite_crash(void) {}
void suite_corrupt(void) {}
