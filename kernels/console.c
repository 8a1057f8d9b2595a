/*
 * console.c — the record channel: every byte the guest sends goes out on the
 * debug console (port 0xe9), through console_write(), which also counts the
 * records (lines) so that the final @E record can state how many were sent.
 */
#include "kernel.h"
#include "fmt.h"
#include "entrylab/proto.h"

static u64 records_sent;
static bool final_sent;

void console_write(const char *buf, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (buf[i] == '\n')
			records_sent++;
	__asm__ volatile("rep outsb"
			 : "+S"(buf), "+c"(len)
			 : "d"((u16)EL_DEBUGCON_PORT)
			 : "memory");
}

void kprintf(const char *fmt, ...)
{
	char buf[EL_MAX_LINE];
	va_list ap;
	va_start(ap, fmt);
	int n = el_vformat_line(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	console_write(buf, (size_t)n);
}

void record_final(const char *status)
{
	if (final_sent)
		return;
	final_sent = true;
	kprintf("@E records=%lu status=%s\n", records_sent, status);
}

/* Leave QEMU through isa-debug-exit; see the status table in proto.h. */
void system_exit(int code, const char *status)
{
	record_final(status);
	outl(EL_EXIT_PORT, (u32)code);
	for (;;)
		__asm__ volatile("cli; hlt");
}

void panic(const char *fmt, ...)
{
	char buf[EL_MAX_LINE - 8];
	va_list ap;
	va_start(ap, fmt);
	el_vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	kprintf("@K panic: %s\n", buf);
	system_exit(EL_EXIT_PANIC, "panic");
}
