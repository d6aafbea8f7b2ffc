/* A library that looks like libruby of an unsupported version (1.9.3):
 * the symbols a profiler inspects, and nothing else. */
const char ruby_version[] = "1.9.3";
void *ruby_current_vm_ptr;
__thread void *ruby_current_ec;

/* Reads the EC as libruby does (through __tls_get_addr and a DTPMOD64 relocation), so that
 * a profiler told to take this for a supported Ruby (--force-version) finds its TLS. */
void *fake_ruby_current_ec(void)
{
	return ruby_current_ec;
}
