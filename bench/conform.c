#include "user.h"
int run_conformance(unsigned features)
{
	(void)features;
	rec("@T 1..1\n");
	long pid = sys0(SYS_getpid);
	rec("@T %s 1 - getpid returns the task's pid\n", pid == 1 ? "ok" : "not ok");
	return pid != 1;
}
