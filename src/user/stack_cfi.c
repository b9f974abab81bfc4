// SPDX-License-Identifier: GPL-2.0-only
/* The applied patches' code as unwinder modules (stack_cfi.h). */
#include "user/stack_cfi.h"
#include "user/state.h"
#include "common/log.h"
#include "common/xalloc.h"

#include <fcntl.h>
#include <gelf.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

static const char shstrtab[] = "\0.eh_frame\0.shstrtab";

/* The .eh_frame as the process holds it (relocated for its addresses). */
static unsigned char *read_cfi(pid_t pid, const struct user_state *s)
{
	char path[64];
	unsigned char *bytes = xmalloc(s->cfi_len);
	int fd;
	bool ok;

	snprintf(path, sizeof(path), "/proc/%d/mem", pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	ok = fd >= 0 && pread(fd, bytes, s->cfi_len, (off_t)s->cfi_addr) == (ssize_t)s->cfi_len;
	if (fd >= 0)
		close(fd);
	if (!ok) {
		free(bytes);
		return NULL;
	}
	return bytes;
}

static Elf_Scn *add_section(Elf *e, unsigned name, uint32_t type, uint64_t flags,
			    uint64_t addr, void *bytes, size_t size)
{
	Elf_Scn *scn = elf_newscn(e);
	Elf_Data *d = scn ? elf_newdata(scn) : NULL;
	GElf_Shdr sh;

	if (!d || !gelf_getshdr(scn, &sh))
		return NULL;
	d->d_buf = bytes, d->d_size = size, d->d_type = ELF_T_BYTE, d->d_align = 8;
	sh.sh_name = name, sh.sh_type = type, sh.sh_flags = flags, sh.sh_addr = addr;
	sh.sh_addralign = 8;
	return gelf_update_shdr(scn, &sh) ? scn : NULL;
}

/* An ELF file (a memfd) of the code's range, with its .eh_frame: -1 when
 * libelf cannot make it. */
static int cfi_module(const struct user_state *s, unsigned char *cfi)
{
	int fd = memfd_create("livefix-patch-cfi", MFD_CLOEXEC);
	Elf *e = fd >= 0 ? elf_begin(fd, ELF_C_WRITE, NULL) : NULL;
	Elf64_Ehdr *eh = e ? elf64_newehdr(e) : NULL;
	Elf64_Phdr *ph = eh ? elf64_newphdr(e, 1) : NULL;
	Elf_Scn *str;
	bool ok = false;

	if (ph) {
		eh->e_ident[EI_DATA] = ELFDATA2LSB;
		eh->e_machine = EM_X86_64, eh->e_type = ET_EXEC, eh->e_version = EV_CURRENT;
		*ph = (Elf64_Phdr){ .p_type = PT_LOAD, .p_flags = PF_R | PF_X,
				    .p_vaddr = s->code_addr, .p_paddr = s->code_addr,
				    .p_memsz = s->code_len, .p_align = 4096 };
		str = add_section(e, 11, SHT_STRTAB, 0, 0, (void *)shstrtab, sizeof(shstrtab));
		ok = add_section(e, 1, SHT_PROGBITS, SHF_ALLOC, s->cfi_addr, cfi, s->cfi_len) &&
		     str && (eh->e_shstrndx = (Elf64_Half)elf_ndxscn(str)) &&
		     elf_update(e, ELF_C_WRITE) >= 0;
	}
	if (e)
		elf_end(e);
	if (!ok && fd >= 0) {
		close(fd);
		fd = -1;
	}
	return fd;
}

void stack_report_patch_cfi(Dwfl *dwfl, pid_t pid)
{
	struct user_state *records;
	size_t nr;

	if (user_state_list_pid(pid, &records, &nr))
		return;
	elf_version(EV_CURRENT);
	for (size_t i = 0; i < nr; i++) {
		unsigned char *cfi = records[i].cfi_len ? read_cfi(pid, &records[i]) : NULL;
		int fd = cfi ? cfi_module(&records[i], cfi) : -1;

		if (fd >= 0 && !dwfl_report_elf(dwfl, records[i].name, records[i].name, fd, 0,
						 false)) {
			pr_debug("process %d: patch '%s': its code's CFI is not usable: %s", pid,
				 records[i].name, dwfl_errmsg(-1));
			close(fd);
		}
		free(cfi);
		user_state_release(&records[i]);
	}
	free(records);
}
