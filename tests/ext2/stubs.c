#include "ext2_test.h"



void suite_corrupt(void) {}
