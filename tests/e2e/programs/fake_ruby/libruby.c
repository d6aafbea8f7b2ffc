/* A library that looks like libruby of an unsupported version (1.9.3):
 * the symbols a profiler inspects, and nothing else. */
const char ruby_version[] = "1.9.3";
void *ruby_current_vm_ptr;
__thread void *ruby_current_ec;
