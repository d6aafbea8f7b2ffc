/* A library that looks like libruby of an unsupported version (1.9.3), or with FAKE_VERSION
 * of that version (the hostile scribbler's, scribble.c):
 * the symbols a profiler inspects, and nothing else. With FAKE_STRIPPED, a supported 3.4.9
 * stripped of the symbols of its VM (kept hidden, as Ruby 3.3+ keeps them) that has none of
 * the functions whose code would say where they are: a Ruby that cannot be profiled. */
#if defined(FAKE_VERSION)
const char ruby_version[] = FAKE_VERSION;
void *ruby_current_vm_ptr;
__thread void *ruby_current_ec;
#elif defined(FAKE_STRIPPED)
const char ruby_version[] = "3.4.9";
__attribute__((visibility("hidden"))) void *ruby_current_vm_ptr;
__attribute__((visibility("hidden"))) __thread void *ruby_current_ec;
#else
const char ruby_version[] = "1.9.3";
void *ruby_current_vm_ptr;
__thread void *ruby_current_ec;
#endif

/* Reads the EC as libruby does (through __tls_get_addr and a DTPMOD64 relocation), so that
 * a profiler told to take this for a supported Ruby (--force-version) finds its TLS. */
void *fake_ruby_current_ec(void)
{
	return ruby_current_ec;
}
