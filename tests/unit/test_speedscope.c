// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The speedscope writer: the whole file of the hand-built profile (writer_fixture.h), its
 * frames shared and escaped, one profile per process, or per thread with -t.
 */
#include <stdlib.h>
#include "test.h"
#include "writer_fixture.h"

/*
 * The top and the frames (in the order of their text's hash), alike with and without -t: the
 * thread frames are never frames.
 */
#define HEAD                                                                                       \
	"{\"$schema\":\"https://www.speedscope.app/file-format-schema.json\",\n"                   \
	"\"exporter\":\"rbprof-bpf\",\"name\":\"" FIX_COMMAND_CLEAN                                \
	"\",\"activeProfileIndex\":0,\n"                                                           \
	"\"shared\":{\"frames\":[\n"                                                               \
	"{\"name\":\"m<&\\\"\\\\;\\\\x0a\\\\x01\xef\xbf\xbd\",\"file\":\"/d&<'\\\"/p\\\\q.rb\","   \
	"\"line\":3},\n"                                                                           \
	"{\"name\":\"Array#each\"},\n"                                                             \
	"{\"name\":\"run\",\"file\":\"/a.rb\",\"line\":10},\n"                                     \
	"{\"name\":\"run\",\"file\":\"/a.rb\",\"line\":11}]},\n"                                   \
	"\"profiles\":[\n"
/* A sampled profile's fields up to its samples. */
#define PROFILE(name, end)                                                                         \
	"{\"type\":\"sampled\",\"name\":\"" name "\",\"unit\":\"nanoseconds\",\"startValue\":0,"   \
	"\"endValue\":" end ","

static char *written(int thread_frames)
{
	struct writer_fixture f;
	size_t len;
	char *out;

	writer_fixture_init(&f, thread_frames);
	out = writer_fixture_write(&speedscope_writer, &f, &len);
	writer_fixture_free(&f);
	return out;
}

/*
 * One profile per process, named "COMM [PID]" (escaped); samples root first without their
 * thread frame (the empty one: a thread with no Ruby frame); run (/a.rb:10) of two iseqs is one
 * frame; weights are 10 ms of CPU a sample.
 */
void test_speedscope_processes(void)
{
	char *out = written(0);

	CHECK_STR(out,
		  HEAD PROFILE("ruby [100]",
			       "60000000") "\"samples\":[[2,0],[2,1],[]],"
					   "\"weights\":[30000000,20000000,10000000]},\n" PROFILE(
					       "we\\\"ird\\\\x0a [101]",
					       "90000000") "\"samples\":[[3],[2]],"
							   "\"weights\":[50000000,40000000]}]}\n");
	free(out);
}

/* -t: one profile per thread, named "COMM [PID] thread NAME [TID]". */
void test_speedscope_threads(void)
{
	char *out = written(1);

	CHECK_STR(
	    out, HEAD PROFILE("ruby [100] thread main [1]",
			      "40000000") "\"samples\":[[2,0],[]],\"weights\":[30000000,10000000]},"
					  "\n" PROFILE("ruby [100] thread work [2]",
						       "20000000") "\"samples\":[[2,1]],"
								   "\"weights\":[20000000]},"
								   "\n" PROFILE("we\\\"ird\\\\x0a "
										"[101] thread "
										"wo\\\"rk"
										"\xef\xbf\xbd"
										" [7]",
										"90000000") "\"samp"
											    "les\":"
											    "[[3],["
											    "2]],"
											    "\"weig"
											    "hts\":"
											    "[50000"
											    "000,"
											    "400000"
											    "00]}]}"
											    "\n");
	free(out);
}

/* 20000 stacks: one profile whose weights sum to every sample's CPU time, the file whole. */
void test_speedscope_many_stacks(void)
{
	struct writer_fixture f;
	char want[64];
	size_t len = 0;
	char *out;

	writer_fixture_many(&f, 20000);
	snprintf(want, sizeof(want), "\"endValue\":%llu,",
		 (unsigned long long)(profile_samples(&f.p) * FIX_PERIOD));
	out = writer_fixture_write(&speedscope_writer, &f, &len);
	CHECK(out && strstr(out, want));
	CHECK(out && len > 3 && !strcmp(out + len - 3, "]}\n"));
	/* one profile: one process, its one thread no profile of its own without -t */
	CHECK(out && strstr(out, "{\"type\":\"sampled\"") == strrchr(out, '{'));
	free(out);
	writer_fixture_free(&f);
}
