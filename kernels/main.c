/*
 * main.c — kmain: set the machine up, send the @H header record, and enter
 * the user program (bench/) as the init task through the IRET path.
 */
#include "kernel.h"
#include "entrylab/proto.h"
#include "cpuid.h"

extern const char el_variant_name[], el_variant_short[];
extern char user_main[], user_stack_top[];
extern const u8 __build_id_note[];

/* The GNU build-id note (SHA-1, 20 bytes) as hex. */
static void build_id_hex(char *out)
{
	static const char hex[] = "0123456789abcdef";
	const u8 *id = __build_id_note + 16;
	for (int i = 0; i < 20; i++) {
		out[2 * i] = hex[id[i] >> 4];
		out[2 * i + 1] = hex[id[i] & 15];
	}
	out[40] = 0;
}

/* "ptregs=partial,rsp=cached,regs=..,exit=..,path=..,..." -> "ptregs=partial
 * rsp=cached regs=.. exit=..": the header's four axis fields of protocol 1;
 * the axes added since are in variant=, the whole canonical name. */
static void axes_fields(char *out, size_t n)
{
	size_t i = 0;
	int fields = 1;
	for (; el_variant_name[i] && i + 1 < n; i++) {
		if (el_variant_name[i] == ',' && ++fields > 4)
			break;
		out[i] = el_variant_name[i] == ',' ? ' ' : el_variant_name[i];
	}
	out[i] = 0;
}

static void send_header(void)
{
	char cpu[128], id[41], axes[128];
	const char *mode = cmdline_get("el.mode");
	if (!mode)
		mode = "tcg-icount";
	bool kvm = !memcmp(mode, "kvm", 4);
	el_cpu_header_fields(cpu, sizeof(cpu));
	build_id_hex(id);
	bool floor = !memcmp(el_variant_short, "floor", 6);
	axes_fields(axes, sizeof(axes));
	kprintf("@H proto=%d variant=%s short=%s %s build=%s %s mode=%s unit=%s\n",
		EL_PROTO_VERSION, el_variant_name, el_variant_short,
		floor ? "ptregs=none rsp=none regs=none exit=none" : axes, id, cpu, mode,
		kvm ? "tsc" : "instructions");
}

void kmain(u32 start_info)
{
	cmdline_init(start_info);
	cpu_init();
	mm_init();
	sched_init();
	send_header();
	pmu_init();

	struct pt_regs *frame = task_regs(current_task());
	memset(frame, 0, sizeof(*frame));
	frame->rip = (u64)user_main;
	frame->rsp = (u64)user_stack_top;
	frame->rflags = 0x202;
	frame->cs = USER_CS;
	frame->ss = USER_DS;
	enter_user_first(frame);
}
